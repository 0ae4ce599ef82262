/**
 * Erlang C staffing for the "when to staff" report: for one hour of the week, the chats arriving,
 * their mean handling time and the operators' concurrency → the operators needed to answer X% of
 * chats within Y seconds. Pure; imported by the report code.
 *
 * Model (M/M/N, Erlang 1917): chats arrive at random (Poisson), each holds a server for a random
 * (exponential) time with mean AHT, and a chat that finds every server busy waits in one FIFO
 * queue — no one gives up, so the advice errs toward more staff when visitors do leave.
 *
 * Servers are seats, not people. Gadka's router seats a new chat with any online operator under
 * their cap and queues it only when every operator is at cap, so the system's servers are the
 * operators × cap seats, and operators = ⌈seats / concurrency⌉. For this to hold, AHT must be
 * measured per chat as wall-clock time from assignment to resolve: that time already contains the
 * slowdown of juggling several chats at the loads operators really had. Concurrency is the cap
 * operators work at (with mixed caps, the smaller typical one — the safer side). "Answered" here
 * means "seated with an operator": the operator's own reaction time comes on top of it.
 */

/** "X% of chats answered within Y seconds"; the industry default is 80% in 20 s. */
export interface ServiceTarget {
  /** The share to answer in time, in (0, 1). */
  share: number;
  withinSeconds: number;
}

export const DEFAULT_SERVICE_TARGET: ServiceTarget = { share: 0.8, withinSeconds: 20 };

function checkLoad(traffic: number, servers: number): void {
  if (!(Number.isFinite(traffic) && traffic >= 0)) throw new RangeError(`traffic must be finite and ≥ 0, got ${traffic}`);
  if (!(Number.isInteger(servers) && servers >= 0)) throw new RangeError(`servers must be a whole number ≥ 0, got ${servers}`);
}

function checkSeconds(name: string, seconds: number, allowZero: boolean): void {
  if (!(Number.isFinite(seconds) && (allowZero ? seconds >= 0 : seconds > 0))) {
    throw new RangeError(`${name} must be finite and ${allowZero ? "≥" : ">"} 0, got ${seconds}`);
  }
}

// B(0) = 1, B(n) = A·B(n−1) / (n + A·B(n−1)): every step is a ratio in [0, 1], so nothing
// overflows where Aᴺ/N! would (170! is already beyond a double).
function erlangBStep(traffic: number, n: number, previous: number): number {
  return (traffic * previous) / (n + traffic * previous);
}

// C from B at the same N (valid for N > A): C = N·B / (N − A·(1 − B)).
function erlangCFromB(traffic: number, servers: number, b: number): number {
  return (servers * b) / (servers - traffic * (1 - b));
}

function serviceLevelFromC(c: number, traffic: number, servers: number, handlingSeconds: number, withinSeconds: number): number {
  return 1 - c * Math.exp((-(servers - traffic) * withinSeconds) / handlingSeconds);
}

/** Erlang B: the share of arrivals that find all `servers` busy when nobody queues. */
export function erlangB(traffic: number, servers: number): number {
  checkLoad(traffic, servers);
  let b = 1;
  for (let n = 1; n <= servers; n++) b = erlangBStep(traffic, n, b);
  return b;
}

/**
 * Erlang C: the probability that a chat has to wait at all, for `traffic` = λ·AHT erlangs on
 * `servers` seats. 1 when servers ≤ traffic: the queue then grows without bound.
 */
export function erlangC(traffic: number, servers: number): number {
  checkLoad(traffic, servers);
  if (traffic === 0) return 0;
  if (servers <= traffic) return 1;
  return erlangCFromB(traffic, servers, erlangB(traffic, servers));
}

/** P(wait ≤ t) = 1 − C·e^(−(N − A)·t / AHT); 0 when the queue is unstable. */
export function serviceLevel(traffic: number, servers: number, handlingSeconds: number, withinSeconds: number): number {
  checkSeconds("handling time", handlingSeconds, false);
  checkSeconds("target time", withinSeconds, true);
  const c = erlangC(traffic, servers);
  if (c === 0) return 1;
  if (servers <= traffic) return 0;
  return serviceLevelFromC(c, traffic, servers, handlingSeconds, withinSeconds);
}

