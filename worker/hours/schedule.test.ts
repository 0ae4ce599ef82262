import fc from "fast-check";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { BusinessHours, DEFAULT_BUSINESS_HOURS } from "../../protocol/hours";
import { isOpen, nextClosing, nextOpening } from "./schedule";
import { iso, schedule, utc } from "./test-schedule";

const weekdays = (ranges: [string, string][]) => ({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges });
const everyDay = (ranges: [string, string][]) => ({ ...weekdays(ranges), sat: ranges, sun: ranges });

describe("a week with a lunch break (Europe/Warsaw)", () => {
  const s = schedule(
    "Europe/Warsaw",
    weekdays([
      ["09:00", "12:00"],
      ["13:00", "17:00"],
    ]),
  );

  it("is open inside the ranges, start inclusive and end exclusive", () => {
    expect(isOpen(s, utc("2026-03-02T08:00:00Z"))).toBe(true); // Monday 09:00 CET
    expect(isOpen(s, utc("2026-03-02T07:59:59Z"))).toBe(false);
    expect(isOpen(s, utc("2026-03-02T11:00:00Z"))).toBe(false); // 12:00, lunch
    expect(isOpen(s, utc("2026-03-02T12:00:00Z"))).toBe(true); // 13:00
    expect(isOpen(s, utc("2026-03-07T10:00:00Z"))).toBe(false); // Saturday
  });

  it("finds the next opening and closing", () => {
    expect(iso(nextOpening(s, utc("2026-03-02T11:30:00Z")))).toBe("2026-03-02T12:00:00.000Z"); // lunch → 13:00
    expect(iso(nextClosing(s, utc("2026-03-02T09:00:00Z")))).toBe("2026-03-02T11:00:00.000Z"); // 10:00 → 12:00
    expect(iso(nextOpening(s, utc("2026-03-06T16:00:00Z")))).toBe("2026-03-09T08:00:00.000Z"); // Friday 17:00 → Monday
    expect(iso(nextOpening(s, utc("2026-03-02T08:00:00Z")))).toBe("2026-03-02T08:00:00.000Z"); // exactly at the opening
    // While open, the next opening is the one after this closes; while closed, the next closing ends the next opening.
    expect(iso(nextOpening(s, utc("2026-03-02T09:00:00Z")))).toBe("2026-03-02T12:00:00.000Z");
    expect(iso(nextClosing(s, utc("2026-03-07T09:00:00Z")))).toBe("2026-03-09T11:00:00.000Z");
  });

  it("moves with the clock across the DST change (CET to CEST)", () => {
    expect(iso(nextOpening(s, utc("2026-03-27T16:00:00Z")))).toBe("2026-03-30T07:00:00.000Z"); // Monday 09:00 CEST
  });
});

describe("DST changes inside a range", () => {
  it("opens at the jump when a range starts in the skipped hour (Warsaw, 29 March)", () => {
    const s = schedule("Europe/Warsaw", { sun: [["02:30", "10:00"]] });
    expect(iso(nextOpening(s, utc("2026-03-28T12:00:00Z")))).toBe("2026-03-29T01:00:00.000Z"); // 03:00 CEST
    expect(isOpen(s, utc("2026-03-29T00:59:00Z"))).toBe(false); // 01:59 CET
    expect(isOpen(s, utc("2026-03-29T01:00:00Z"))).toBe(true);
    expect(iso(nextClosing(s, utc("2026-03-29T01:00:00Z")))).toBe("2026-03-29T08:00:00.000Z"); // 10:00 CEST
  });

  it("skips a range that lies wholly in the skipped hour", () => {
    const s = schedule("Europe/Warsaw", { sun: [["02:00", "02:45"]] });
    expect(iso(nextOpening(s, utc("2026-03-28T12:00:00Z")))).toBe("2026-04-05T00:00:00.000Z"); // the next Sunday, 02:00 CEST
  });

  it("uses the first 02:30 of a repeated hour for both starts and ends (Warsaw, 25 October)", () => {
    const ends = schedule("Europe/Warsaw", { sun: [["01:00", "02:30"]] });
    expect(iso(nextClosing(ends, utc("2026-10-24T23:30:00Z")))).toBe("2026-10-25T00:30:00.000Z"); // first 02:30, CEST
    expect(isOpen(ends, utc("2026-10-25T01:15:00Z"))).toBe(false); // 02:15 again, CET: already closed
    const starts = schedule("Europe/Warsaw", { sun: [["02:30", "08:00"]] });
    expect(iso(nextOpening(starts, utc("2026-10-24T12:00:00Z")))).toBe("2026-10-25T00:30:00.000Z");
    expect(isOpen(starts, utc("2026-10-25T01:10:00Z"))).toBe(true); // the clock reads 02:10 again: still open
    expect(iso(nextClosing(starts, utc("2026-10-25T01:10:00Z")))).toBe("2026-10-25T07:00:00.000Z"); // 08:00 CET
  });

  it("handles New York's changes at 02:00 and 01:00", () => {
    const spring = schedule("America/New_York", { sun: [["02:15", "05:00"]] });
    expect(iso(nextOpening(spring, utc("2026-03-07T12:00:00Z")))).toBe("2026-03-08T07:00:00.000Z"); // 03:00 EDT
    const fall = schedule("America/New_York", { sun: [["00:00", "01:30"]] });
    expect(iso(nextClosing(fall, utc("2026-11-01T04:30:00Z")))).toBe("2026-11-01T05:30:00.000Z"); // 01:30 EDT
  });

  it("handles Sydney's southern-hemisphere changes (April ends DST, October starts it)", () => {
    const april = schedule("Australia/Sydney", { sun: [["02:30", "04:00"]] });
    const open = nextOpening(april, utc("2026-04-04T00:00:00Z"));
    const close = nextClosing(april, open!);
    expect(iso(open)).toBe("2026-04-04T15:30:00.000Z"); // 02:30 AEDT
    expect(iso(close)).toBe("2026-04-04T18:00:00.000Z"); // 04:00 AEST: the range lasts 2.5 hours that night
    const october = schedule("Australia/Sydney", { sun: [["02:00", "09:00"]] });
    expect(iso(nextOpening(october, utc("2026-10-03T00:00:00Z")))).toBe("2026-10-03T16:00:00.000Z"); // 03:00 AEDT
  });

  it("keeps Kolkata's half-hour offset", () => {
    const s = schedule("Asia/Kolkata", weekdays([["09:00", "18:00"]]));
    expect(iso(nextOpening(s, utc("2026-03-29T12:00:00Z")))).toBe("2026-03-30T03:30:00.000Z");
    expect(iso(nextClosing(s, utc("2026-03-30T04:00:00Z")))).toBe("2026-03-30T12:30:00.000Z");
  });
});

