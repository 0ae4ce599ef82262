/**
 * Business-hours maths: is the shop open at an instant, when does it next open, when does it
 * next close. Correct across DST changes and exception dates in the shop's zone. Pure; used by
 * availability and by whatever schedules the next change (timers, the widget's "back at").
 */
import { type BusinessHours, minutesOfTime, type TimeRange, WEEKDAYS } from "../../protocol/hours";
import { dayOfDate, instantOf, localOf, weekdayIndex } from "./zoned-time";

interface Interval {
  start: number;
  /** Infinity when the shop never closes again (open around the clock after its last exception). */
  end: number;
}

// A bound on days walked, far past any real schedule (the last exception + a week is the most
// a real one needs); it only stops a loop the invariants below already end.
const MAX_DAYS = 4000;

/** True when the shop's hours have it open at `at` (always, in mode "operators"). */
export function isOpen(schedule: BusinessHours, at: number): boolean {
  if (schedule.mode === "operators") return true;
  for (const interval of openings(schedule, at)) return interval.start <= at;
  return false;
}

/**
 * The next instant, `at` or later, at which the shop opens (from closed to open); null when the
 * hours never open it again, or in mode "operators" (hours do not open or close anything). While
 * the shop is open, that is the opening after the current one closes.
 */
export function nextOpening(schedule: BusinessHours, at: number): number | null {
  if (schedule.mode === "operators") return null;
  for (const interval of openings(schedule, at)) if (interval.start >= at) return interval.start;
  return null;
}

/**
 * The next instant after `at` at which the shop closes; null when it never closes again, or in
 * mode "operators". While closed, that is the end of the next opening.
 */
export function nextClosing(schedule: BusinessHours, at: number): number | null {
  if (schedule.mode === "operators") return null;
  for (const interval of openings(schedule, at)) return Number.isFinite(interval.end) ? interval.end : null;
  return null;
}

/**
 * The shop's openings that end after `from`, in order, adjacent ones joined (a range ending at
 * 24:00 and one starting at 00:00 the next day are one opening). Starts a day before `from`'s
 * local day, so an opening that began then is seen (its start may be clipped there: callers only
 * compare such a start with `from`).
 */
function* openings(schedule: BusinessHours, from: number): Generator<Interval> {
  const tz = schedule.timeZone;
  const exceptions = new Map(schedule.exceptions.map((e) => [dayOfDate(e.date), e.ranges]));
  const lastException = Math.max(-Infinity, ...exceptions.keys());
  const weekly = WEEKDAYS.map((d) => toMinutes(schedule.weekly[d]));
  const weeklyEmpty = weekly.every((r) => r.length === 0);
  const weeklyAlwaysOpen = weekly.every(coversWholeDay);

  const first = localOf(tz, from).day - 1;
  let pending = null as Interval | null;
  for (let day = first; day < first + MAX_DAYS; day++) {
    const onlyWeeklyAhead = day > lastException;
    if (onlyWeeklyAhead && weeklyEmpty && !pending) return;
    if (onlyWeeklyAhead && weeklyAlwaysOpen && pending) {
      // From here every day is open from midnight to midnight: this opening never ends.
      yield { start: pending.start, end: Infinity };
      return;
    }
    const exception = exceptions.get(day);
    const ranges = exception ? toMinutes(exception) : weekly[weekdayIndex(day)]!;
    for (const [startMin, endMin] of ranges) {
      const start = instantOf(tz, day, startMin * 60_000);
      const end = instantOf(tz, day, endMin * 60_000);
      // A range inside a spring-forward gap (02:00–02:30 that night) has no time on the clock.
      if (end <= start) continue;
      if (pending && start <= pending.end) {
        pending.end = Math.max(pending.end, end);
        continue;
      }
      if (pending && pending.end > from) yield pending;
      pending = { start, end };
    }
    // An opening that reached the end of this day may go on tomorrow; otherwise it is complete.
    if (pending && pending.end < instantOf(tz, day + 1, 0)) {
      if (pending.end > from) yield pending;
      pending = null;
    }
  }
}

/** True when sorted minute ranges leave no gap from 00:00 to 24:00. */
function coversWholeDay(ranges: readonly [number, number][]): boolean {
  let reach = 0;
  for (const [start, end] of ranges) {
    if (start > reach) return false;
    reach = Math.max(reach, end);
  }
  return reach >= 1440;
}

/** Ranges as sorted [start, end] minute pairs. */
function toMinutes(ranges: readonly TimeRange[]): [number, number][] {
  return ranges.map((r): [number, number] => [minutesOfTime(r.start), minutesOfTime(r.end)]).sort((a, b) => a[0] - b[0]);
}