/** Average speed of answer (mean wait over all chats, s): C·AHT / (N − A); Infinity when unstable. */
export function averageSpeedOfAnswer(traffic: number, servers: number, handlingSeconds: number): number {
  checkSeconds("handling time", handlingSeconds, false);
  const c = erlangC(traffic, servers);
  if (c === 0) return 0;
  if (servers <= traffic) return Number.POSITIVE_INFINITY;
  return (c * handlingSeconds) / (servers - traffic);
}

/**
 * The fewest seats whose service level meets `target` (0 for no traffic). One pass of the Erlang B
 * recursion: O(N), a few microseconds for N in the hundreds.
 */
export function seatsNeeded(traffic: number, handlingSeconds: number, target: ServiceTarget = DEFAULT_SERVICE_TARGET): number {
  checkLoad(traffic, 0);
  checkSeconds("handling time", handlingSeconds, false);
  checkSeconds("target time", target.withinSeconds, true);
  // share = 1 could never be met: every C > 0 leaves some chat waiting past any t.
  if (!(target.share > 0 && target.share < 1)) throw new RangeError(`target share must be within (0, 1), got ${target.share}`);
  if (traffic === 0) return 0;
  let b = 1;
  for (let n = 1; ; n++) {
    b = erlangBStep(traffic, n, b);
    if (n <= traffic) continue;
    const c = erlangCFromB(traffic, n, b);
    if (serviceLevelFromC(c, traffic, n, handlingSeconds, target.withinSeconds) >= target.share) return n;
  }
}

/** What one hour of the week needs, and what the advised staff would deliver. */
export interface StaffingAdvice {
  /** Offered load A = λ·AHT in erlangs (the mean number of chats in progress). */
  traffic: number;
  /** The fewest seats that meet the target. */
  seats: number;
  /** ⌈seats / concurrency⌉ operators online. */
  operators: number;
  /** Share answered within the target time with `operators × concurrency` seats. */
  serviceLevel: number;
  /** Mean wait (s) with those seats. */
  averageSpeedOfAnswer: number;
  /** Probability of waiting at all with those seats. */
  probabilityOfWaiting: number;
}

/**
 * Staffing for `arrivals` chats seen over `periodSeconds` (e.g. the Mondays 10:00–11:00 of four
 * weeks: their count and 4 × 3600 s; time-buckets.ts gives the hours each bucket really had), with
 * `meanHandlingSeconds` per chat and `concurrency` chats per operator. Take the handling time over
 * all hours of those weeks, not per hour: a quiet hour's dozen chats give a mean too noisy to
 * staff by, while handling time varies far less across the week than arrivals do.
 */
export function staffing(input: {
  arrivals: number;
  periodSeconds: number;
  meanHandlingSeconds: number;
  concurrency: number;
  target?: ServiceTarget;
}): StaffingAdvice {
  const { arrivals, periodSeconds, meanHandlingSeconds, concurrency, target = DEFAULT_SERVICE_TARGET } = input;
  if (!(Number.isFinite(arrivals) && arrivals >= 0)) throw new RangeError(`arrivals must be finite and ≥ 0, got ${arrivals}`);
  checkSeconds("period", periodSeconds, false);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }
  const traffic = (arrivals / periodSeconds) * meanHandlingSeconds;
  const seats = seatsNeeded(traffic, meanHandlingSeconds, target);
  const operators = Math.ceil(seats / concurrency);
  const staffed = operators * concurrency;
  return {
    traffic,
    seats,
    operators,
    serviceLevel: serviceLevel(traffic, staffed, meanHandlingSeconds, target.withinSeconds),
    averageSpeedOfAnswer: averageSpeedOfAnswer(traffic, staffed, meanHandlingSeconds),
    probabilityOfWaiting: erlangC(traffic, staffed),
  };
}

/**
 * Under- or over-staffed, for the heatmap's highlight: `online` is the mean number of operators
 * online in that hour (a fraction over several weeks). Under when fewer than needed; over when at
 * least one whole operator more than needed, who could be moved to a busier hour.
 */
export function staffingVerdict(needed: number, online: number): "under" | "ok" | "over" {
  if (online < needed) return "under";
  return online >= needed + 1 ? "over" : "ok";
}