describe("exception dates, in the shop's zone", () => {
  it("closes on a holiday and applies special hours (Europe/Helsinki)", () => {
    const s = schedule("Europe/Helsinki", everyDay([["08:00", "20:00"]]), [
      { date: "2026-12-24", ranges: [] },
      { date: "2026-12-31", ranges: [["10:00", "14:00"]] },
    ]);
    expect(iso(nextOpening(s, utc("2026-12-23T19:00:00Z")))).toBe("2026-12-25T06:00:00.000Z"); // past the 24th
    expect(isOpen(s, utc("2026-12-24T09:00:00Z"))).toBe(false);
    expect(isOpen(s, utc("2026-12-31T07:00:00Z"))).toBe(false); // 09:00 local, special hours start at 10
    expect(iso(nextClosing(s, utc("2026-12-31T09:00:00Z")))).toBe("2026-12-31T12:00:00.000Z"); // 14:00 local
  });

  it("reads the date on the shop's calendar, not UTC's (New York, 4 July)", () => {
    const s = schedule("America/New_York", { sat: [["20:00", "23:00"]] }, [{ date: "2026-07-04", ranges: [] }]);
    // 02:00 UTC on 5 July is 22:00 on Saturday 4 July in New York: the holiday applies.
    expect(isOpen(s, utc("2026-07-05T02:00:00Z"))).toBe(false);
    expect(isOpen(s, utc("2026-07-12T02:00:00Z"))).toBe(true); // the Saturday after
  });

  it("finds an opening that only an exception far ahead gives", () => {
    const s = schedule("Europe/Warsaw", {}, [{ date: "2027-06-01", ranges: [["10:00", "11:00"]] }]);
    expect(iso(nextOpening(s, utc("2026-07-01T00:00:00Z")))).toBe("2027-06-01T08:00:00.000Z");
    expect(nextOpening(s, utc("2027-06-01T09:00:00Z"))).toBeNull(); // after it, never again
  });
});

describe("ranges past midnight (two ranges that touch at 24:00)", () => {
  const s = schedule("Europe/Warsaw", { fri: [["22:00", "24:00"]], sat: [["00:00", "02:00"]] });

  it("is one opening: nothing closes at midnight", () => {
    expect(isOpen(s, utc("2026-03-06T23:30:00Z"))).toBe(true); // Saturday 00:30
    expect(iso(nextClosing(s, utc("2026-03-06T22:00:00Z")))).toBe("2026-03-07T01:00:00.000Z"); // Saturday 02:00
    expect(iso(nextOpening(s, utc("2026-03-06T22:30:00Z")))).toBe("2026-03-13T21:00:00.000Z"); // not Saturday 00:00
  });
});

describe("schedules that never open or never close", () => {
  it("never opens without ranges; mode operators ignores the hours", () => {
    const none = schedule("UTC", {});
    expect(isOpen(none, utc("2026-01-01T00:00:00Z"))).toBe(false);
    expect(nextOpening(none, utc("2026-01-01T00:00:00Z"))).toBeNull();
    expect(nextClosing(none, utc("2026-01-01T00:00:00Z"))).toBeNull();
    expect(isOpen(DEFAULT_BUSINESS_HOURS, 0)).toBe(true);
    expect(nextOpening(DEFAULT_BUSINESS_HOURS, 0)).toBeNull();
  });

  it("never closes around the clock, until an exception closes it", () => {
    const always = schedule(
      "Australia/Sydney",
      everyDay([
        ["00:00", "12:00"],
        ["12:00", "24:00"],
      ]),
    );
    expect(isOpen(always, utc("2026-04-04T16:30:00Z"))).toBe(true); // inside the repeated hour
    expect(nextClosing(always, utc("2026-04-04T16:30:00Z"))).toBeNull();
    const holiday = schedule("Australia/Sydney", everyDay([["00:00", "24:00"]]), [{ date: "2026-12-25", ranges: [] }]);
    expect(iso(nextClosing(holiday, utc("2026-12-01T00:00:00Z")))).toBe("2026-12-24T13:00:00.000Z"); // midnight AEDT
    expect(iso(nextOpening(holiday, utc("2026-12-01T00:00:00Z")))).toBe("2026-12-25T13:00:00.000Z");
  });
});

