/**
 * Wall-clock arithmetic in an IANA time zone, with the runtime's own time-zone data through
 * `Intl.DateTimeFormat` (no tz database of ours): the local day and time of an instant, and the
 * instant of a local day and time. Pure; imported by worker/hours/ only.
 *
 * A local day is a day number (days since 1970-01-01 on the wall calendar); a local time is
 * milliseconds since that day's midnight. Instants are epoch milliseconds.
 */

export const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs about 50 times a formatToParts call; one per zone, kept.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in ms (Warsaw in July: +2 h). */
export function offsetAt(timeZone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(whole)) if (part.type !== "literal") p[part.type] = Number(part.value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - whole;
}

/** The local day and time of day at `instant`. */
export function localOf(timeZone: string, instant: number): { day: number; ms: number } {
  const wall = instant + offsetAt(timeZone, instant);
  const day = Math.floor(wall / DAY_MS);
  return { day, ms: wall - day * DAY_MS };
}

/**
 * The first instant at which the local clock shows `day` at `ms` or later. An ordinary time has
 * exactly one instant. A time skipped by a spring-forward change (02:30 in Warsaw on the last
 * Sunday of March) has none: the answer is the change itself, when the clock jumps to 03:00,
 * the first moment the clock is past 02:30. A time repeated by a fall-back change has two: the
 * answer is the earlier one, so "closes at 02:30" closes at the first 02:30.
 *
 * Assumes at most one offset change within a day on either side of the time, which holds for
 * every zone in use today.
 */
export function instantOf(timeZone: string, day: number, ms: number): number {
  const wall = day * DAY_MS + ms;
  const before = offsetAt(timeZone, wall - DAY_MS);
  const after = offsetAt(timeZone, wall + DAY_MS);
  const early = wall - before;
  if (offsetAt(timeZone, early) === before) return early;
  const late = wall - after;
  if (offsetAt(timeZone, late) === after) return late;
  // In the gap: the change lies between `late` (old offset) and `early` (new offset). Offsets
  // change on whole seconds, so a binary search to the second finds it.
  let lo = Math.floor(late / 1000);
  let hi = Math.ceil(early / 1000);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(timeZone, mid * 1000) === after) hi = mid;
    else lo = mid;
  }
  return hi * 1000;
}

/** Monday = 0 … Sunday = 6 for a day number (1970-01-01 was a Thursday). */
export function weekdayIndex(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** The day number of a `"YYYY-MM-DD"` date. */
export function dayOfDate(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}
