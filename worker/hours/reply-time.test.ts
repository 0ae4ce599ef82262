import { describe, expect, it } from "vitest";
import { MIN_REPLY_SAMPLES, REPLY_TIME_WINDOW_MS, typicalReplyTime } from "./reply-time";

const now = Date.UTC(2026, 2, 10, 12);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const recent = (...waits: number[]) => waits.map((waitedMs, i) => ({ at: now - (i + 1) * H, waitedMs }));

describe("typicalReplyTime", () => {
  it("needs MIN_REPLY_SAMPLES answers inside the last 7 days", () => {
    expect(MIN_REPLY_SAMPLES).toBe(5);
    expect(typicalReplyTime(recent(30 * S, 30 * S, 30 * S, 30 * S), now)).toBeNull();
    expect(typicalReplyTime(recent(30 * S, 30 * S, 30 * S, 30 * S, 30 * S), now)).toEqual({ unit: "underMinute" });
    const old = { at: now - REPLY_TIME_WINDOW_MS, waitedMs: 30 * S }; // exactly 7 days ago: outside
    const future = { at: now + H, waitedMs: 30 * S };
    expect(typicalReplyTime([...recent(30 * S, 30 * S, 30 * S, 30 * S), old, future], now)).toBeNull();
  });

  it("takes the median, so one slow night does not move it", () => {
    expect(typicalReplyTime(recent(90 * S, 100 * S, 110 * S, 115 * S, 10 * H), now)).toEqual({ unit: "minutes", value: 2 });
    // Even count: the mean of the middle two (2 min and 4 min → 3 min).
    expect(typicalReplyTime(recent(1 * M, 2 * M, 4 * M, 5 * M, 6 * M, 1 * M), now)).toEqual({ unit: "minutes", value: 3 });
  });

  it("rounds up to a friendly step, never promising faster than measured", () => {
    const five = (w: number) => typicalReplyTime(recent(w, w, w, w, w), now);
    expect(five(59 * S)).toEqual({ unit: "underMinute" });
    expect(five(60 * S)).toEqual({ unit: "minutes", value: 1 });
    expect(five(61 * S)).toEqual({ unit: "minutes", value: 2 });
    expect(five(4 * M + 10 * S)).toEqual({ unit: "minutes", value: 5 });
    expect(five(7 * M)).toEqual({ unit: "minutes", value: 10 });
    expect(five(44 * M)).toEqual({ unit: "minutes", value: 45 });
    expect(five(50 * M)).toEqual({ unit: "hours", value: 1 });
    expect(five(5 * H)).toEqual({ unit: "hours", value: 6 });
    expect(five(24 * H)).toEqual({ unit: "hours", value: 24 });
    expect(five(25 * H)).toBeNull();
  });

  it("ignores nonsense durations", () => {
    expect(typicalReplyTime(recent(-5, Number.NaN, 30 * S, 30 * S, 30 * S, 30 * S), now)).toBeNull();
  });
});
