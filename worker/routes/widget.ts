/**
 * Visitor REST, called by the chat iframe (same origin) and, for `/unread`, by the loader on the
 * shop's page. Visitors are anonymous: a signed token is their identity, issued here.
 * Mounted under `/api/widget`.
 */
import { Hono } from "hono";
import type { StartConversationResponse, UnreadResponse, VisitorSessionResponse } from "../../protocol";
import { StartConversationBody, VisitorSessionBody } from "../../protocol";
import type { AppEnv } from "../app-env";
import { createOrGetConversation } from "../db/conversations";
import { getSiteByPublicKey, getSiteSettings } from "../db/sites";
import { touchVisitorForSession } from "../db/visitors";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { isConversationId } from "../lib/ids";
import { limitNewVisitor } from "../lib/rate-limit";
import { readJson } from "../lib/request-input";
import {
  signPeekToken,
  signTrackToken,
  signVisitorToken,
  type VisitorIdentity,
  verifyPeekToken,
  verifyTrackToken,
  verifyVisitorToken,
} from "../lib/visitor-token";

export const widgetRoutes = new Hono<AppEnv>()
  .post("/session", async (c) => {
    const body = await readJson(c, VisitorSessionBody);
    const site = await getSiteByPublicKey(c.env.DB, body.siteKey);
    if (!site) throw new ApiError("not_found", "No site has this key. Check the data-site attribute of the snippet.");

    // A token from another site, or a forged one, simply starts a new anonymous visitor.
    const presented = body.token ? await verifyVisitorToken(c.env.TOKEN_SECRET, body.token) : null;
    // The chat's own token wins; without one, the chat adopts the visitor the loader tracks.
    const chatOk = presented !== null && presented.siteId === site.id;
    const tracked = !chatOk && body.track ? await verifyTrackToken(c.env.TOKEN_SECRET, body.track) : null;
    const known: VisitorIdentity | null = chatOk && presented ? presented : tracked && tracked.siteId === site.id ? tracked : null;
    if (!known) await limitNewVisitor(c.env, c.req.raw, site.id);
    const who: VisitorIdentity = known ?? { siteId: site.id, visitorId: newId("v") };
    const [{ conversationId, canonicalId }, operatorsOnline] = await Promise.all([
      touchVisitorForSession(c.env.DB, site.id, who.visitorId, Date.now()),
      c.env.SITE_HUB.getByName(site.id).operatorsOnline(),
    ]);
    const [token, peekToken, trackToken] = await Promise.all([
      signVisitorToken(c.env.TOKEN_SECRET, who),
      conversationId ? signPeekToken(c.env.TOKEN_SECRET, { ...who, conversationId }) : null,
      signTrackToken(c.env.TOKEN_SECRET, { siteId: site.id, visitorId: canonicalId }),
    ]);
    return c.json({
      token,
      // v1 visitor tokens carry no expiry yet (the token work replaces them with expiring ones).
      tokenExpiresAt: Number.MAX_SAFE_INTEGER,
      visitorId: who.visitorId,
      siteId: site.id,
      conversationId,
      peekToken,
      settings: site.settings,
      operatorsOnline,
      trackToken,
    } satisfies VisitorSessionResponse);
  })
  .post("/conversations", async (c) => {
    const who = await visitorFromBearer(c.req.header("authorization"), c.env.TOKEN_SECRET);
    const body = await readJson(c, StartConversationBody, { emptyAs: {} });
    // Only a topic the shop offers may steer routing.
    const topics = body.skill ? (await getSiteSettings(c.env.DB, who.siteId)).topics : [];
    const skill = topics.some((t) => t.skill === body.skill) ? (body.skill ?? null) : null;
    const now = Date.now();
    const { id, createdAt } = await createOrGetConversation(c.env.DB, { id: newId("c"), ...who, now });
    // Idempotent: also completes a creation whose earlier attempt stopped after the D1 insert.
    await c.env.CONVERSATION.getByName(id).initialize({ id, ...who, createdAt, skill });
    const peekToken = await signPeekToken(c.env.TOKEN_SECRET, { ...who, conversationId: id });
    return c.json({ conversationId: id, peekToken } satisfies StartConversationResponse);
  })
  .get("/unread", async (c) => {
    // Any shop page may ask: the peek token is the capability, and it reveals only a count.
    c.header("Access-Control-Allow-Origin", "*");
    const grant = await verifyPeekToken(c.env.TOKEN_SECRET, c.req.query("peek") ?? "");
    if (!grant || !isConversationId(grant.conversationId)) throw new ApiError("unauthorized", "Invalid peek token.");
    const unread = await c.env.CONVERSATION.getByName(grant.conversationId).visitorUnread(grant.siteId, grant.visitorId);
    if (unread === null) throw new ApiError("not_found", "No such conversation.");
    return c.json({ unread } satisfies UnreadResponse);
  });

export async function visitorFromBearer(header: string | undefined, secret: string): Promise<VisitorIdentity> {
  const token = header?.startsWith("Bearer ") ? header.slice(7) : "";
  const who = token ? await verifyVisitorToken(secret, token) : null;
  if (!who) throw new ApiError("unauthorized", "Start a visitor session first (POST /api/widget/session).");
  return who;
}
