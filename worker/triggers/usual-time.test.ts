import { describe, expect, it } from "vitest";
import { addDuration, emptyHistogram } from "../reports/duration-histogram";
import { usualTimeOnPage } from "./usual-time";

const seconds = (...s: number[]) => s.map((x) => x * 1000);
const repeat = (n: number, ms: number) => Array.from({ length: n }, () => ms);

describe("usualTimeOnPage", () => {
  it("gives each page its p75 in whole seconds, and the site's under *", () => {
    // 20 views of /cart: 1..20 s. p75 (type 7) = value at rank 0.75·19 = 14.25 → 15 + 0.25·(16 − 15) = 15.25 s → 15.
    const cart = seconds(...Array.from({ length: 20 }, (_, i) => i + 1));
    // 20 views of /: all 3 s.
    const usual = usualTimeOnPage([
      { key: "/cart", durations: cart },
      { key: "/", durations: repeat(20, 3000) },
    ]);
    expect(usual["/cart"]).toBe(15);
    expect(usual["/"]).toBe(3);
    // All 40 sorted: 1, 2, twenty-one 3s (indices 2–22), then 4 … 20 (index 23 is 4, so index k ≥ 23
    // holds k − 19). Rank 0.75·39 = 29.25 lies between 10 s and 11 s → 10.25 s, read from the
    // histogram within 1% (10.15–10.35 s) → 10.
    expect(usual["*"]).toBe(10);
  });

  it("ships no page with fewer than 20 timed views, but counts them for the site", () => {
    const usual = usualTimeOnPage([
      { key: "/rare", durations: repeat(19, 60_000) },
      { key: "/", durations: repeat(1, 60_000) },
    ]);
    expect(usual).toEqual({ "*": 60 });
    expect(usualTimeOnPage([{ key: "/rare", durations: repeat(19, 60_000) }])).toEqual({});
  });

  it("keeps the 100 most viewed pages, ties by key", () => {
    const pages = Array.from({ length: 130 }, (_, i) => ({
      key: `/p/${String(i).padStart(3, "0")}`,
      durations: repeat(20 + (i % 7), 10_000),
    }));
    const usual = usualTimeOnPage(pages);
    const kept = Object.keys(usual).filter((k) => k !== "*");
    expect(kept).toHaveLength(100);
    const expected = pages
      .map((p) => [p.key, p.durations.length] as const)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 100)
      .map(([k]) => k)
      .sort();
    expect(kept.sort()).toEqual(expected);
    expect(Object.keys(usualTimeOnPage(pages, { maxPages: 3 }))).toHaveLength(4);
  });

  it("reads histograms (the shards' daily rollups) within 1% of the exact answer, merging days of one page", () => {
    const days = [emptyHistogram(), emptyHistogram()];
    const all: number[] = [];
    for (let i = 0; i < 400; i++) {
      const ms = 2_000 + ((i * 7919) % 120_000);
      addDuration(days[i % 2]!, ms);
      all.push(ms);
    }
    const fromHistograms = usualTimeOnPage(days.map((histogram) => ({ key: "/p", histogram })));
    const exact = usualTimeOnPage([{ key: "/p", durations: all }]);
    expect(Math.abs(fromHistograms["/p"]! - exact["/p"]!)).toBeLessThanOrEqual(Math.ceil(exact["/p"]! * 0.01));
    console.log(`p75 of 400 views: exact ${exact["/p"]} s, from two daily histograms ${fromHistograms["/p"]} s`);
  });

  it("refuses what is not a duration rather than shipping a wrong usual time", () => {
    expect(() => usualTimeOnPage([{ key: "/", durations: [Number.NaN] }])).toThrow(RangeError);
    expect(() => usualTimeOnPage([{ key: "/", durations: [-1] }])).toThrow(RangeError);
  });
});
