// Defect 2 and the token rules: nothing the shop page holds opens a conversation. The tracking
// token (readable by every script on the shop page) gives a chat the tracked visitor only if no
// chat ever claimed it; chat tokens expire and every session renews them; a token of one kind is
// never accepted as another; legacy tokens are read only where they are exchanged.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol";
import { hmacSign } from "../../worker/lib/crypto";
import { signToken } from "../../worker/lib/tokens";
import { api, login, mustOpen, refusal, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";
import { SHOP, track, visitorOf, visitPages } from "./tracking-helpers";

const DAY = 86_400_000;
const hmacKey = (secret: string) =>
  crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
let owner: string;

beforeAll(async () => {
  await seedSite({ id: "site_cl", key: "pk_cl" }, [{ id: "op_cl", email: "o@cl.test", name: "Olga", role: "owner" }]);
  // Before any beacon: the beacon caches the site's facts (identify secret included) for a while.
  await env.DB.prepare("INSERT INTO site_secrets (site_id, identity_secret) VALUES ('site_cl', 'is_cl')").run();
  owner = await login("o@cl.test");
});

/** A tracked visitor whose chat wrote a message; returns their tracking token and conversation. */
async function chattedVisitor(secret: string) {
  const t = await visitPages("pk_cl", ["/p/1"]);
  const chat = await visitorSession("pk_cl", undefined, t);
  const conversationId = await startConversation(chat.token);
  const s = await mustOpen(visitorSocketPath(conversationId, chat.token));
  await s.next("hello");
  s.send({ type: "message.send", clientId: "m1", text: secret });
  await s.next("ack");
  s.close();
  return { t, chat, conversationId };
}

describe("claim once", () => {
  it("never gives a second chat the tracked visitor's conversation, even with the tracking token", async () => {
    const { t, chat, conversationId } = await chattedVisitor("my address is Secret Street 1");
    expect(chat.visitorId).toBe(visitorOf(t));
    // A script on the shop page reads the tracking token and asks for a chat session with it.
    const thief = await visitorSession("pk_cl", undefined, t);
    expect(thief.visitorId).not.toBe(chat.visitorId);
    expect(thief.conversationId).toBeNull();
    expect(await refusal(visitorSocketPath(conversationId, thief.token))).toEqual({ close: CLOSE_CODES.forbidden, code: "forbidden" });
    // The loader is switched to the new visitor: the chat's tracking token names it.
    expect(visitorOf(thief.trackToken)).toBe(thief.visitorId);
    // The first chat keeps its visitor and conversation.
    const back = await visitorSession("pk_cl", chat.token, t);
    expect([back.visitorId, back.conversationId]).toEqual([chat.visitorId, conversationId]);
  });

  it("lets exactly one of two racing chats claim an unclaimed tracked visitor", async () => {
    const t = await visitPages("pk_cl", ["/race"]);
    const [a, b] = await Promise.all([visitorSession("pk_cl", undefined, t), visitorSession("pk_cl", undefined, t)]);
    const winners = [a, b].filter((s) => s.visitorId === visitorOf(t));
    expect(winners).toHaveLength(1);
    expect(
      await env.DB.prepare("SELECT chat_claimed_at IS NOT NULL AS claimed FROM visitors WHERE id = ?").bind(visitorOf(t)).first("claimed"),
    ).toBe(1);
  });

  it("carries a claim over a verified merge, so the profile's tracking token claims nothing either", async () => {
    const hash = [...new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey("is_cl"), new TextEncoder().encode("cust-1")))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    // The customer's verified profile exists (another device, never chatted)…
    const device2 = await visitPages("pk_cl", ["/d2"]);
    const profile = visitorOf((await track({ k: "pk_cl", t: device2, e: "identify", id: { id: "cust-1", hash } })).t!);
    // …and on this device the visitor chats, then signs in: merged into the profile.
    const { t } = await chattedVisitor("private details");
    const merged = await track({ k: "pk_cl", t, e: "identify", id: { id: "cust-1", hash } });
    expect(visitorOf(merged.t!)).toBe(profile);
    const thief = await visitorSession("pk_cl", undefined, merged.t);
    expect(thief.visitorId).not.toBe(profile);
    expect(thief.conversationId).toBeNull();
  });

  it("gives an invited, never-claimed visitor's first chat the invitation (an operator's message only)", async () => {
    const t = await visitPages("pk_cl", ["/invited"]);
    const r = await api(`/api/sites/site_cl/visitors/${visitorOf(t)}/invite`, { method: "POST", cookie: owner, json: { text: "Hi!" } });
    const { conversationId } = (await r.json()) as { conversationId: string };
    const chat = await visitorSession("pk_cl", undefined, t);
    expect(chat.conversationId).toBe(conversationId);
    expect((await visitorSession("pk_cl", undefined, t)).conversationId).toBeNull();
  });
});

