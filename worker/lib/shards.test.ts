import { describe, expect, it } from "vitest";
import { isShardCount, SLOTS, shardOf, shardOfSlot, slotOf } from "./shards";

describe("visitor shards", () => {
  it("maps an id to one slot, always the same, within range", () => {
    expect(slotOf("v_abc")).toBe(slotOf("v_abc"));
    for (const id of ["", "v_", "v_😀", "v_AAAAAAAAAAAAAAAAAAAAAA"]) {
      const s = slotOf(id);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(SLOTS);
    }
  });

  it("doubling the shard count keeps a slot or moves it to its one new shard", () => {
    for (let slot = 0; slot < SLOTS; slot++) {
      const before = shardOfSlot(slot, 4);
      const after = shardOfSlot(slot, 8);
      expect([before, before + 4]).toContain(after);
    }
  });

  it("accepts only powers of two up to 1,024 as shard counts", () => {
    expect([1, 2, 4, 256, 1024].every(isShardCount)).toBe(true);
    expect([0, 3, 6, 2048, 1.5, -2].some(isShardCount)).toBe(false);
  });

  it("spreads 10,000 ids like a uniform hash over 4, 32 and 256 shards", () => {
    // Ids shaped like newId("v") (16 random bytes, base64url) from a fixed seed, so the test
    // is the same on every run.
    let seed = 42;
    const byte = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed >>> 24;
    };
    const ids = Array.from(
      { length: 10_000 },
      () =>
        `v_${btoa(String.fromCharCode(...Array.from({ length: 16 }, byte)))
          .replaceAll("+", "-")
          .replaceAll("/", "_")
          .replace(/=+$/, "")}`,
    );
    for (const n of [4, 32, 256]) {
      const counts = new Array<number>(n).fill(0);
      for (const id of ids) counts[shardOf(id, n)]!++;
      const mean = ids.length / n;
      // A uniform hash gives each shard a binomial count (σ ≈ √mean): ±10% holds for 4 shards
      // (σ 2%), but 256 shards of ~39 ids each spread ±45% by chance alone. Allow 4.5σ or 10%.
      const tolerance = Math.max(0.1, 4.5 / Math.sqrt(mean));
      expect(Math.max(...counts)).toBeLessThanOrEqual(mean * (1 + tolerance));
      expect(Math.min(...counts)).toBeGreaterThanOrEqual(mean * (1 - tolerance));
    }
  });
});
