// Recovery codes: shape, randomness, input normalisation and account-bound keyed hashes.
import { describe, expect, it } from "vitest";
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode, RECOVERY_CODE_COUNT } from "./recovery-codes";

const KEY = "test-recovery-key";

describe("generateRecoveryCodes", () => {
  it("makes ten readable codes of two base32 groups, all different", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it("uses all 32 characters in every position (no bias from the byte-to-digit step)", () => {
    const counts = Array.from({ length: 10 }, () => new Map<string, number>());
    for (const code of generateRecoveryCodes(2000)) {
      for (const [i, ch] of [...code.replace("-", "")].entries()) counts[i]!.set(ch, (counts[i]!.get(ch) ?? 0) + 1);
    }
    for (const position of counts) {
      expect(position.size).toBe(32);
      // 2000 draws over 32 letters: 62.5 expected each; below 25 or above 110 is p < 1e-6.
      for (const n of position.values()) {
        expect(n).toBeGreaterThan(25);
        expect(n).toBeLessThan(110);
      }
    }
  });
});

describe("normaliseRecoveryCode", () => {
  it("ignores case, spaces and dashes (also typographic ones)", () => {
    for (const typed of ["k7qm2-xw4pa", "K7QM2-XW4PA", " k7qm2 xw4pa ", "k7qm2xw4pa", "k7-qm2–xw4pa", "k7qm2\txw4pa"]) {
      expect(normaliseRecoveryCode(typed)).toBe("k7qm2xw4pa");
    }
  });

  it("refuses what cannot be a code", () => {
    for (const typed of ["", "k7qm2-xw4p", "k7qm2-xw4pab", "k7qm2-xw4p0", "k7qm2-xw4p1", "k7qm2_xw4pa", "ｋ7qm2-xw4pa", "123456"]) {
      expect(normaliseRecoveryCode(typed)).toBeNull();
    }
  });
});

describe("hashRecoveryCode", () => {
  it("hashes every spelling of a code alike, so the typed code finds the stored hash", async () => {
    const [code] = generateRecoveryCodes(1);
    const stored = await hashRecoveryCode(KEY, "op_1", code!);
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await hashRecoveryCode(KEY, "op_1", code!.toUpperCase().replace("-", " "))).toBe(stored);
  });

  it("binds the hash to the account and to the key, and never stores the code", async () => {
    const code = "k7qm2-xw4pa";
    const stored = await hashRecoveryCode(KEY, "op_1", code);
    expect(stored).not.toContain("k7qm2");
    expect(await hashRecoveryCode(KEY, "op_2", code)).not.toBe(stored);
    expect(await hashRecoveryCode("another-key", "op_1", code)).not.toBe(stored);
    expect(await hashRecoveryCode(KEY, "op_1", "k7qm2-xw4pb")).not.toBe(stored);
  });

  it("returns null for input that cannot be a code (nothing to look up)", async () => {
    expect(await hashRecoveryCode(KEY, "op_1", "not a code")).toBeNull();
  });

  it("redeems each code once when the caller deletes the matched hash", async () => {
    // The stored rows as a set; `delete` is what DELETE … WHERE code_hash = ? does in D1.
    const codes = generateRecoveryCodes();
    const stored = new Set(await Promise.all(codes.map((c) => hashRecoveryCode(KEY, "op_1", c))));
    const redeem = async (typed: string) => stored.delete((await hashRecoveryCode(KEY, "op_1", typed)) ?? "");
    expect(await redeem(codes[3]!)).toBe(true);
    expect(await redeem(codes[3]!.toUpperCase())).toBe(false);
    expect(stored.size).toBe(RECOVERY_CODE_COUNT - 1);
  });
});
