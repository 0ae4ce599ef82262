/**
 * Tokens of deployments before the expiring format (tokens.ts): `v1.<siteId>.<visitorId>.<sig>`
 * (chat) and `t1.<siteId>.<visitorId>.<sig>` (tracking), signed over the same text without the
 * signature and never expiring. They are read in two places only — the session endpoint (a v1
 * chat token, or a t1 as its `track`) and the beacon (a t1) — and each answers with tokens of the
 * new format, so a returning browser swaps them on its first call. Sockets, the visitor REST and
 * the unread count accept only the new format. `p1` peek tokens are not read at all: every beacon
 * answer and session call hands out a new one.
 */
import { hmacVerify } from "./crypto";

export interface LegacyVisitor {
  siteId: string;
  visitorId: string;
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

async function verifyLegacy(secret: string, version: "v1" | "t1", token: string): Promise<LegacyVisitor | null> {
  const [v, siteId, visitorId, sig, extra] = token.split(".");
  if (v !== version || !siteId || !visitorId || !sig || extra !== undefined) return null;
  if (!ID.test(siteId) || !ID.test(visitorId)) return null;
  return (await hmacVerify(secret, `${version}.${siteId}.${visitorId}`, sig)) ? { siteId, visitorId } : null;
}

export const verifyLegacyChatToken = (secret: string, token: string) => verifyLegacy(secret, "v1", token);
export const verifyLegacyTrackToken = (secret: string, token: string) => verifyLegacy(secret, "t1", token);
