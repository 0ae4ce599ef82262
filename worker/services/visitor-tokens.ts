/**
 * Reading a visitor's credentials for the routes and services that need them: the chat token
 * (visitor REST and sockets: the expiring format only) and the tracking token (the beacon and
 * the session, where a legacy t1 token is still read and answered with a new one).
 */
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { verifyLegacyTrackToken } from "../lib/legacy-tokens";
import { verifyToken } from "../lib/tokens";

export interface VisitorIdentity {
  siteId: string;
  visitorId: string;
}

export async function readTrackToken(secret: string, token: string, now = Date.now()): Promise<VisitorIdentity | null> {
  return (await verifyToken(secret, "track", token, now)) ?? (await verifyLegacyTrackToken(secret, token));
}

/** The visitor a chat token names; 401 for a missing, forged, legacy or expired one. */
export async function requireChatVisitor(env: Env, token: string | undefined): Promise<VisitorIdentity> {
  const who = token ? await verifyToken(env.TOKEN_SECRET, "chat", token) : null;
  if (!who) throw new ApiError("unauthorized", "Your chat session has ended or is not valid; start a new one (POST /api/widget/session).");
  return { siteId: who.siteId, visitorId: who.visitorId };
}
