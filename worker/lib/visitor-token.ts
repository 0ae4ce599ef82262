/**
 * Signed visitor credentials, checked without any storage lookup:
 * - visitor token `v1.<siteId>.<visitorId>.<sig>`: reads and writes that visitor's conversations;
 * - peek token `p1.<siteId>.<visitorId>.<conversationId>.<sig>`: reads one unread count, nothing
 *   else, so the loader may keep it in the shop page's storage;
 * - tracking token `t1.<siteId>.<visitorId>.<sig>`: names the visitor to `POST /api/track` (and
 *   lets the chat adopt that visitor). It reads nothing. The version is part of what is signed,
 *   so a tracking token is never a chat token and a chat token is never a tracking token.
 */
import { hmacSign, hmacVerify } from "./crypto";

export interface VisitorIdentity {
  siteId: string;
  visitorId: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function signVisitorToken(secret: string, who: VisitorIdentity): Promise<string> {
  const body = `v1.${who.siteId}.${who.visitorId}`;
  return `${body}.${await hmacSign(secret, body)}`;
}

export async function verifyVisitorToken(secret: string, token: string): Promise<VisitorIdentity | null> {
  const [version, siteId, visitorId, sig, extra] = token.split(".");
  if (version !== "v1" || !siteId || !visitorId || !sig || extra !== undefined) return null;
  if (!ID.test(siteId) || !ID.test(visitorId)) return null;
  return (await hmacVerify(secret, `v1.${siteId}.${visitorId}`, sig)) ? { siteId, visitorId } : null;
}

export interface PeekGrant extends VisitorIdentity {
  conversationId: string;
}

export async function signPeekToken(secret: string, grant: PeekGrant): Promise<string> {
  const body = `p1.${grant.siteId}.${grant.visitorId}.${grant.conversationId}`;
  return `${body}.${await hmacSign(secret, body)}`;
}

export async function verifyPeekToken(secret: string, token: string): Promise<PeekGrant | null> {
  const [version, siteId, visitorId, conversationId, sig, extra] = token.split(".");
  if (version !== "p1" || !siteId || !visitorId || !conversationId || !sig || extra !== undefined) return null;
  if (!ID.test(siteId) || !ID.test(visitorId) || !ID.test(conversationId)) return null;
  const ok = await hmacVerify(secret, `p1.${siteId}.${visitorId}.${conversationId}`, sig);
  return ok ? { siteId, visitorId, conversationId } : null;
}

export async function signTrackToken(secret: string, who: VisitorIdentity): Promise<string> {
  const body = `t1.${who.siteId}.${who.visitorId}`;
  return `${body}.${await hmacSign(secret, body)}`;
}

export async function verifyTrackToken(secret: string, token: string): Promise<VisitorIdentity | null> {
  const [version, siteId, visitorId, sig, extra] = token.split(".");
  if (version !== "t1" || !siteId || !visitorId || !sig || extra !== undefined) return null;
  if (!ID.test(siteId) || !ID.test(visitorId)) return null;
  return (await hmacVerify(secret, `t1.${siteId}.${visitorId}`, sig)) ? { siteId, visitorId } : null;
}
