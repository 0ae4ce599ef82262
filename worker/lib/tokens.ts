/**
 * The one signed-token format for every credential Gadka hands out: `<kind>.<expires>.<field>….<sig>`.
 * The kind and the expiry (ms since the epoch, base 36) are inside the signed part, so a token of
 * one kind is never accepted as another and an expired one is refused without any storage read;
 * the signature is HMAC-SHA256 under TOKEN_SECRET, checked by the platform's constant-time verify.
 * Fields are ids ([A-Za-z0-9_-]), so they never contain the separator. Who may import: worker code.
 */
import { hmacSign, hmacVerify } from "./crypto";

const DAY_MS = 86_400_000;

/**
 * Every kind, its fields (in order) and how long a token lives. The first three are in use; the
 * others are declared so the coming features (email replies, unsubscribe links, invitations by
 * email, password resets, email confirmation, a site's setup link) mint their tokens here too.
 * A kind whose token must survive a mail system lower-casing it (reply addresses) still needs
 * a caseless encoding of this token around it.
 */
export const TOKEN_KINDS = {
  /** The chat iframe's visitor credential: reads and writes that visitor's conversation. Renewed by every session call. */
  chat: { fields: ["siteId", "visitorId"], ttlMs: 30 * DAY_MS },
  /** One conversation's unread count, nothing else (the shop page may keep it). */
  peek: { fields: ["siteId", "visitorId", "conversationId"], ttlMs: 30 * DAY_MS },
  /** Names the visitor to the beacon; reads nothing. Renewed by every beacon answer. */
  track: { fields: ["siteId", "visitorId"], ttlMs: 365 * DAY_MS },
  reply: { fields: ["siteId", "conversationId"], ttlMs: 180 * DAY_MS },
  /** Stops a site's emails to one address: `addressKey` is a hash of it (worker/services/mail.ts). */
  unsubscribe: { fields: ["siteId", "addressKey"], ttlMs: 365 * DAY_MS },
  invitation: { fields: ["invitationId"], ttlMs: 14 * DAY_MS },
  reset: { fields: ["operatorId", "nonce"], ttlMs: DAY_MS / 24 },
  confirm: { fields: ["operatorId", "nonce"], ttlMs: 2 * DAY_MS },
  setup: { fields: ["siteId", "nonce"], ttlMs: 7 * DAY_MS },
  /** The password step of a two-factor sign-in, waiting for its code (accounts service). */
  twofactor: { fields: ["operatorId", "nonce"], ttlMs: 5 * 60_000 },
} as const satisfies Record<string, { fields: readonly string[]; ttlMs: number }>;

export type TokenKind = keyof typeof TOKEN_KINDS;
export type TokenClaims<K extends TokenKind> = { [F in (typeof TOKEN_KINDS)[K]["fields"][number]]: string };
export type VerifiedToken<K extends TokenKind> = TokenClaims<K> & { expiresAt: number };

const FIELD = /^[A-Za-z0-9_-]{1,64}$/;
const EXPIRY = /^[0-9a-z]{1,11}$/;

/** A token of `kind` for `claims`, valid for the kind's lifetime from `now`. */
export async function signToken<K extends TokenKind>(
  secret: string,
  kind: K,
  claims: TokenClaims<K>,
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const spec = TOKEN_KINDS[kind];
  const values = spec.fields.map((f) => (claims as Record<string, string>)[f]!);
  for (const value of values) if (!FIELD.test(value)) throw new Error(`token field is not an id: ${kind}`);
  const expiresAt = now + spec.ttlMs;
  const body = [kind, expiresAt.toString(36), ...values].join(".");
  return { token: `${body}.${await hmacSign(secret, body)}`, expiresAt };
}

/** The claims of a valid, unexpired token of exactly this kind; null for anything else. */
export async function verifyToken<K extends TokenKind>(
  secret: string,
  kind: K,
  token: string,
  now = Date.now(),
): Promise<VerifiedToken<K> | null> {
  const spec = TOKEN_KINDS[kind];
  const parts = token.split(".");
  if (parts.length !== spec.fields.length + 3 || parts[0] !== kind) return null;
  const expiry = parts[1]!;
  const values = parts.slice(2, -1);
  if (!EXPIRY.test(expiry) || !values.every((value) => FIELD.test(value))) return null;
  const expiresAt = Number.parseInt(expiry, 36);
  if (!(expiresAt > now)) return null;
  const signed = parts.slice(0, -1).join(".");
  if (!(await hmacVerify(secret, signed, parts[parts.length - 1]!))) return null;
  const claims: Record<string, string | number> = { expiresAt };
  spec.fields.forEach((f, i) => {
    claims[f] = values[i]!;
  });
  return claims as VerifiedToken<K>;
}