describe("the three functions agree (property, 5 zones)", () => {
  const zones = ["Europe/Warsaw", "Europe/Helsinki", "America/New_York", "Asia/Kolkata", "Australia/Sydney"];
  const time = fc.integer({ min: 0, max: 95 }).map((q) => `${String(q >> 2).padStart(2, "0")}:${String((q & 3) * 15).padStart(2, "0")}`);
  const range = fc.tuple(time, time).filter(([a, b]) => a < b);
  const day = fc.array(range, { maxLength: 2 }).filter((rs) => rs.length < 2 || rs[0]![1] <= rs[1]![0]);
  const week = fc.record({ mon: day, tue: day, wed: day, thu: day, fri: day, sat: day, sun: day });
  // Around the 2026 DST changes of every zone above, and ordinary weeks.
  const instant = fc.integer({ min: utc("2026-03-01T00:00:00Z"), max: utc("2026-11-08T00:00:00Z") });

  it("opening and closing instants are where isOpen changes", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), week, instant, (tz, w, at) => {
        const s = schedule(tz, w);
        const open = isOpen(s, at);
        const opening = nextOpening(s, at);
        const closing = nextClosing(s, at);
        if (opening !== null) {
          expect(isOpen(s, opening)).toBe(true);
          expect(isOpen(s, opening - 1)).toBe(false);
        }
        if (closing !== null) {
          expect(isOpen(s, closing)).toBe(false);
          expect(isOpen(s, closing - 1)).toBe(true);
        }
        if (!open && opening !== null) expect(closing! > opening).toBe(true);
        if (open && closing !== null && opening !== null) expect(opening > closing).toBe(true);
        const empty = Object.values(w).every((rs) => rs.length === 0);
        expect(opening === null).toBe(empty);
      }),
      { numRuns: 300 },
    );
  });
});

describe("schedule validation", () => {
  const base = { timeZone: "Europe/Warsaw", mode: "hours", exceptions: [] };
  const week = (mon: unknown) => ({ mon, tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
  const error = (input: unknown) => {
    const r = v.safeParse(BusinessHours, input);
    return r.success ? null : r.issues[0]!.message;
  };

  it("accepts touching ranges and stores the zone's canonical name", () => {
    const r = v.parse(BusinessHours, {
      ...base,
      timeZone: "europe/warsaw",
      weekly: week([
        { start: "12:00", end: "17:00" },
        { start: "09:00", end: "12:00" },
      ]),
    });
    expect(r.timeZone).toBe("Europe/Warsaw");
  });

  it("rejects overlaps, backwards or empty ranges, too many ranges, and bad times", () => {
    expect(
      error({
        ...base,
        weekly: week([
          { start: "09:00", end: "13:00" },
          { start: "12:00", end: "17:00" },
        ]),
      }),
    ).toMatch(/overlap/);
    expect(error({ ...base, weekly: week([{ start: "17:00", end: "09:00" }]) })).toMatch(/two ranges/);
    expect(error({ ...base, weekly: week([{ start: "09:00", end: "09:00" }]) })).toMatch(/ends after/);
    expect(error({ ...base, weekly: week([{ start: "24:00", end: "24:00" }]) })).toMatch(/24:00/);
    expect(error({ ...base, weekly: week([{ start: "9:00", end: "17:00" }]) })).toMatch(/09:00/);
    expect(error({ ...base, weekly: week([{ start: "09:00", end: "24:01" }]) })).toMatch(/17:00/);
    const five = ["00", "02", "04", "06", "08"].map((h) => ({ start: `${h}:00`, end: `${h}:30` }));
    expect(error({ ...base, weekly: week(five) })).toMatch(/at most 4/);
  });

  it("rejects unknown zones, impossible or repeated dates, unknown modes", () => {
    const w = week([]);
    expect(error({ ...base, weekly: w, timeZone: "Europe/Atlantis" })).toMatch(/IANA/);
    expect(error({ ...base, weekly: w, exceptions: [{ date: "2026-02-30", ranges: [] }] })).toMatch(/no such date/);
    expect(
      error({
        ...base,
        weekly: w,
        exceptions: [
          { date: "2026-12-24", ranges: [] },
          { date: "2026-12-24", ranges: [] },
        ],
      }),
    ).toMatch(/once/);
    expect(error({ ...base, weekly: w, mode: "always" })).not.toBeNull();
  });
});
