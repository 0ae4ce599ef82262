/**
 * The visitor's chat session (`POST /api/widget/session`, and the chat's renewal after a 4401):
 * who the chat is, with a fresh expiring chat token every call. In order:
 * 1. the chat's own token (also a legacy v1 one, exchanged here): that visitor, unless erased;
 * 2. the tracking token the loader holds: that visitor only if no chat ever claimed it (then it
 *    has no conversation of its own either) — the shop page can read this token, so it must
 *    never open a conversation someone already had;
 * 3. otherwise a new visitor, whose tracking token the loader switches to.
 */
import type { VisitorSessionResponse } from "../../protocol";
import { visitorContact } from "../db/mail";
import { getSiteByPublicKey, getSiteSettings } from "../db/sites";
import { claimTrackedVisitor, createChatVisitor, resumeChatVisitor } from "../db/visitors";
import type { Env } from "../env";
import { assertOriginAllowed } from "../lib/allowed-origins";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { verifyLegacyChatToken } from "../lib/legacy-tokens";
import { limitNewVisitor } from "../lib/rate-limit";
import { signToken, verifyToken } from "../lib/tokens";
import { widgetAvailability } from "./availability";
import { promoteToDirectory } from "./directory";
import { siteLayout } from "./visitor-shards";
import { readTrackToken } from "./visitor-tokens";

export interface SessionRequest {
  siteKey: string;
  chatToken?: string | undefined;
  trackToken?: string | undefined;
  /** The request's `Origin` header and Gadka's own origin (the chat iframe's). */
  origin: string | null;
  ownOrigin: string;
  ip: string | null;
}

export async function startVisitorSession(env: Env, r: SessionRequest, now = Date.now()): Promise<VisitorSessionResponse> {
  const site = await getSiteByPublicKey(env.DB, r.siteKey);
  if (!site) throw new ApiError("not_found", "No site has this key. Check the data-site attribute of the snippet.");
  assertOriginAllowed(site.allowedOrigins, r.origin, r.ownOrigin);

  // A token from another site, a forged or expired one simply does not count.
  const own = r.chatToken ? await readChatTokenForSession(env.TOKEN_SECRET, r.chatToken, now) : null;
  let found = own?.siteId === site.id ? await resumeChatVisitor(env.DB, site.id, own.visitorId, now) : null;
  if (!found && r.trackToken) {
    const tracked = await readTrackToken(env.TOKEN_SECRET, r.trackToken, now);
    if (tracked?.siteId === site.id) {
      found = await claimTrackedVisitor(env.DB, site.id, tracked.visitorId, now);
      // A tracked visitor only their shard knows: into D1's directory first, then the same claim.
      if (!found && !(await inDirectory(env, site.id, tracked.visitorId))) {
        if (await promoteToDirectory(env, await siteLayout(env, site.id), tracked.visitorId)) {
          found = await claimTrackedVisitor(env.DB, site.id, tracked.visitorId, now);
        }
      }
    }
  }
  if (!found) {
    await limitNewVisitor(env, r.ip, site.id);
    found = await createChatVisitor(env.DB, site.id, newId("v"), now);
  }

  const { visitorId } = found;
  const who = { siteId: site.id, visitorId };
  const [chat, peek, track, operatorsOnline, settings, contact] = await Promise.all([
    signToken(env.TOKEN_SECRET, "chat", who, now),
    found.conversationId ? signToken(env.TOKEN_SECRET, "peek", { ...who, conversationId: found.conversationId }, now) : null,
    signToken(env.TOKEN_SECRET, "track", { siteId: site.id, visitorId: found.canonicalId }, now),
    env.SITE_HUB.getByName(site.id).operatorsOnline(),
    getSiteSettings(env.DB, site.id),
    visitorContact(env.DB, site.id, visitorId),
  ]);
  const email = contact?.email ?? null;
  return {
    token: chat.token,
    tokenExpiresAt: chat.expiresAt,
    visitorId,
    siteId: site.id,
    conversationId: found.conversationId,
    peekToken: peek?.token ?? null,
    settings: site.settings,
    operatorsOnline,
    availability: await widgetAvailability(env, { siteId: site.id, settings, operatorsOnline, hasEmail: email !== null, now }),
    email,
    trackToken: track.token,
  };
}

async function inDirectory(env: Env, siteId: string, visitorId: string): Promise<boolean> {
  return (await env.DB.prepare("SELECT 1 AS x FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, visitorId).first("x")) !== null;
}

/** The session endpoint is the one place a legacy (v1, never expiring) chat token is still read. */
async function readChatTokenForSession(secret: string, token: string, now: number) {
  return (await verifyToken(secret, "chat", token, now)) ?? (await verifyLegacyChatToken(secret, token));
}
