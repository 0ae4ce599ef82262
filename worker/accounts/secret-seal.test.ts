// Sealed TOTP secrets open only for their account, under their key, unaltered.
import { describe, expect, it } from "vitest";
import { openTotpSecret, sealTotpSecret } from "./secret-seal";
import { generateTotpSecret } from "./totp";

const KEY = "test-seal-key";

describe("sealTotpSecret / openTotpSecret", () => {
  it("round-trips, and never stores the secret readable", async () => {
    const secret = generateTotpSecret();
    const sealed = await sealTotpSecret(KEY, "op_1", secret);
    expect(sealed).toMatch(/^v1\.[a-z2-7]+\.[a-z2-7]+$/);
    expect(sealed.toUpperCase()).not.toContain(secret);
    expect(await openTotpSecret(KEY, "op_1", sealed)).toBe(secret);
  });

  it("uses a fresh IV each time", async () => {
    const secret = generateTotpSecret();
    expect(await sealTotpSecret(KEY, "op_1", secret)).not.toBe(await sealTotpSecret(KEY, "op_1", secret));
  });

  it("does not open for another account or under another key", async () => {
    const sealed = await sealTotpSecret(KEY, "op_1", generateTotpSecret());
    expect(await openTotpSecret(KEY, "op_2", sealed)).toBeNull();
    expect(await openTotpSecret("another-key", "op_1", sealed)).toBeNull();
  });

  it("refuses an altered or malformed value", async () => {
    const sealed = await sealTotpSecret(KEY, "op_1", generateTotpSecret());
    // One ciphertext character changed (well inside, so still valid base32): GCM's tag refuses it.
    const at = sealed.length - 10;
    const flipped = `${sealed.slice(0, at)}${sealed[at] === "a" ? "b" : "a"}${sealed.slice(at + 1)}`;
    for (const bad of [flipped, sealed.replace("v1.", "v2."), `${sealed}.x`, "v1..", "", "v1.abc.def"]) {
      expect(await openTotpSecret(KEY, "op_1", bad)).toBeNull();
    }
  });
});
