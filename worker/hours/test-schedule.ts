/**
 * Test helper for worker/hours/: a schedule parsed through the real BusinessHours schema, so
 * every test schedule is one an owner could save. Imported by the *.test.ts files beside it.
 */
import * as v from "valibot";
import { BusinessHours, type HoursException, type Weekday } from "../../protocol/hours";

type Ranges = [string, string][];

export function schedule(
  timeZone: string,
  weekly: Partial<Record<Weekday, Ranges>>,
  exceptions: { date: string; ranges: Ranges }[] = [],
): BusinessHours {
  const toRanges = (r: Ranges = []) => r.map(([start, end]) => ({ start, end }));
  return v.parse(BusinessHours, {
    timeZone,
    mode: "hours",
    weekly: {
      mon: toRanges(weekly.mon),
      tue: toRanges(weekly.tue),
      wed: toRanges(weekly.wed),
      thu: toRanges(weekly.thu),
      fri: toRanges(weekly.fri),
      sat: toRanges(weekly.sat),
      sun: toRanges(weekly.sun),
    },
    exceptions: exceptions.map((e): Omit<HoursException, "label"> => ({ date: e.date, ranges: toRanges(e.ranges) })),
  });
}

/** Epoch ms of an ISO instant written with its `Z`, so expectations never use the code under test. */
export const utc = (iso: string): number => {
  if (!iso.endsWith("Z")) throw new Error(`write instants in UTC: ${iso}`);
  return Date.parse(iso);
};

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
