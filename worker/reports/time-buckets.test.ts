import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, HOURS_OF_WEEK, isTimeZone, ZoneClock } from "./time-buckets";

// Expected local times and day boundaries were read from Python's zoneinfo (tzdata 2025),
// independently of Intl: datetime.fromisoformat(utc).astimezone(ZoneInfo(zone)).
const at = (iso: string) => Date.parse(iso);
const SUNDAY = 6;
const bucket = (weekday: number, hour: number) => weekday * 24 + hour;
const hoursLong = (clock: ZoneClock, key: string) => {
  const d = clock.day(key);
  return (d.end - d.start) / 3_600_000;
};

describe("ZoneClock across DST changes", () => {
  it("Europe/Warsaw: 02:00–03:00 is skipped on 29 March 2026 and repeated on 25 October", () => {
    const warsaw = new ZoneClock("Europe/Warsaw");
    expect(warsaw.local(at("2026-03-29T00:59:59Z"))).toMatchObject({ day: 29, hour: 1, minute: 59, weekday: SUNDAY });
    expect(warsaw.local(at("2026-03-29T01:00:00Z"))).toMatchObject({ day: 29, hour: 3, minute: 0 });
    // Fall back: 00:30Z and 01:30Z are both 02:30 local, in the same bucket.
    expect(warsaw.hourOfWeek(at("2026-10-25T00:30:00Z"))).toBe(bucket(SUNDAY, 2));
    expect(warsaw.hourOfWeek(at("2026-10-25T01:30:00Z"))).toBe(bucket(SUNDAY, 2));
    expect(warsaw.hourOfWeek(at("2026-10-25T02:00:00Z"))).toBe(bucket(SUNDAY, 3));
    expect(warsaw.day("2026-03-29")).toEqual({ key: "2026-03-29", start: at("2026-03-28T23:00:00Z"), end: at("2026-03-29T22:00:00Z") });
    expect(warsaw.day("2026-10-25")).toEqual({ key: "2026-10-25", start: at("2026-10-24T22:00:00Z"), end: at("2026-10-25T23:00:00Z") });
    expect([hoursLong(warsaw, "2026-03-29"), hoursLong(warsaw, "2026-03-30"), hoursLong(warsaw, "2026-10-25")]).toEqual([23, 24, 25]);
  });

  it("Europe/Helsinki: the same instants move 03:00 to 04:00, and repeat 03:00", () => {
    const helsinki = new ZoneClock("Europe/Helsinki");
    expect(helsinki.local(at("2026-03-29T00:59:59Z"))).toMatchObject({ hour: 2, minute: 59 });
    expect(helsinki.local(at("2026-03-29T01:00:00Z"))).toMatchObject({ hour: 4, minute: 0 });
    expect(helsinki.hourOfWeek(at("2026-10-25T00:30:00Z"))).toBe(bucket(SUNDAY, 3));
    expect(helsinki.hourOfWeek(at("2026-10-25T01:30:00Z"))).toBe(bucket(SUNDAY, 3));
    expect(helsinki.dayStart("2026-03-29")).toBe(at("2026-03-28T22:00:00Z"));
    expect([hoursLong(helsinki, "2026-03-29"), hoursLong(helsinki, "2026-10-25")]).toEqual([23, 25]);
  });

  it("America/New_York: 2:00 jumps to 3:00 on 8 March 2026, 1:00 repeats on 1 November", () => {
    const newYork = new ZoneClock("America/New_York");
    expect(newYork.local(at("2026-03-08T06:59:59Z"))).toMatchObject({ day: 8, hour: 1, minute: 59, weekday: SUNDAY });
    expect(newYork.local(at("2026-03-08T07:00:00Z"))).toMatchObject({ day: 8, hour: 3, minute: 0 });
    expect(newYork.hourOfWeek(at("2026-11-01T05:30:00Z"))).toBe(bucket(SUNDAY, 1));
    expect(newYork.hourOfWeek(at("2026-11-01T06:30:00Z"))).toBe(bucket(SUNDAY, 1));
    expect(newYork.dayStart("2026-03-08")).toBe(at("2026-03-08T05:00:00Z"));
    expect(newYork.dayStart("2026-11-02")).toBe(at("2026-11-02T05:00:00Z"));
    expect([hoursLong(newYork, "2026-03-08"), hoursLong(newYork, "2026-11-01")]).toEqual([23, 25]);
  });

  it("Australia/Sydney: summer time ends in April and starts in October", () => {
    const sydney = new ZoneClock("Australia/Sydney");
    // 5 April 2026: 03:00 AEDT becomes 02:00 AEST, so 02:30 happens twice.
    expect(sydney.local(at("2026-04-04T15:30:00Z"))).toMatchObject({ month: 4, day: 5, hour: 2, minute: 30, weekday: SUNDAY });
    expect(sydney.local(at("2026-04-04T16:30:00Z"))).toMatchObject({ month: 4, day: 5, hour: 2, minute: 30 });
    // 4 October 2026: 02:00 AEST becomes 03:00 AEDT.
    expect(sydney.local(at("2026-10-03T15:59:59Z"))).toMatchObject({ day: 4, hour: 1, minute: 59 });
    expect(sydney.local(at("2026-10-03T16:00:00Z"))).toMatchObject({ day: 4, hour: 3, minute: 0 });
    expect(sydney.day("2026-04-05")).toEqual({ key: "2026-04-05", start: at("2026-04-04T13:00:00Z"), end: at("2026-04-05T14:00:00Z") });
    expect(sydney.day("2026-10-04")).toEqual({ key: "2026-10-04", start: at("2026-10-03T14:00:00Z"), end: at("2026-10-04T13:00:00Z") });
  });

  it("starts a day at 01:00 where midnight itself is skipped (America/Havana, 8 March 2026)", () => {
    const havana = new ZoneClock("America/Havana");
    expect(havana.local(at("2026-03-08T04:59:59Z"))).toMatchObject({ day: 7, hour: 23, minute: 59 });
    expect(havana.dayStart("2026-03-08")).toBe(at("2026-03-08T05:00:00Z"));
    expect(havana.local(at("2026-03-08T05:00:00Z"))).toMatchObject({ day: 8, hour: 1, minute: 0 });
    expect(hoursLong(havana, "2026-03-08")).toBe(23);
  });

  it("keeps half- and quarter-hour zones in their hour", () => {
    const now = at("2026-05-04T10:00:00Z"); // Monday
    expect(new ZoneClock("Asia/Kolkata").local(now)).toMatchObject({ hour: 15, minute: 30, weekday: 0 });
    expect(new ZoneClock("Asia/Kathmandu").local(now)).toMatchObject({ hour: 15, minute: 45, weekday: 0 });
    expect(new ZoneClock("UTC").hourOfWeek(at("2026-05-04T00:00:00Z"))).toBe(0);
    expect(new ZoneClock("UTC").hourOfWeek(at("2026-05-10T23:59:59Z"))).toBe(HOURS_OF_WEEK - 1);
  });

  it("agrees with Intl itself for any instant, cache or not (5,000 random instants 2000–2040)", () => {
    const zones = ["Europe/Warsaw", "Europe/Helsinki", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "America/St_Johns"];
    const clocks = zones.map((z) => new ZoneClock(z));
    const formats = zones.map(
      (timeZone) =>
        new Intl.DateTimeFormat("en-US", {
          timeZone,
          hourCycle: "h23",
          year: "numeric",
          month: "numeric",
          day: "numeric",
          hour: "numeric",
          minute: "numeric",
          weekday: "short",
        }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: zones.length - 1 }),
        fc.integer({ min: at("2000-01-01T00:00:00Z"), max: at("2040-01-01T00:00:00Z") }),
        (z, instant) => {
          const parts = Object.fromEntries(formats[z]!.formatToParts(instant).map((p) => [p.type, p.value]));
          expect(clocks[z]!.local(instant)).toMatchObject({
            year: Number(parts.year),
            month: Number(parts.month),
            day: Number(parts.day),
            hour: Number(parts.hour),
            minute: Number(parts.minute),
            weekday: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].indexOf(parts.weekday!),
          });
          expect(clocks[z]!.hourOfWeek(instant)).toBe(clocks[z]!.local(instant).weekday * 24 + Number(parts.hour));
        },
      ),
      { numRuns: 5000 },
    );
    // And every minute of the three hours on either side of each change tested above.
    const changes: [string, string][] = [
      ["Europe/Warsaw", "2026-03-29T01:00:00Z"],
      ["Europe/Warsaw", "2026-10-25T01:00:00Z"],
      ["America/New_York", "2026-03-08T07:00:00Z"],
      ["America/New_York", "2026-11-01T06:00:00Z"],
      ["Australia/Sydney", "2026-04-04T16:00:00Z"],
      ["Australia/Sydney", "2026-10-03T16:00:00Z"],
    ];
    for (const [timeZone, change] of changes) {
      const clock = new ZoneClock(timeZone);
      const format = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", hour: "numeric", minute: "numeric" });
      for (let t = at(change) - 3 * 3_600_000; t <= at(change) + 3 * 3_600_000; t += 60_000) {
        const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, p.value]));
        expect([clock.local(t).hour, clock.local(t).minute]).toEqual([Number(parts.hour), Number(parts.minute)]);
      }
    }
  });
});

