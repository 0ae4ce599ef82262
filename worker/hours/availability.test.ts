import { describe, expect, it } from "vitest";
import { DEFAULT_BUSINESS_HOURS } from "../../protocol/hours";
import { availability } from "./availability";
import { schedule, utc } from "./test-schedule";

const shop = schedule("Europe/Warsaw", { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]] });
const mondayNoon = utc("2026-03-02T11:00:00Z");
const mondayNight = utc("2026-03-02T20:00:00Z");

describe("availability", () => {
  it("is online inside the hours with an operator online, away with only away ones or nobody", () => {
    expect(availability({ schedule: shop, operatorsOnline: 1, operatorsAway: 0, at: mondayNoon })).toEqual({ state: "online" });
    expect(availability({ schedule: shop, operatorsOnline: 0, operatorsAway: 2, at: mondayNoon })).toEqual({ state: "away" });
    expect(availability({ schedule: shop, operatorsOnline: 0, operatorsAway: 0, at: mondayNoon })).toEqual({ state: "away" });
  });

  it("is closed outside the hours even with an operator online, and says when it reopens", () => {
    expect(availability({ schedule: shop, operatorsOnline: 3, operatorsAway: 0, at: mondayNight })).toEqual({
      state: "closed",
      reopensAt: utc("2026-03-03T08:00:00Z"), // Tuesday 09:00 CET
    });
  });

  it("follows operators alone in mode operators, with no reopening time", () => {
    const m = DEFAULT_BUSINESS_HOURS;
    expect(availability({ schedule: m, operatorsOnline: 1, operatorsAway: 0, at: mondayNight })).toEqual({ state: "online" });
    expect(availability({ schedule: m, operatorsOnline: 0, operatorsAway: 1, at: mondayNight })).toEqual({ state: "away" });
    expect(availability({ schedule: m, operatorsOnline: 0, operatorsAway: 0, at: mondayNight })).toEqual({
      state: "closed",
      reopensAt: null,
    });
  });

  it("is closed for good when the hours never open again", () => {
    const none = schedule("Europe/Warsaw", {});
    expect(availability({ schedule: none, operatorsOnline: 1, operatorsAway: 0, at: mondayNoon })).toEqual({
      state: "closed",
      reopensAt: null,
    });
  });
});
