import { describe, expect, it } from "vitest";
import { utc } from "./test-schedule";
import { DAY_MS, dayOfDate, instantOf, localOf, offsetAt, weekdayIndex } from "./zoned-time";

const H = 3_600_000;
const M = 60_000;

describe("offsetAt and localOf", () => {
  it("reads the zone's offset, half hours included", () => {
    expect(offsetAt("Asia/Kolkata", utc("2026-06-01T00:00:00Z"))).toBe(5.5 * H);
    expect(offsetAt("Europe/Warsaw", utc("2026-01-15T12:00:00Z"))).toBe(1 * H);
    expect(offsetAt("Europe/Warsaw", utc("2026-07-15T12:00:00Z"))).toBe(2 * H);
    expect(offsetAt("America/New_York", utc("2026-01-15T12:00:00Z"))).toBe(-5 * H);
    expect(offsetAt("Australia/Sydney", utc("2026-01-15T12:00:00Z"))).toBe(11 * H);
  });

  it("gives the local day and time, which may be another date than UTC's", () => {
    // 23:30 UTC on 31 Dec is already 1 January in Helsinki (+2).
    expect(localOf("Europe/Helsinki", utc("2026-12-31T23:30:00Z"))).toEqual({ day: dayOfDate("2027-01-01"), ms: 1 * H + 30 * M });
    // 02:00 UTC on 5 July is still 4 July in New York (−4).
    expect(localOf("America/New_York", utc("2026-07-05T02:00:00Z"))).toEqual({ day: dayOfDate("2026-07-04"), ms: 22 * H });
  });
});

describe("instantOf", () => {
  it("maps an ordinary wall time to its one instant", () => {
    expect(instantOf("Asia/Kolkata", dayOfDate("2026-03-30"), 9 * H)).toBe(utc("2026-03-30T03:30:00Z"));
    expect(instantOf("Europe/Warsaw", dayOfDate("2026-03-28"), 2 * H + 30 * M)).toBe(utc("2026-03-28T01:30:00Z"));
  });

  it("maps a time skipped by spring-forward to the moment the clock jumps", () => {
    // Warsaw, 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(instantOf("Europe/Warsaw", dayOfDate("2026-03-29"), 2 * H + 30 * M)).toBe(utc("2026-03-29T01:00:00Z"));
    expect(instantOf("Europe/Warsaw", dayOfDate("2026-03-29"), 3 * H)).toBe(utc("2026-03-29T01:00:00Z"));
    // New York, 8 March 2026: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
    expect(instantOf("America/New_York", dayOfDate("2026-03-08"), 2 * H + 15 * M)).toBe(utc("2026-03-08T07:00:00Z"));
    // Sydney, 4 October 2026: 02:00 AEST becomes 03:00 AEDT at 16:00 UTC the day before.
    expect(instantOf("Australia/Sydney", dayOfDate("2026-10-04"), 2 * H)).toBe(utc("2026-10-03T16:00:00Z"));
  });

  it("maps a time repeated by fall-back to its first occurrence", () => {
    // Warsaw, 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC; 02:30 happens twice.
    expect(instantOf("Europe/Warsaw", dayOfDate("2026-10-25"), 2 * H + 30 * M)).toBe(utc("2026-10-25T00:30:00Z"));
    expect(instantOf("Europe/Warsaw", dayOfDate("2026-10-25"), 3 * H)).toBe(utc("2026-10-25T02:00:00Z"));
    // Sydney, 5 April 2026: 03:00 AEDT becomes 02:00 AEST at 16:00 UTC; 02:30 happens twice.
    expect(instantOf("Australia/Sydney", dayOfDate("2026-04-05"), 2 * H + 30 * M)).toBe(utc("2026-04-04T15:30:00Z"));
    // New York, 1 November 2026: 01:30 happens at 05:30 UTC (EDT) and 06:30 UTC (EST).
    expect(instantOf("America/New_York", dayOfDate("2026-11-01"), 1 * H + 30 * M)).toBe(utc("2026-11-01T05:30:00Z"));
  });

  it("treats 24:00 as the next day's midnight", () => {
    expect(instantOf("Europe/Helsinki", dayOfDate("2026-06-01"), DAY_MS)).toBe(instantOf("Europe/Helsinki", dayOfDate("2026-06-02"), 0));
  });
});

describe("calendar days", () => {
  it("numbers days and weekdays Monday first", () => {
    expect(dayOfDate("1970-01-01")).toBe(0);
    expect(weekdayIndex(dayOfDate("2026-03-30"))).toBe(0); // a Monday
    expect(weekdayIndex(dayOfDate("2026-12-27"))).toBe(6); // a Sunday
    expect(weekdayIndex(dayOfDate("1969-12-29"))).toBe(0); // before the epoch too
  });
});
