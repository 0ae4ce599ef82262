import { describe, expect, it } from "vitest";
import { averageSpeedOfAnswer, erlangB, erlangC, seatsNeeded, serviceLevel, staffing, staffingVerdict } from "./erlang-c";

/** The traffic (erlangs) at which `f` reaches `target`, by bisection (f rises with traffic). */
function trafficAt(f: (traffic: number) => number, target: number, hi: number): number {
  let lo = 0;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < target) lo = mid;
    else hi = mid;
  }
  return lo;
}

describe("Erlang B against published tables", () => {
  it("matches the Erlang B table of Collins, Carrier Grade Voice over IP (2nd ed.), appendix A", () => {
    // https://www.globalspec.com/reference/55139/203279/appendix-a-table-of-erlang-b — erlangs
    // carried at a blocking probability, to one decimal: 5 channels: 1% 1.4, 2% 1.7, 5% 2.2;
    // 9 channels: 1% 3.8, 5% 5.4.
    const rows: [servers: number, blocking: number, erlangs: number][] = [
      [5, 0.01, 1.4],
      [5, 0.02, 1.7],
      [5, 0.05, 2.2],
      [9, 0.01, 3.8],
      [9, 0.05, 5.4],
    ];
    for (const [servers, blocking, erlangs] of rows) {
      expect(trafficAt((a) => erlangB(a, servers), blocking, servers)).toBeCloseTo(erlangs, 1);
    }
  });

  it("matches Westbay's Erlang B calculator examples (erlang.com)", () => {
    // https://erlang.com/calculatormanual/howmuchtrafficcanatrunkgrouphandle.htm: 15 lines at 1%
    // blocking carry at most 8.108 erlangs.
    expect(trafficAt((a) => erlangB(a, 15), 0.01, 15)).toBeCloseTo(8.108, 3);
    // erlang.com forum, "Trunk Engineering": 1,200 calls an hour of 100 s (33.333 E) at 1% → 45 lines.
    expect(erlangB(100 / 3, 45)).toBeLessThanOrEqual(0.01);
    expect(erlangB(100 / 3, 44)).toBeGreaterThan(0.01);
  });

  it("keeps the edge cases", () => {
    expect(erlangB(1, 1)).toBe(0.5);
    expect(erlangB(0, 5)).toBe(0);
    expect(erlangB(4, 0)).toBe(1);
  });
});

describe("Erlang C", () => {
  it("matches the published Erlang C calculator example (Vicente Ruiz, Erlang calculators)", () => {
    // http://personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm: 600 calls an hour of 120 s
    // = 20 erlangs. For at most 15% delayed, 26 circuits; average delay about 3 s a call; 30
    // circuits cut the delay probability to 2.5%; 30 circuits at 15% carry 23.6 erlangs.
    expect(((600 / 3600) * 120).toFixed(6)).toBe("20.000000");
    expect(erlangC(20, 26)).toBeLessThanOrEqual(0.15);
    expect(erlangC(20, 25)).toBeGreaterThan(0.15);
    expect(Math.round(averageSpeedOfAnswer(20, 26, 120))).toBe(3);
    expect(erlangC(20, 30)).toBeCloseTo(0.025, 3);
    expect(trafficAt((a) => erlangC(a, 30), 0.15, 29.999)).toBeCloseTo(23.6, 1);
  });

  it("matches exact rational arithmetic (Python fractions over Aᵏ/k!) to 12 digits", () => {
    // The textbook formula C = (Aᴺ/N!·N/(N−A)) / (Σₖ₌₀ᴺ⁻¹ Aᵏ/k! + Aᴺ/N!·N/(N−A)) evaluated exactly
    // with fractions.Fraction, then as a double; SL and ASA from it with math.exp. 360 chats per
    // half hour of 240 s is the classic 48 E example.
    expect(erlangC(48, 55)).toBeCloseTo(0.2387009363780092, 12);
    expect(serviceLevel(48, 55, 240, 20)).toBeCloseTo(0.8667964881728509, 12);
    expect(averageSpeedOfAnswer(48, 55, 240)).toBeCloseTo(8.184032104388887, 10);
    expect(erlangC(5, 8)).toBeCloseTo(0.1672665066617566, 12);
  });

  it("stays finite and exact for hundreds of seats, where Aᴺ/N! overflows a double", () => {
    // 450^480 and 480! are both far beyond 1.8e308. Exact values from Python fractions.
    expect(erlangC(450, 480)).toBeCloseTo(0.10669052625378084, 12);
    expect(erlangC(450.5, 500)).toBeCloseTo(0.01303105064074197, 12);
    expect(Number.isFinite(serviceLevel(900, 950, 300, 20))).toBe(true);
  });

  it("treats N ≤ A as an unbounded queue, and no traffic as no wait", () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(serviceLevel(10, 9, 300, 20)).toBe(0);
    expect(averageSpeedOfAnswer(10, 10, 300)).toBe(Number.POSITIVE_INFINITY);
    expect(erlangC(0, 0)).toBe(0);
    expect(serviceLevel(0, 0, 300, 20)).toBe(1);
    expect(averageSpeedOfAnswer(0, 3, 300)).toBe(0);
  });

  it("refuses inputs that have no meaning", () => {
    expect(() => erlangC(-1, 3)).toThrow(RangeError);
    expect(() => erlangC(2, 2.5)).toThrow(RangeError);
    expect(() => serviceLevel(2, 3, 0, 20)).toThrow(RangeError);
    expect(() => seatsNeeded(2, 300, { share: 1, withinSeconds: 20 })).toThrow(RangeError);
    expect(() => seatsNeeded(Number.NaN, 300)).toThrow(RangeError);
  });
});

