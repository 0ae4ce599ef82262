/**
 * A shop's day in numbers (issue 13): from the domain events of the conversations whose visitor
 * first wrote that local day, the operators' activity and the visits, one mergeable rollup per
 * day — what the team report, the heatmap, the staffing advice and the topics read. The same
 * code makes the stored daily rollups (the scheduled handler) and the days not rolled up yet
 * (today), so both always agree. Pure apart from the ZoneClock's Intl.
 *
 * Definitions (the README's report section repeats them):
 * - A conversation counts on the day of its visitor's first message; one a visitor never wrote
 *   in (an unanswered invitation) does not count. Missed: no operator ever answered it.
 * - An operator's conversations are those assigned to them at some point. First response is
 *   credited to whoever answered first; inside/outside business hours by when the visitor wrote.
 * - Resolution: from the visitor's first message to the first resolve, credited to the holder
 *   then (else the operator who resolved it).
 * - Held: from an assignment until the next assignment, unassignment or resolve (a reopen resumes
 *   it); an unresolved one until its last recorded fact, so a day's rollup does not depend on
 *   when it is computed. Peak and mean concurrency come from it.
 * - Handling time (staffing): first assignment to first resolve, wall clock.
 * - Ratings: the latest `rated` event of each conversation, credited to its `operatorId`.
 */
import type { BusinessHours, DomainEventData } from "../../protocol";
import { isOpen } from "../hours/schedule";
import { addDuration, type DurationHistogram, emptyHistogram, mergeHistograms } from "./duration-histogram";
import type { ZoneClock } from "./time-buckets";

export const ROLLUP_VERSION = 1;
/** Durations kept exactly per day and measure; beyond, only the histogram (±1%). */
export const EXACT_PER_DAY = 256;

/** Durations of one measure: exact while few (exact percentiles), always as a histogram. */
export interface DurationSample {
  exact: number[] | null;
  hist: DurationHistogram;
}

export interface OperatorDay {
  conversations: number;
  missed: number;
  firstResponse: DurationSample;
  firstResponseInHours: DurationSample;
  firstResponseOutOfHours: DurationSample;
  resolution: DurationSample;
  messages: number;
  peak: number;
  heldMs: number;
  busyMs: number;
  transfers: number;
  ratings: number;
  positive: number;
}

/** One weekday × hour of a day: conversations, missed, visits, operators active. */
export interface HourCell {
  c: number;
  m: number;
  v: number;
  ops: number;
}

export interface DayRollup {
  v: typeof ROLLUP_VERSION;
  team: OperatorDay;
  operators: Record<string, OperatorDay>;
  /** Keyed by hour of week (0–167) in the shop's zone. */
  hours: Record<string, HourCell>;
  handledMs: number;
  handled: number;
  /** Conversations by topic skill ("" for none) and by tag. */
  topics: Record<string, number>;
  tags: Record<string, number>;
}

/** One stored event, as D1 gives it back (data still JSON text). */
export interface EventRow {
  conversation_id: string;
  type: string;
  at: number;
  actor_role: string;
  actor_id: string | null;
  data: string;
}

export interface ConversationRow {
  id: string;
  message_count: number;
  tags: string;
}

export interface RollupInput {
  clock: ZoneClock;
  schedule: BusinessHours;
  /** Events of the conversations counted, each conversation's in seq order. */
  events: readonly EventRow[];
  conversations: readonly ConversationRow[];
  /** Operators active: (operator id, quarter hour = floor(at / 900,000)). */
  activity: readonly { operator_id: string; q: number }[];
  /** Visits started per quarter hour (the swappable visitors read). */
  visits: readonly { q: number; n: number }[];
}

export function emptySample(): DurationSample {
  return { exact: [], hist: emptyHistogram() };
}

function addSample(s: DurationSample, ms: number): void {
  const value = Math.max(0, Math.round(ms));
  addDuration(s.hist, value);
  if (s.exact) {
    if (s.exact.length < EXACT_PER_DAY) s.exact.push(value);
    else s.exact = null;
  }
}

export function mergeSample(into: DurationSample, from: DurationSample): void {
  mergeHistograms(into.hist, from.hist);
  into.exact = into.exact && from.exact ? into.exact.concat(from.exact) : null;
}

export function emptyOperatorDay(): OperatorDay {
  return {
    conversations: 0,
    missed: 0,
    firstResponse: emptySample(),
    firstResponseInHours: emptySample(),
    firstResponseOutOfHours: emptySample(),
    resolution: emptySample(),
    messages: 0,
    peak: 0,
    heldMs: 0,
    busyMs: 0,
    transfers: 0,
    ratings: 0,
    positive: 0,
  };
}

/** Adds `from` into `into`; peaks take the larger (concurrency across days is not additive). */
export function mergeOperatorDay(into: OperatorDay, from: OperatorDay): void {
  into.conversations += from.conversations;
  into.missed += from.missed;
  mergeSample(into.firstResponse, from.firstResponse);
  mergeSample(into.firstResponseInHours, from.firstResponseInHours);
  mergeSample(into.firstResponseOutOfHours, from.firstResponseOutOfHours);
  mergeSample(into.resolution, from.resolution);
  into.messages += from.messages;
  into.peak = Math.max(into.peak, from.peak);
  into.heldMs += from.heldMs;
  into.busyMs += from.busyMs;
  into.transfers += from.transfers;
  into.ratings += from.ratings;
  into.positive += from.positive;
}

