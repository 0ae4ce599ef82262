// The setup token check against the hash the deploy script stores (same vector as
// scripts/deploy.test.ts, so both sides agree on the format).
import { describe, expect, it } from "vitest";
import { verifySetupToken } from "./setup-token";

const TOKEN = "gst_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";
// sha256 hex of TOKEN, computed with node:crypto (what scripts/lib/deploy-secrets.mjs stores).
const HASH = "93863c3303a9b1b7b4b1529ca888562567336ae605c360f8846bc5f48df26399";

describe("verifySetupToken", () => {
  it("accepts the token whose hash is stored", async () => {
    expect(await verifySetupToken(HASH, TOKEN)).toBe(true);
  });

  it("refuses another token, a changed character and a wrong shape", async () => {
    expect(await verifySetupToken(HASH, `${TOKEN.slice(0, -1)}R`)).toBe(false);
    expect(await verifySetupToken(HASH, TOKEN.slice(0, -1))).toBe(false);
    expect(await verifySetupToken(HASH, `${TOKEN} `)).toBe(false);
    expect(await verifySetupToken(HASH, "")).toBe(false);
  });

  it("is off when the secret is unset or not a SHA-256 hex", async () => {
    expect(await verifySetupToken(undefined, TOKEN)).toBe(false);
    expect(await verifySetupToken("", TOKEN)).toBe(false);
    expect(await verifySetupToken(HASH.toUpperCase(), TOKEN)).toBe(false);
    expect(await verifySetupToken(HASH.slice(1), TOKEN)).toBe(false);
  });
});