describe("day ranges and exposure", () => {
  const warsaw = new ZoneClock("Europe/Warsaw");
  const monday = at("2026-03-30T10:00:00Z");

  it("gives the last N local days, with today or ending yesterday", () => {
    expect(warsaw.lastDays(3, monday).map((d) => d.key)).toEqual(["2026-03-28", "2026-03-29", "2026-03-30"]);
    expect(warsaw.lastDays(3, monday, { includeToday: false }).map((d) => d.key)).toEqual(["2026-03-27", "2026-03-28", "2026-03-29"]);
    // Late evening UTC is already tomorrow in Warsaw.
    expect(warsaw.lastDays(1, at("2026-03-30T22:30:00Z"))[0]!.key).toBe("2026-03-31");
    const days = warsaw.lastDays(7, monday);
    for (let i = 1; i < days.length; i++) expect(days[i]!.start).toBe(days[i - 1]!.end);
    expect(() => warsaw.lastDays(0, monday)).toThrow(RangeError);
  });

  it("counts the real hours of each weekday × hour over four weeks across spring forward", () => {
    // 28 complete days to Monday 30 March: 2–29 March, every weekday four times; the Sunday
    // 02:00 hour existed only three times.
    const hours = warsaw.hoursOfWeek(warsaw.lastDays(28, monday, { includeToday: false }));
    expect(hours[bucket(SUNDAY, 2)]).toBe(3);
    expect(hours.filter((h) => h === 4)).toHaveLength(HOURS_OF_WEEK - 1);
    expect(hours.reduce((a, b) => a + b, 0)).toBe(28 * 24 - 1);
  });

  it("counts the repeated hour twice on the day clocks fall back", () => {
    const hours = warsaw.hoursOfWeek([warsaw.day("2026-10-25")]);
    expect(hours[bucket(SUNDAY, 2)]).toBe(2);
    expect(hours[bucket(SUNDAY, 3)]).toBe(1);
    expect(hours.reduce((a, b) => a + b, 0)).toBe(25);
  });

  it("does calendar arithmetic on keys and refuses what is not a zone or a day", () => {
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(() => addDays("2026-02-30", 1)).toThrow(RangeError);
    expect(() => warsaw.dayStart("30.03.2026")).toThrow(RangeError);
    expect(isTimeZone("Europe/Warsaw")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(isTimeZone("")).toBe(false);
    expect(() => new ZoneClock("Mars/Olympus_Mons")).toThrow(RangeError);
  });
});
