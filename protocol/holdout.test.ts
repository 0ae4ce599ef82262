import { describe, expect, it } from "vitest";
import { holdoutPoint, inHoldout } from "./holdout";

// FNV-1a 32 + murmur3's fmix32 written again with BigInt, from the published definitions
// (FNV: offset basis 2166136261, prime 16777619; fmix32: >>16, ×0x85ebca6b, >>13, ×0xc2b2ae35, >>16),
// so the Math.imul version is checked against the maths rather than against itself.
function reference(visitorId: string, triggerId: string, salt: string): number {
  const m = 2n ** 32n;
  const s = `${salt}\n${triggerId}\n${visitorId}`;
  let h = 2166136261n;
  for (let i = 0; i < s.length; i++) h = ((h ^ BigInt(s.charCodeAt(i))) * 16777619n) % m;
  h = ((h ^ (h >> 16n)) * 0x85ebca6bn) % m;
  h = ((h ^ (h >> 13n)) * 0xc2b2ae35n) % m;
  h ^= h >> 16n;
  return Number(h) / 2 ** 32;
}

const sequentialIds = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
// The shape of Gadka's visitor ids (random url-safe base64), from a fixed seed so the test is stable.
const randomIds = (() => {
  let x = 0x9e3779b9;
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
  return Array.from({ length: 10_000 }, () => {
    let id = "v_";
    for (let i = 0; i < 21; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      id += abc[(x >>> 0) % 64];
    }
    return id;
  });
})();

describe("holdoutPoint", () => {
  it("is FNV-1a followed by murmur3's finaliser, over salt, trigger and visitor", () => {
    for (const id of [...sequentialIds.slice(0, 500), ...randomIds.slice(0, 500), "", "Zażółć 😀"]) {
      expect(holdoutPoint(id, "trg_1", "salt")).toBe(reference(id, "trg_1", "salt"));
    }
  });

  it("is stable: the same visitor, trigger and salt always get the same point (the browser and the Worker agree)", () => {
    // Pinned values: changing the function would move every visitor between groups mid-test and
    // make old cached chunks disagree with the Worker.
    expect(holdoutPoint("v_abc", "t_1", "s1")).toBe(0.9621899831108749);
    expect(holdoutPoint("v_abc", "t_2", "s1")).toBe(0.5195670912507921);
    expect(holdoutPoint("v_abc", "t_1", "s2")).toBe(0.8387943827547133);
    expect(holdoutPoint("Zażółć", "t", "s")).toBe(0.202780831605196);
    for (const id of randomIds.slice(0, 100)) expect(holdoutPoint(id, "t_1", "s1")).toBe(holdoutPoint(id, "t_1", "s1"));
  });

  it("stays in [0, 1)", () => {
    const points = randomIds.map((id) => holdoutPoint(id, "t", "s"));
    expect(Math.min(...points)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...points)).toBeLessThan(1);
  });
});

describe("inHoldout over 10,000 visitors", () => {
  // Tolerance: a 10% share of 10,000 is Binomial(10,000, 0.1): sd = √(10,000·0.1·0.9) = 30, so
  // 1,000 ± 100 is ±3.3 sd. Twenty triggers each, two id shapes (sequential ids are where plain
  // FNV-1a fails: its worst of 50 triggers was 243 off, and χ² over 20 bins was 146).
  it.each([
    { shape: "sequential ids", ids: sequentialIds },
    { shape: "random ids", ids: randomIds },
  ])("holds out 10% ± 1 point of $shape, for each of 20 triggers", ({ shape, ids }) => {
    const counts = Array.from({ length: 20 }, (_, t) => ids.filter((id) => inHoldout(id, `trg_${t}`, "s1", 0.1)).length);
    console.log(`held out of 10,000 at 10% (${shape}): ${counts.join(" ")}`);
    for (const n of counts) {
      expect(n).toBeGreaterThanOrEqual(900);
      expect(n).toBeLessThanOrEqual(1100);
    }
  });

  it("spreads points evenly: χ² over 20 equal bins stays under the 0.1% critical value (43.8 at 19 degrees of freedom)", () => {
    for (const ids of [sequentialIds, randomIds]) {
      const bins = new Array<number>(20).fill(0);
      for (const id of ids) bins[Math.floor(holdoutPoint(id, "trg_1", "s1") * 20)]!++;
      const chi2 = bins.reduce((sum, n) => sum + (n - 500) ** 2 / 500, 0);
      expect(chi2).toBeLessThan(43.8);
    }
  });

  it("draws each trigger's group independently: about 1% of visitors are held out of two triggers at 10%", () => {
    // Independent draws: 10,000 · 0.1 · 0.1 = 100 in both, sd ≈ √(100·0.99) ≈ 10; ± 40 is 4 sd.
    const both = randomIds.filter((id) => inHoldout(id, "trg_a", "s", 0.1) && inHoldout(id, "trg_b", "s", 0.1)).length;
    expect(Math.abs(both - 100)).toBeLessThanOrEqual(40);
  });

  it("draws afresh with a new salt (how an owner restarts a test), keeping the share", () => {
    const before = new Set(randomIds.filter((id) => inHoldout(id, "trg_1", "s1", 0.1)));
    const after = randomIds.filter((id) => inHoldout(id, "trg_1", "s2", 0.1));
    expect(after.length).toBeGreaterThanOrEqual(900);
    expect(after.length).toBeLessThanOrEqual(1100);
    expect(Math.abs(after.filter((id) => before.has(id)).length - 100)).toBeLessThanOrEqual(40);
  });

  it("holds out nobody at 0% and everybody at 100%", () => {
    expect(randomIds.some((id) => inHoldout(id, "t", "s", 0))).toBe(false);
    expect(randomIds.every((id) => inHoldout(id, "t", "s", 1))).toBe(true);
  });
});