describe("seatsNeeded", () => {
  it("finds the fewest seats for 80% in 20 s", () => {
    // Exact SL for 48 E, AHT 240 s, 20 s: 53 seats 75.18%, 54 seats 81.72% → 54.
    expect(seatsNeeded(48, 240)).toBe(54);
    expect(serviceLevel(48, 53, 240, 20)).toBeCloseTo(0.7517682451743329, 12);
    // Telefonica's 20 E at 120 s: the same search, checked against its neighbours.
    const n = seatsNeeded(20, 120);
    expect(serviceLevel(20, n, 120, 20)).toBeGreaterThanOrEqual(0.8);
    expect(serviceLevel(20, n - 1, 120, 20)).toBeLessThan(0.8);
  });

  it("needs more seats for a stricter target and none without traffic", () => {
    expect(seatsNeeded(48, 240, { share: 0.9, withinSeconds: 20 })).toBe(56); // 56 seats: 90.39%
    expect(seatsNeeded(48, 240, { share: 0.8, withinSeconds: 0 })).toBeGreaterThan(54);
    expect(seatsNeeded(0, 240)).toBe(0);
    expect(seatsNeeded(0.01, 240)).toBe(1);
  });
});

describe("staffing", () => {
  it("turns seats into operators by their concurrency", () => {
    // 120 chats over four Mondays 10:00–11:00 (4 × 3600 s), 600 s each: λ = 1/120 per s, A = 5 E.
    // 8 seats reach 84.87% in 20 s (7 seats: 69.68%); at 3 chats each that is ⌈8/3⌉ = 3 operators,
    // whose 9 seats give 92.95%, a 12.08 s mean wait and an 8.05% chance to wait (exact values).
    const advice = staffing({ arrivals: 120, periodSeconds: 4 * 3600, meanHandlingSeconds: 600, concurrency: 3 });
    expect(advice.traffic).toBeCloseTo(5, 12);
    expect(advice.seats).toBe(8);
    expect(advice.operators).toBe(3);
    expect(advice.serviceLevel).toBeCloseTo(0.9295394946905627, 10);
    expect(advice.averageSpeedOfAnswer).toBeCloseTo(12.07655165718886, 8);
    expect(advice.probabilityOfWaiting).toBeCloseTo(0.08051034438125906, 10);
    // One chat at a time needs a person per seat.
    expect(staffing({ arrivals: 120, periodSeconds: 4 * 3600, meanHandlingSeconds: 600, concurrency: 1 }).operators).toBe(8);
  });

  it("asks for nobody in an hour without chats", () => {
    expect(staffing({ arrivals: 0, periodSeconds: 3 * 3600, meanHandlingSeconds: 600, concurrency: 5 })).toEqual({
      traffic: 0,
      seats: 0,
      operators: 0,
      serviceLevel: 1,
      averageSpeedOfAnswer: 0,
      probabilityOfWaiting: 0,
    });
    expect(() => staffing({ arrivals: 3, periodSeconds: 3600, meanHandlingSeconds: 600, concurrency: 0 })).toThrow(RangeError);
  });

  it("marks under- and over-staffed hours", () => {
    expect(staffingVerdict(3, 2.5)).toBe("under");
    expect(staffingVerdict(3, 3)).toBe("ok");
    expect(staffingVerdict(3, 3.9)).toBe("ok");
    expect(staffingVerdict(3, 4)).toBe("over");
    expect(staffingVerdict(0, 0)).toBe("ok");
  });
});