export function emptyDayRollup(): DayRollup {
  return { v: ROLLUP_VERSION, team: emptyOperatorDay(), operators: {}, hours: {}, handledMs: 0, handled: 0, topics: {}, tags: {} };
}

const QUARTER_MS = 900_000;

/** The value at `key`, made and stored first when missing. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

interface Interval {
  start: number;
  end: number;
}

/** Peak overlap, total length and the length of the union of `intervals`. */
function concurrency(intervals: Interval[]): { peak: number; heldMs: number; busyMs: number } {
  const points: [number, number][] = [];
  let heldMs = 0;
  for (const i of intervals) {
    if (i.end <= i.start) continue;
    heldMs += i.end - i.start;
    points.push([i.start, 1], [i.end, -1]);
  }
  // Ends before starts at the same instant: a handover is not two at once.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  let busyMs = 0;
  let since = 0;
  for (const [at, step] of points) {
    if (open > 0) busyMs += at - since;
    open += step;
    since = at;
    peak = Math.max(peak, open);
  }
  return { peak, heldMs, busyMs };
}

interface Facts {
  id: string;
  firstMessageAt: number | null;
  skill: string | null;
  answeredBy: string | null;
  answerMs: number | null;
  firstAssignedAt: number | null;
  resolvedAt: number | null;
  resolvedCredit: string | null;
  holders: Set<string>;
  transfersFrom: string[];
  held: Map<string, Interval[]>;
  rating: { operatorId: string | null; positive: boolean } | null;
}

/** Walks one conversation's events in order. */
function factsOf(id: string, events: readonly EventRow[]): Facts {
  const f: Facts = {
    id,
    firstMessageAt: null,
    skill: null,
    answeredBy: null,
    answerMs: null,
    firstAssignedAt: null,
    resolvedAt: null,
    resolvedCredit: null,
    holders: new Set(),
    transfersFrom: [],
    held: new Map(),
    rating: null,
  };
  let holder: string | null = null;
  let resolved = false;
  let openSince: number | null = null;
  const close = (at: number) => {
    if (holder !== null && openSince !== null) {
      entry(f.held, holder, () => []).push({ start: openSince, end: at });
    }
    openSince = null;
  };
  for (const e of events) {
    switch (e.type) {
      case "created":
        f.skill = (JSON.parse(e.data) as DomainEventData["created"]).skill ?? null;
        break;
      case "visitor_first_message":
        f.firstMessageAt ??= e.at;
        break;
      case "assigned": {
        const d = JSON.parse(e.data) as DomainEventData["assigned"];
        close(e.at);
        if (d.how === "transferred" && d.fromId) f.transfersFrom.push(d.fromId);
        holder = d.operatorId;
        f.holders.add(holder);
        f.firstAssignedAt ??= e.at;
        if (!resolved) openSince = e.at;
        break;
      }
      case "unassigned":
        close(e.at);
        holder = null;
        break;
      case "operator_first_answer": {
        if (f.answeredBy !== null) break;
        const d = JSON.parse(e.data) as DomainEventData["operator_first_answer"];
        f.answeredBy = e.actor_id ?? "";
        f.answerMs = d.msSinceVisitorFirstMessage;
        break;
      }
      case "status_changed": {
        const d = JSON.parse(e.data) as DomainEventData["status_changed"];
        if (d.to === "resolved" && !resolved) {
          close(e.at);
          resolved = true;
          if (f.resolvedAt === null) {
            f.resolvedAt = e.at;
            f.resolvedCredit = holder ?? (e.actor_role === "operator" ? e.actor_id : null);
          }
        } else if (d.from === "resolved" && d.to !== "resolved") {
          resolved = false;
          if (holder !== null) openSince = e.at;
        }
        break;
      }
      case "rated": {
        const d = JSON.parse(e.data) as DomainEventData["rated"];
        f.rating = { operatorId: d.operatorId, positive: d.positive };
        break;
      }
    }
  }
  close(events[events.length - 1]?.at ?? 0);
  return f;
}

