/**
 * Time in a shop's own zone for the reports: an instant's weekday × hour (the heatmap and staffing
 * buckets), local day keys (daily rollups), "the last N days" as instants, and how many real hours
 * each weekday × hour had — 23- and 25-hour days included. Offsets come from Intl.DateTimeFormat
 * (full ICU time zone data in workerd). Pure apart from Intl; imported by the report code.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const QUARTER_HOUR_MS = 900_000;
/** Buckets of the heatmap: weekday × hour, Monday 00:00 first. */
export const HOURS_OF_WEEK = 168;

/** Whether `name` is an IANA zone this runtime knows (e.g. for the shop's settings). */
export function isTimeZone(name: string): boolean {
  if (name === "") return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** A wall-clock reading in the zone. `weekday`: 0 = Monday … 6 = Sunday (ISO order). */
export interface LocalTime {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

/** One local calendar day as the instants [start, end): 23 or 25 hours on the days clocks change. */
export interface LocalDay {
  /** "YYYY-MM-DD", the key of daily rollups. */
  key: string;
  start: number;
  end: number;
}

/** 0 = Monday … 6 = Sunday for a count of days since 1970-01-01, which was a Thursday. */
const isoWeekday = (daysSinceEpoch: number) => (((daysSinceEpoch + 3) % 7) + 7) % 7;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const keyOf = (year: number, month: number, day: number) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

function parseKey(key: string): { year: number; month: number; day: number } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  const [year, month, day] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (!m || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw new RangeError(`not a day key: ${key}`);
  return { year, month, day };
}

/** The day key `days` calendar days after `key` (before, when negative). */
export function addDays(key: string, days: number): string {
  const { year, month, day } = parseKey(key);
  const d = new Date(Date.UTC(year, month - 1, day + days));
  return keyOf(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** The offset over one UTC day: `before` until the instant `change`, `after` from it on. */
interface DayOffsets {
  change: number;
  before: number;
  after: number;
}

/**
 * One shop zone's clock. Formatting an instant with Intl costs about 8 µs, too much for 100,000
 * conversations in a report, so the clock asks Intl for the offset at both ends of each UTC day;
 * when they differ it finds the instant of the change by bisection (27 more calls, twice a year).
 * Zones change their offset at most once in any 24 hours, so every other instant of the day is
 * plain arithmetic. Make one per report: the cache grows by one entry per UTC day it meets.
 */
export class ZoneClock {
  readonly timeZone: string;
  readonly #format: Intl.DateTimeFormat;
  readonly #days = new Map<number, DayOffsets>();

  /** Throws RangeError for a zone the runtime does not know. */
  constructor(timeZone: string) {
    if (!isTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`);
    this.timeZone = timeZone;
    this.#format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }

  /** Local time − UTC at `instant`, in ms (e.g. +7,200,000 for Warsaw in summer). */
  offsetMs(instant: number): number {
    const dayNumber = Math.floor(instant / DAY_MS);
    let day = this.#days.get(dayNumber);
    if (!day) {
      day = this.#dayOffsets(dayNumber * DAY_MS);
      this.#days.set(dayNumber, day);
    }
    return instant < day.change ? day.before : day.after;
  }

  #dayOffsets(start: number): DayOffsets {
    const before = this.#exactOffset(start);
    const after = this.#exactOffset(start + DAY_MS);
    if (before === after) return { change: start + DAY_MS, before, after };
    let lo = start;
    let hi = start + DAY_MS;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.#exactOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    return { change: hi, before, after };
  }

  #exactOffset(instant: number): number {
    const parts: Record<string, number> = {};
    for (const p of this.#format.formatToParts(instant)) if (p.type !== "literal") parts[p.type] = Number(p.value);
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return wall - Math.floor(instant / 1000) * 1000;
  }

  local(instant: number): LocalTime {
    const local = instant + this.offsetMs(instant);
    const d = new Date(local);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      weekday: isoWeekday(Math.floor(local / DAY_MS)),
    };
  }

  /** The local day's key, "YYYY-MM-DD". */
  dayKey(instant: number): string {
    const t = this.local(instant);
    return keyOf(t.year, t.month, t.day);
  }

  /** The heatmap bucket: weekday × 24 + hour, 0 (Monday 00:00–01:00) to 167 (Sunday 23:00–24:00). */
  hourOfWeek(instant: number): number {
    // Plain arithmetic on local milliseconds: no Date object for each of a report's instants.
    const local = instant + this.offsetMs(instant);
    const days = Math.floor(local / DAY_MS);
    return isoWeekday(days) * 24 + Math.floor((local - days * DAY_MS) / HOUR_MS);
  }

  /**
   * The first instant of the local day `key` — its midnight, or the end of the gap where a zone
   * skips midnight (Havana's clocks jump from 00:00 to 01:00 in March).
   */
  dayStart(key: string): number {
    const { year, month, day } = parseKey(key);
    const wall = Date.UTC(year, month - 1, day);
    // Midnight at the offset of the surrounding hours: right unless the offset changes near it.
    const guess = wall - this.offsetMs(wall);
    if (this.dayKey(guess) === key && this.dayKey(guess - 1) < key) return guess;
    // Otherwise search: the zone's offset lies within ±15 h, and day keys only grow with time.
    let lo = wall - 15 * HOUR_MS;
    let hi = wall + 15 * HOUR_MS;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.dayKey(mid) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The local day `key` as its instants. */
  day(key: string): LocalDay {
    return { key, start: this.dayStart(key), end: this.dayStart(addDays(key, 1)) };
  }

  /**
   * The last `count` local days up to `now`, oldest first: ending with today (still running) by
   * default, or with yesterday — 28 complete days hold each weekday exactly four times, which the
   * staffing advice wants.
   */
  lastDays(count: number, now: number, options: { includeToday?: boolean } = {}): LocalDay[] {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`count must be a whole number ≥ 1, got ${count}`);
    const last = options.includeToday === false ? addDays(this.dayKey(now), -1) : this.dayKey(now);
    return Array.from({ length: count }, (_, i) => this.day(addDays(last, i - count + 1)));
  }

  /**
   * How many hours each weekday × hour bucket really had over `days` — the exposure that turns a
   * bucket's count into a rate. Four weeks give 4 per bucket, except that the hour clocks skip
   * gets 3 and the hour they repeat gets 5. Days without a change are counted whole; the others
   * in quarter hours (every UTC offset and change in use since 1972 falls on one).
   */
  hoursOfWeek(days: readonly LocalDay[]): number[] {
    const hours = new Array<number>(HOURS_OF_WEEK).fill(0);
    for (const { key, start, end } of days) {
      if (end - start === DAY_MS && this.offsetMs(start) === this.offsetMs(end)) {
        const { year, month, day } = parseKey(key);
        const first = isoWeekday(Date.UTC(year, month - 1, day) / DAY_MS) * 24;
        for (let h = 0; h < 24; h++) hours[first + h]! += 1;
        continue;
      }
      for (let t = start; t < end; t += QUARTER_HOUR_MS) hours[this.hourOfWeek(t)]! += 0.25;
    }
    return hours;
  }
}
