/**
 * Email addresses: the per-conversation Reply-To address (signed, so it can be neither guessed
 * nor forged from a conversation id) and the visitor's email from the chat's capture form.
 * Pure apart from WebCrypto; used by the outbound and inbound email services.
 *
 * A reply address is `c-<conversation>.<issued>.<signature>@<reply domain>`, every part base32:
 * mail systems may lower-case a local part (RFC 5321 lets them treat it as they like), and a
 * base64url id would not survive that. Its signature is HMAC-SHA256 over the conversation id and
 * the day it was issued, cut to 80 bits (a forger gets one guess per mail), and it expires.
 */
import * as v from "valibot";
import { VisitorEmail } from "../../protocol/email";
import { packBase32, unpackBase32 } from "./base32";

/**
 * How long a reply address is accepted after it was sent: a reply to an email older than half a
 * year is rarer than a leaked old address being misused; the visitor can always write in the chat.
 */
export const REPLY_ADDRESS_MAX_AGE_DAYS = 180;

const DAY_MS = 86_400_000;
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// Conversation ids are `c_` + base64url (newId: 22 characters). RFC 5321 caps a local part at 64
// octets: with the prefix, the day and the signature that leaves room for ids of up to 34.
const ID_BODY = /^c_([A-Za-z0-9_-]{16,34})$/;
const LOCAL = /^c-([a-z2-7]{20,41})\.([a-z2-7]{4})\.([a-z2-7]{16})$/;
const SIGNATURE_BYTES = 10;

/** The Reply-To address of a conversation's emails, issued at `now`. */
export async function replyAddress(secret: string, conversationId: string, opts: { domain: string; now: number }): Promise<string> {
  const body = ID_BODY.exec(conversationId)?.[1];
  if (!body) throw new Error(`not a conversation id that fits a reply address: ${conversationId.slice(0, 50)}`);
  const id = packBase32(
    [...body].map((c) => BASE64URL.indexOf(c)),
    6,
  );
  const issued = packBase32([Math.floor(opts.now / DAY_MS)], 20);
  return `c-${id}.${issued}.${await signReplyTag(secret, `${conversationId}.${issued}`)}@${opts.domain.toLowerCase()}`;
}

export type ReplyAddressCheck =
  | { ok: true; conversationId: string; issuedAt: number }
  | { ok: false; code: "not_reply_address" | "bad_signature" | "expired" };

/**
 * The conversation a message to `to` belongs to, checked: `to` is the envelope recipient or a
 * header value (`"Shop" <c-…@reply.example>`); the domain must be `domain` and the signature
 * ours; any letter case is accepted. Never throws.
 */
export async function readReplyAddress(
  secret: string,
  to: string,
  opts: { domain: string; now: number; maxAgeDays?: number },
): Promise<ReplyAddressCheck> {
  const address = (/<([^<>]*)>\s*$/.exec(to)?.[1] ?? to).trim().toLowerCase();
  const at = address.lastIndexOf("@");
  const match = at > 0 && address.slice(at + 1) === opts.domain.toLowerCase() ? LOCAL.exec(address.slice(0, at)) : null;
  const chars = match ? unpackBase32(match[1]!, 6) : null;
  const day = match ? unpackBase32(match[2]!, 20)?.[0] : undefined;
  if (!match || !chars || day === undefined || chars.length < 16) return { ok: false, code: "not_reply_address" };
  const conversationId = `c_${chars.map((c) => BASE64URL[c]).join("")}`;
  const expected = await signReplyTag(secret, `${conversationId}.${match[2]}`);
  if (!sameText(expected, match[3]!)) return { ok: false, code: "bad_signature" };
  const today = Math.floor(opts.now / DAY_MS);
  const maxAge = opts.maxAgeDays ?? REPLY_ADDRESS_MAX_AGE_DAYS;
  // A day ahead is allowed for clocks a little apart; the signature says we issued it.
  if (day > today + 1 || today - day > maxAge) return { ok: false, code: "expired" };
  return { ok: true, conversationId, issuedAt: day * DAY_MS };
}

/**
 * The signature part of a reply address: HMAC-SHA256 of `data` under `secret`, 80 bits, base32.
 * The only place reply addresses are signed, so routing it through a shared token module later
 * changes this function alone. `ra1.` keeps it apart from every other token signed with the secret.
 */
export async function signReplyTag(secret: string, data: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`ra1.${data}`)));
  return packBase32([...mac.subarray(0, SIGNATURE_BYTES)], 8);
}

/** Constant-time comparison of two strings of the same alphabet. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The visitor's email from the capture form, as stored: VisitorEmail's rules (protocol/email.ts),
 * and an internationalised domain in its ASCII form (`żółw.pl` → `xn--w-uga1v8h.pl`), which every
 * mail system accepts. Null when it is not an address the form takes.
 */
export function normalizeVisitorEmail(input: string): string | null {
  const parsed = v.safeParse(VisitorEmail, input);
  if (!parsed.success) return null;
  const at = parsed.output.lastIndexOf("@");
  const domain = parsed.output.slice(at + 1);
  if (/^[\x20-\x7e]*$/.test(domain)) return parsed.output;
  try {
    return `${parsed.output.slice(0, at)}@${new URL(`http://${domain}`).hostname}`;
  } catch {
    return null;
  }
}