describe("chat tokens", () => {
  it("expire after 30 days and are renewed by every session call", async () => {
    const s = await visitorSession("pk_cl");
    expect(s.tokenExpiresAt).toBeGreaterThan(Date.now() + 29 * DAY);
    expect(s.tokenExpiresAt).toBeLessThan(Date.now() + 31 * DAY);
    const conversationId = await startConversation(s.token);
    const renewed = await visitorSession("pk_cl", s.token);
    expect(renewed.visitorId).toBe(s.visitorId);
    expect(renewed.token).not.toBe(s.token);
    expect(renewed.tokenExpiresAt).toBeGreaterThanOrEqual(s.tokenExpiresAt);

    // The same visitor's token, signed 31 days ago: refused everywhere, and no longer resumes.
    const old = await signToken(env.TOKEN_SECRET, "chat", { siteId: "site_cl", visitorId: s.visitorId }, Date.now() - 31 * DAY);
    expect(await refusal(visitorSocketPath(conversationId, old.token))).toEqual({ close: CLOSE_CODES.unauthorized, code: "unauthorized" });
    const rest = await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${old.token}` } });
    expect(rest.status).toBe(401);
    expect((await visitorSession("pk_cl", old.token)).visitorId).not.toBe(s.visitorId);
  });

  it("are never accepted as another kind, nor another kind as them", async () => {
    const s = await visitorSession("pk_cl");
    const conversationId = await startConversation(s.token);
    const peek = (await visitorSession("pk_cl", s.token)).peekToken!;
    for (const wrong of [s.trackToken, peek]) {
      expect(await refusal(visitorSocketPath(conversationId, wrong))).toMatchObject({ close: CLOSE_CODES.unauthorized });
      expect((await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${wrong}` } })).status).toBe(401);
    }
    // A chat token as a tracking token: the beacon starts someone new.
    expect(visitorOf((await track({ k: "pk_cl", t: s.token, e: "view", u: `${SHOP}/` })).t!)).not.toBe(s.visitorId);
    // A token whose kind was rewritten no longer verifies (the kind is signed).
    const forged = s.token.replace(/^chat\./, "track.");
    expect(visitorOf((await track({ k: "pk_cl", t: forged, e: "view", u: `${SHOP}/` })).t!)).not.toBe(s.visitorId);
  });
});

describe("legacy tokens of earlier deployments", () => {
  const legacy = async (version: "v1" | "t1", visitorId: string) => {
    const body = `${version}.site_cl.${visitorId}`;
    return `${body}.${await hmacSign(env.TOKEN_SECRET, body)}`;
  };

  it("exchange a v1 chat token at the session (same visitor and conversation), and refuse it anywhere else", async () => {
    const s = await visitorSession("pk_cl");
    const conversationId = await startConversation(s.token);
    const v1 = await legacy("v1", s.visitorId);
    expect(await refusal(visitorSocketPath(conversationId, v1))).toMatchObject({ close: CLOSE_CODES.unauthorized });
    expect((await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${v1}` } })).status).toBe(401);
    const exchanged = await visitorSession("pk_cl", v1);
    expect([exchanged.visitorId, exchanged.conversationId]).toEqual([s.visitorId, conversationId]);
    expect(exchanged.token).toMatch(/^chat\./);
    (await mustOpen(visitorSocketPath(conversationId, exchanged.token))).close();
  });

  it("read a t1 tracking token at the beacon and answer with the new format", async () => {
    const t = await visitPages("pk_cl", ["/legacy"]);
    const t1 = await legacy("t1", visitorOf(t));
    const a = await track({ k: "pk_cl", t: t1, e: "view", u: `${SHOP}/legacy/2` });
    expect(visitorOf(a.t!)).toBe(visitorOf(t));
    expect(a.t).toMatch(/^track\./);
  });
});
