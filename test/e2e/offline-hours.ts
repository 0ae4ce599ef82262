// Business hours for the offline e2e tests: hours that are closed now with a known next opening
// (in the shop's zone), and what the widget must say for it in the visitor's zone and language,
// written here independently of the widget's own tables.
import { expect } from "vitest";
import { type BusinessHours, WEEKDAYS } from "../../protocol";

export const SHOP_ZONE = "Europe/Warsaw";
/** Intl puts a narrow no-break space before "AM"; Node's and Chromium's ICU may differ in which. */
export const spaces = (s: string | null) => (s ?? "").replace(/\s/g, " ");

/** The date `days` from now in `zone`, as [year, month (1–12), day, weekday (0 = Sunday)]. */
export function dateIn(zone: string, at: number): { y: number; m: number; d: number; weekday: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric", weekday: "short" })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    y: Number(parts.year),
    m: Number(parts.month),
    d: Number(parts.day),
    weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday!),
  };
}

/** The instant a wall-clock time in `zone` names (two passes settle the zone's offset). */
function wallTimeToUtc(zone: string, y: number, m: number, d: number, hour: number): number {
  let guess = Date.UTC(y, m - 1, d, hour);
  for (let i = 0; i < 2; i++) {
    const p = Object.fromEntries(
      new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
      })
        .formatToParts(guess)
        .map((x) => [x.type, x.value]),
    );
    const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour));
    guess += Date.UTC(y, m - 1, d, hour) - shown;
  }
  return guess;
}

/**
 * Hours that are closed now: open only 09:00–17:00 on the shop's day three days from today, so
 * the next opening is that day at 09:00 in Warsaw.
 */
export function closedNowHours(now = Date.now()): { hours: BusinessHours; reopensAt: number } {
  const later = dateIn(SHOP_ZONE, now + 3 * 86_400_000);
  const day = WEEKDAYS[(later.weekday + 6) % 7]!;
  const weekly = Object.fromEntries(
    WEEKDAYS.map((w) => [w, w === day ? [{ start: "09:00", end: "17:00" }] : []]),
  ) as BusinessHours["weekly"];
  return {
    hours: { timeZone: SHOP_ZONE, mode: "hours", weekly, exceptions: [] },
    reopensAt: wallTimeToUtc(SHOP_ZONE, later.y, later.m, later.d, 9),
  };
}

// "on Friday" as each language says it after "we are back" (written here independently of the
// widget's own table).
const DAYS = {
  "en-US": ["on Sunday", "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday"],
  "pl-PL": ["w niedzielę", "w poniedziałek", "we wtorek", "w środę", "w czwartek", "w piątek", "w sobotę"],
};
const BACK = {
  "en-US": (day: string, time: string) => `We're back ${day} at ${time}.`,
  "pl-PL": (day: string, time: string) => `Wracamy ${day} o ${time}.`,
};

/** What the widget must say for `reopensAt` seen from `zone` in `locale`. */
export function expectedBack(locale: "en-US" | "pl-PL", zone: string, reopensAt: number): string {
  const today = dateIn(zone, Date.now());
  const then = dateIn(zone, reopensAt);
  const ahead = Math.round((Date.UTC(then.y, then.m - 1, then.d) - Date.UTC(today.y, today.m - 1, today.d)) / 86_400_000);
  expect(ahead, "the opening is two to four days ahead in any zone").toBeGreaterThanOrEqual(2);
  const time = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: "numeric", minute: "2-digit" }).format(reopensAt);
  return spaces(BACK[locale](DAYS[locale][then.weekday]!, time));
}
