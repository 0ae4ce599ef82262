// TOTP against the RFCs' own vectors, plus clock skew, replay and input handling.
import { describe, expect, it } from "vitest";
import { generateTotpSecret, hotp, otpauthUri, TOTP_STEP_SECONDS, totpStep, verifyTotp } from "./totp";

// The test secret of RFC 4226 appendix D and RFC 6238 appendix B (SHA-1): ASCII "1234567890" twice.
const RFC_KEY = new TextEncoder().encode("12345678901234567890");
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

describe("HOTP (RFC 4226 appendix D)", () => {
  it("gives the ten published codes for counters 0–9", async () => {
    const codes = [];
    for (let counter = 0; counter < 10; counter++) codes.push(await hotp(RFC_KEY, counter));
    expect(codes).toEqual(["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]);
  });
});

describe("TOTP (RFC 6238 appendix B, SHA-1)", () => {
  // [unix seconds, 8-digit code]
  const vectors: [number, string][] = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  it.each(vectors)("at %i s the 8-digit code is %s", async (seconds, code) => {
    expect(await hotp(RFC_KEY, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it.each(vectors)("at %i s the 6-digit code (the last six of %s) verifies", async (seconds, code) => {
    const result = await verifyTotp(RFC_SECRET, code.slice(2), { now: seconds * 1000, lastStep: null });
    expect(result).toEqual({ ok: true, step: totpStep(seconds * 1000) });
  });

  it("writes the counter as 64 bits (a step above 2^32 differs from its low 32 bits)", async () => {
    const high = 2 ** 32 + 5;
    expect(await hotp(RFC_KEY, high)).not.toBe(await hotp(RFC_KEY, 5));
  });
});

describe("verifyTotp", () => {
  const now = 59_000; // step 1: codes of steps 0, 1 and 2 are accepted
  const stepCode = (step: number) => hotp(RFC_KEY, step);

  it("accepts one step of clock skew either way, and no more", async () => {
    expect(await verifyTotp(RFC_SECRET, await stepCode(0), { now, lastStep: null })).toEqual({ ok: true, step: 0 });
    expect(await verifyTotp(RFC_SECRET, await stepCode(2), { now, lastStep: null })).toEqual({ ok: true, step: 2 });
    expect(await verifyTotp(RFC_SECRET, await stepCode(3), { now, lastStep: null })).toEqual({ ok: false, code: "wrong_code" });
    const later = 10 * TOTP_STEP_SECONDS * 1000; // step 10
    expect(await verifyTotp(RFC_SECRET, await stepCode(8), { now: later, lastStep: null })).toEqual({ ok: false, code: "wrong_code" });
    expect(await verifyTotp(RFC_SECRET, await stepCode(9), { now: later, lastStep: null })).toEqual({ ok: true, step: 9 });
    expect(await verifyTotp(RFC_SECRET, await stepCode(11), { now: later, lastStep: null })).toEqual({ ok: true, step: 11 });
    expect(await verifyTotp(RFC_SECRET, await stepCode(12), { now: later, lastStep: null })).toEqual({ ok: false, code: "wrong_code" });
  });

  it("accepts a step once: the same code, or an older one, after it is a replay", async () => {
    const first = await verifyTotp(RFC_SECRET, await stepCode(1), { now, lastStep: null });
    expect(first).toEqual({ ok: true, step: 1 });
    expect(await verifyTotp(RFC_SECRET, await stepCode(1), { now, lastStep: 1 })).toEqual({ ok: false, code: "replayed_code" });
    expect(await verifyTotp(RFC_SECRET, await stepCode(0), { now, lastStep: 1 })).toEqual({ ok: false, code: "replayed_code" });
    // The next step's code is still good, and then blocks the current one.
    expect(await verifyTotp(RFC_SECRET, await stepCode(2), { now, lastStep: 1 })).toEqual({ ok: true, step: 2 });
    expect(await verifyTotp(RFC_SECRET, await stepCode(1), { now, lastStep: 2 })).toEqual({ ok: false, code: "replayed_code" });
  });

  it("reads spaces and dashes as formatting, and refuses anything but six digits", async () => {
    expect(await verifyTotp(RFC_SECRET, "287 082", { now, lastStep: null })).toEqual({ ok: true, step: 1 });
    expect(await verifyTotp(RFC_SECRET, " 287-082 ", { now, lastStep: null })).toEqual({ ok: true, step: 1 });
    for (const bad of ["", "28708", "2870823", "28708a", "２８７０８２", "287082\u0000"]) {
      expect(await verifyTotp(RFC_SECRET, bad, { now, lastStep: null })).toEqual({ ok: false, code: "malformed_code" });
    }
  });

  it("refuses a wrong code and a stored secret that is not base32", async () => {
    expect(await verifyTotp(RFC_SECRET, "000000", { now, lastStep: null })).toEqual({ ok: false, code: "wrong_code" });
    for (const secret of ["", "not base32!", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1"]) {
      expect(await verifyTotp(secret, "287082", { now, lastStep: null })).toEqual({ ok: false, code: "bad_secret" });
    }
  });
});

describe("generateTotpSecret", () => {
  it("makes 160 random bits as 32 base32 characters that verify", async () => {
    const secrets = new Set(Array.from({ length: 50 }, generateTotpSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const [secret] = secrets;
    const bytes = Uint8Array.from(secret!.match(/.{8}/g)!.flatMap(base32Block));
    expect(bytes).toHaveLength(20);
    const at = Date.UTC(2026, 11, 1, 12, 0, 0);
    expect(await verifyTotp(secret!, await hotp(bytes, totpStep(at)), { now: at, lastStep: null })).toEqual({
      ok: true,
      step: totpStep(at),
    });
  });
});

describe("otpauthUri", () => {
  it("writes the label, issuer and parameters authenticator apps read", () => {
    expect(otpauthUri({ secret: RFC_SECRET, account: "anna@demo.test" })).toBe(
      `otpauth://totp/Gadka:anna%40demo.test?secret=${RFC_SECRET}&issuer=Gadka&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it("escapes an issuer with spaces and non-ASCII letters so the URL parses back to it", () => {
    const uri = otpauthUri({ secret: RFC_SECRET, account: "żaneta+chat@sklep.pl", issuer: "Gadka (Sklep Żółw)" });
    expect(uri).not.toContain("+chat"); // a literal "+" would read as a space
    expect(decodeURIComponent(uri.slice("otpauth://totp/".length, uri.indexOf("?")))).toBe("Gadka (Sklep Żółw):żaneta+chat@sklep.pl");
    const url = new URL(uri);
    expect(url.searchParams.get("issuer")).toBe("Gadka (Sklep Żółw)");
    expect(url.searchParams.get("secret")).toBe(RFC_SECRET);
    expect(uri).not.toMatch(/[^\x21-\x7e]/); // plain printable ASCII: nothing for a QR reader to mangle
  });
});

/** RFC 4648 base32 of 8 characters → 5 bytes, written out independently of the module. */
function base32Block(block: string): number[] {
  let bits = 0n;
  for (const ch of block) bits = (bits << 5n) | BigInt("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(ch));
  return [32n, 24n, 16n, 8n, 0n].map((shift) => Number((bits >> shift) & 255n));
}