function parseTags(json: string): string[] {
  try {
    const tags = JSON.parse(json) as unknown;
    return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

function cell(r: DayRollup, hourOfWeek: number): HourCell {
  const key = String(hourOfWeek);
  let c = r.hours[key];
  if (!c) r.hours[key] = c = { c: 0, m: 0, v: 0, ops: 0 };
  return c;
}

/** The rollups of every local day the input touches, by day key. */
export function buildDayRollups(input: RollupInput): Map<string, DayRollup> {
  const { clock, schedule } = input;
  const days = new Map<string, DayRollup>();
  const dayOf = (at: number) => {
    return entry(days, clock.dayKey(at), emptyDayRollup);
  };
  const rowOf = new Map(input.conversations.map((c) => [c.id, c]));
  // Intervals per day and operator (and the team), for that day's concurrency.
  const heldByDay = new Map<DayRollup, Map<string, Interval[]>>();

  let start = 0;
  while (start < input.events.length) {
    const id = input.events[start]!.conversation_id;
    let end = start;
    while (end < input.events.length && input.events[end]!.conversation_id === id) end++;
    const f = factsOf(id, input.events.slice(start, end));
    start = end;
    if (f.firstMessageAt === null) continue;
    const r = dayOf(f.firstMessageAt);
    const row = rowOf.get(id);
    const messages = row?.message_count ?? 0;
    const missed = f.answeredBy === null;
    const op = (operatorId: string) => {
      let o = r.operators[operatorId];
      if (!o) r.operators[operatorId] = o = emptyOperatorDay();
      return o;
    };

    r.team.conversations += 1;
    r.team.messages += messages;
    if (missed) r.team.missed += 1;
    for (const holder of f.holders) {
      const o = op(holder);
      o.conversations += 1;
      o.messages += messages;
      if (missed) o.missed += 1;
    }
    if (f.answerMs !== null) {
      const inHours = isOpen(schedule, f.firstMessageAt);
      for (const o of f.answeredBy ? [r.team, op(f.answeredBy)] : [r.team]) {
        addSample(o.firstResponse, f.answerMs);
        addSample(inHours ? o.firstResponseInHours : o.firstResponseOutOfHours, f.answerMs);
      }
    }
    if (f.resolvedAt !== null) {
      const ms = f.resolvedAt - f.firstMessageAt;
      for (const o of f.resolvedCredit ? [r.team, op(f.resolvedCredit)] : [r.team]) addSample(o.resolution, ms);
      if (f.firstAssignedAt !== null && f.resolvedAt >= f.firstAssignedAt) {
        r.handledMs += f.resolvedAt - f.firstAssignedAt;
        r.handled += 1;
      }
    }
    for (const from of f.transfersFrom) {
      r.team.transfers += 1;
      op(from).transfers += 1;
    }
    if (f.rating) {
      for (const o of f.rating.operatorId ? [r.team, op(f.rating.operatorId)] : [r.team]) {
        o.ratings += 1;
        if (f.rating.positive) o.positive += 1;
      }
    }
    const held = entry(heldByDay, r, () => new Map<string, Interval[]>());
    for (const [operatorId, intervals] of f.held) {
      for (const key of [operatorId, ""]) {
        const list = held.get(key);
        if (list) list.push(...intervals);
        else held.set(key, [...intervals]);
      }
    }
    const h = cell(r, clock.hourOfWeek(f.firstMessageAt));
    h.c += 1;
    if (missed) h.m += 1;
    const topic = f.skill ?? "";
    r.topics[topic] = (r.topics[topic] ?? 0) + 1;
    for (const tag of new Set(parseTags(row?.tags ?? "[]"))) r.tags[tag] = (r.tags[tag] ?? 0) + 1;
  }

  for (const [r, held] of heldByDay) {
    for (const [key, intervals] of held) {
      const c = concurrency(intervals);
      const o = key === "" ? r.team : r.operators[key];
      if (!o) continue;
      o.peak = c.peak;
      o.heldMs = c.heldMs;
      o.busyMs = c.busyMs;
    }
  }

  // Operators active per day and hour of week: distinct operators seen in its quarter hours.
  const active = new Map<DayRollup, Map<number, Set<string>>>();
  for (const a of input.activity) {
    const at = a.q * QUARTER_MS;
    const r = dayOf(at);
    const byHour = entry(active, r, () => new Map<number, Set<string>>());
    entry(byHour, clock.hourOfWeek(at), () => new Set<string>()).add(a.operator_id);
  }
  for (const [r, byHour] of active) for (const [hour, set] of byHour) cell(r, hour).ops = set.size;

  for (const visit of input.visits) {
    const at = visit.q * QUARTER_MS;
    cell(dayOf(at), clock.hourOfWeek(at)).v += visit.n;
  }
  return days;
}

/** Adds one day into a running total (the heatmap cells' `ops` add up too: means come later). */
export function mergeDayRollup(into: DayRollup, from: DayRollup): void {
  mergeOperatorDay(into.team, from.team);
  for (const [id, o] of Object.entries(from.operators)) {
    const target = into.operators[id];
    if (target) mergeOperatorDay(target, o);
    else {
      const copy = emptyOperatorDay();
      mergeOperatorDay(copy, o);
      into.operators[id] = copy;
    }
  }
  for (const [hour, c] of Object.entries(from.hours)) {
    const target = into.hours[hour];
    if (target) {
      target.c += c.c;
      target.m += c.m;
      target.v += c.v;
      target.ops += c.ops;
    } else into.hours[hour] = { ...c };
  }
  into.handledMs += from.handledMs;
  into.handled += from.handled;
  for (const [k, n] of Object.entries(from.topics)) into.topics[k] = (into.topics[k] ?? 0) + n;
  for (const [k, n] of Object.entries(from.tags)) into.tags[k] = (into.tags[k] ?? 0) + n;
}
