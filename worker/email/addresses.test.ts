import { describe, expect, it } from "vitest";
import { newId } from "../lib/crypto";
import { normalizeVisitorEmail, REPLY_ADDRESS_MAX_AGE_DAYS, readReplyAddress, replyAddress } from "./addresses";
import { packBase32, unpackBase32 } from "./base32";

const secret = "reply-secret-for-tests";
const domain = "reply.shop.example";
const now = Date.UTC(2026, 11, 1, 12);
const DAY = 86_400_000;

describe("base32", () => {
  it("round-trips bytes and base64url characters, one spelling each", () => {
    const bytes = [0, 1, 127, 128, 255, 42, 7, 99, 200, 13];
    expect(unpackBase32(packBase32(bytes, 8), 8)).toEqual(bytes);
    const sixes = [63, 0, 1, 62, 31, 32, 5];
    expect(unpackBase32(packBase32(sixes, 6).toUpperCase(), 6)).toEqual(sixes);
    expect(unpackBase32("ab1", 8)).toBeNull(); // 1 is not in the alphabet
    expect(unpackBase32("ab", 8)).toBeNull(); // spare bits set: "aa" is the spelling of [0]
    expect(unpackBase32("aaa", 8)).toBeNull(); // a spare character
  });
});

describe("reply addresses", () => {
  it("carries the conversation id and verifies, in any letter case", async () => {
    const id = newId("c");
    const address = await replyAddress(secret, id, { domain: "Reply.Shop.Example", now });
    expect(address).toMatch(/^c-[a-z2-7]{27}\.[a-z2-7]{4}\.[a-z2-7]{16}@reply\.shop\.example$/);
    expect(address.split("@")[0]!.length).toBeLessThanOrEqual(64);
    for (const to of [address, address.toUpperCase(), `"Demo Shop" <${address}>`, ` <${address.toUpperCase()}> `]) {
      expect(await readReplyAddress(secret, to, { domain, now })).toEqual({
        ok: true,
        conversationId: id,
        issuedAt: Date.UTC(2026, 11, 1),
      });
    }
  });

  it("tells apart ids that differ only in letter case", async () => {
    const a = await replyAddress(secret, "c_AAAAAAAAAAAAAAAAAAAAAA", { domain, now });
    const b = await replyAddress(secret, "c_aaaaaaaaaaaaaaaaaaaaaa", { domain, now });
    expect(a).not.toBe(b);
    expect(await readReplyAddress(secret, b, { domain, now })).toMatchObject({ conversationId: "c_aaaaaaaaaaaaaaaaaaaaaa" });
  });

  it("rejects a forged signature, another conversation's signature, another secret or domain", async () => {
    const address = await replyAddress(secret, newId("c"), { domain, now });
    const other = await replyAddress(secret, newId("c"), { domain, now });
    const [local] = address.split("@") as [string];
    const flipped = local.slice(0, -1) + (local.endsWith("a") ? "b" : "a");
    expect(await readReplyAddress(secret, `${flipped}@${domain}`, { domain, now })).toEqual({ ok: false, code: "bad_signature" });
    const otherLocal = other.split("@")[0]!;
    const spliced = `${local.slice(0, local.lastIndexOf("."))}${otherLocal.slice(otherLocal.lastIndexOf("."))}@${domain}`;
    expect(await readReplyAddress(secret, spliced, { domain, now })).toEqual({ ok: false, code: "bad_signature" });
    expect(await readReplyAddress("another-secret", address, { domain, now })).toEqual({ ok: false, code: "bad_signature" });
    expect(await readReplyAddress(secret, address, { domain: "reply.other.example", now })).toEqual({
      ok: false,
      code: "not_reply_address",
    });
  });

  it("rejects what is not a reply address at all, without throwing", async () => {
    for (const to of [
      "",
      "support@reply.shop.example",
      "c-@reply.shop.example",
      "c-abc.aaaa.aaaaaaaaaaaaaaaa@reply.shop.example",
      "<>",
      "c_x@y",
      "\u0000@reply.shop.example",
    ]) {
      expect(await readReplyAddress(secret, to, { domain, now })).toEqual({ ok: false, code: "not_reply_address" });
    }
  });

  it("expires after REPLY_ADDRESS_MAX_AGE_DAYS, and refuses days far ahead", async () => {
    const id = newId("c");
    const old = await replyAddress(secret, id, { domain, now: now - REPLY_ADDRESS_MAX_AGE_DAYS * DAY });
    expect((await readReplyAddress(secret, old, { domain, now })).ok).toBe(true);
    const older = await replyAddress(secret, id, { domain, now: now - (REPLY_ADDRESS_MAX_AGE_DAYS + 1) * DAY });
    expect(await readReplyAddress(secret, older, { domain, now })).toEqual({ ok: false, code: "expired" });
    const ahead = await replyAddress(secret, id, { domain, now: now + 3 * DAY });
    expect(await readReplyAddress(secret, ahead, { domain, now })).toEqual({ ok: false, code: "expired" });
    expect((await readReplyAddress(secret, older, { domain, now, maxAgeDays: 400 })).ok).toBe(true);
  });

  it("refuses to build an address for an id that would not fit", async () => {
    await expect(replyAddress(secret, `c_${"a".repeat(35)}`, { domain, now })).rejects.toThrow(/fits/);
    await expect(replyAddress(secret, "v_abcdefghijklmnopqrstuv", { domain, now })).rejects.toThrow();
  });
});

describe("normalizeVisitorEmail", () => {
  it("accepts everyday addresses, trimmed and lower-cased", () => {
    expect(normalizeVisitorEmail("  Jan.Kowalski+sklep@Example.PL ")).toBe("jan.kowalski+sklep@example.pl");
    expect(normalizeVisitorEmail("o'brien@mail.co.uk")).toBe("o'brien@mail.co.uk");
    expect(normalizeVisitorEmail("a@b.xn--p1ai")).toBe("a@b.xn--p1ai");
  });

  it("stores an internationalised domain in its ASCII form", () => {
    expect(normalizeVisitorEmail("jan@Żółw.pl")).toBe("jan@xn--w-uga1v8h.pl");
    expect(normalizeVisitorEmail("ivan@пример.рф")).toBe("ivan@xn--e1afmkfd.xn--p1ai");
  });

  it("refuses what the capture form should not take", () => {
    for (const bad of [
      "",
      "jan",
      "jan@",
      "@example.com",
      "jan@@example.com",
      "jan@a@example.com",
      "Jan <jan@example.com>",
      "jan kowalski@example.com",
      '"jan"@example.com',
      "józef@example.com",
      ".jan@example.com",
      "jan.@example.com",
      "jan..k@example.com",
      "jan@localhost",
      "jan@[127.0.0.1]",
      "jan@127.0.0.1",
      "jan@example.c",
      "jan@-example.com",
      "jan@example-.com",
      "jan@example..com",
      "jan@example.com.",
      "jan@example.com\r\nBcc: x@y.z",
      `${"a".repeat(65)}@example.com`,
      `jan@${"a".repeat(250)}.com`,
    ]) {
      expect([bad, normalizeVisitorEmail(bad)]).toEqual([bad, null]);
    }
  });
});
