/**
 * Business hours as an owner edits and the Worker stores them, and what the widget is told about
 * availability and typical reply time. Schemas and types only; the maths is in worker/hours/.
 * Shared by the Worker, the widget and the admin.
 */
import * as v from "valibot";

/** Weekday keys in ISO order (Monday first); `weekly` has one list of ranges for each. */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Ranges in one day: 4 covers a morning, an afternoon and an evening shift with one to spare. */
export const MAX_RANGES_PER_DAY = 4;
/** Exception dates kept at once: a few years of public holidays plus special days. */
export const MAX_HOURS_EXCEPTIONS = 100;
export const MAX_EXCEPTION_LABEL_CHARS = 60;

/** `"HH:MM"` on a 24-hour clock, `00:00` to `23:59`; `24:00` only as the end of a range. */
const TIME = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** Minutes since midnight of an `"HH:MM"` time (`"24:00"` is 1440). */
export function minutesOfTime(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * One opening range in the shop's wall-clock time, start inclusive, end exclusive. A range never
 * crosses midnight: hours past midnight are written as `22:00–24:00` on one day and
 * `00:00–02:00` on the next, and the two join into one opening (nothing closes at midnight).
 */
export const TimeRange = v.pipe(
  v.object({
    start: v.pipe(v.string(), v.regex(TIME, "start is a time like 09:00")),
    end: v.pipe(v.string(), v.regex(TIME, "end is a time like 17:00 (24:00 for midnight)")),
  }),
  v.check((r) => r.start !== "24:00", "a range cannot start at 24:00"),
  v.check((r) => minutesOfTime(r.start) < minutesOfTime(r.end), "a range ends after it starts (write hours past midnight as two ranges)"),
);
export type TimeRange = v.InferOutput<typeof TimeRange>;

/** The ranges of one day, in any order, none overlapping (touching is fine: 9–12 and 12–17). */
export const DayRanges = v.pipe(
  v.array(TimeRange),
  v.maxLength(MAX_RANGES_PER_DAY, `a day has at most ${MAX_RANGES_PER_DAY} ranges`),
  v.check(noOverlap, "ranges in one day must not overlap"),
);

function noOverlap(ranges: TimeRange[]): boolean {
  const sorted = ranges.map((r) => [minutesOfTime(r.start), minutesOfTime(r.end)] as const).sort((a, b) => a[0] - b[0]);
  return sorted.every((r, i) => i === 0 || r[0] >= sorted[i - 1]![1]);
}

/** A calendar date `"YYYY-MM-DD"` that exists (no 30 February). */
export const LocalDate = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2}$/, "a date is YYYY-MM-DD"),
  v.check((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, "no such date"),
);

/**
 * An IANA time zone the runtime knows ("Europe/Warsaw"), stored in its canonical spelling
 * ("europe/warsaw" becomes "Europe/Warsaw"). Checked with Intl itself, so the widget, the admin
 * and the Worker accept exactly the zones they can compute with.
 */
export const TimeZone = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(64),
  v.check((tz) => canonicalTimeZone(tz) !== null, "timeZone is an IANA time zone like Europe/Warsaw"),
  v.transform((tz) => canonicalTimeZone(tz)!),
);

function canonicalTimeZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** A date whose hours differ from the week's: no ranges means closed all day. */
export const HoursException = v.object({
  date: LocalDate,
  ranges: DayRanges,
  /** What the owner calls it in the admin ("Christmas Eve"); never shown to visitors. */
  label: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(MAX_EXCEPTION_LABEL_CHARS)), ""),
});
export type HoursException = v.InferOutput<typeof HoursException>;

/**
 * A shop's business hours. `mode: "hours"`: available inside the ranges (and only while an
 * operator is online); `mode: "operators"`: the ranges are ignored and the shop is available
 * whenever an operator is online. Exception dates are dates in `timeZone`.
 */
export const BusinessHours = v.pipe(
  v.object({
    timeZone: TimeZone,
    mode: v.picklist(["hours", "operators"]),
    weekly: v.object(Object.fromEntries(WEEKDAYS.map((d) => [d, DayRanges])) as Record<Weekday, typeof DayRanges>),
    exceptions: v.pipe(v.array(HoursException), v.maxLength(MAX_HOURS_EXCEPTIONS, `at most ${MAX_HOURS_EXCEPTIONS} exception dates`)),
  }),
  v.check((h) => new Set(h.exceptions.map((e) => e.date)).size === h.exceptions.length, "each exception date appears once"),
);
export type BusinessHours = v.InferOutput<typeof BusinessHours>;

/** What a shop has before its owner sets hours: available whenever an operator is online. */
export const DEFAULT_BUSINESS_HOURS: BusinessHours = {
  timeZone: "UTC",
  mode: "operators",
  weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  exceptions: [],
};

/**
 * What the widget tells a visitor. `online`: an operator is online inside the hours. `away`:
 * inside the hours, but nobody online (everyone away, or nobody signed in). `closed`: outside
 * the hours, or (mode "operators") nobody signed in; `reopensAt` is the next opening (epoch ms)
 * for "we are back Monday 9:00", null when the hours give none.
 */
export type Availability = { state: "online" } | { state: "away" } | { state: "closed"; reopensAt: number | null };

/**
 * The shop's typical first reply, as the widget words it: "usually replies in under a minute",
 * "… in 5 minutes", "… in 2 hours". `value` is one of a few friendly steps (see worker/hours/).
 */
export type TypicalReplyTime = { unit: "underMinute" } | { unit: "minutes"; value: number } | { unit: "hours"; value: number };
