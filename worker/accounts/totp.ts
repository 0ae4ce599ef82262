/**
 * Time-based one-time passwords for two-factor sign-in: RFC 6238 TOTP over RFC 4226 HOTP with
 * HMAC-SHA-1, 6 digits and 30-second steps — what every authenticator app reads from an
 * `otpauth://` URI. Pure apart from WebCrypto; imported by the account services.
 *
 * Replay: a code is valid for up to 90 s (the current step and one on either side), so a code
 * seen over a shoulder could be used again. verifyTotp returns the step it matched; the caller
 * stores it with a compare-and-set and refuses a step at or below the stored one.
 */
import { packBase32, unpackBase32 } from "../email/base32";

/** Seconds per time step (RFC 6238's default, and the only period Google Authenticator honours). */
export const TOTP_STEP_SECONDS = 30;
/** Digits per code; apps assume 6 when the URI says nothing. */
export const TOTP_DIGITS = 6;
/**
 * Steps accepted on either side of the current one: RFC 6238 §5.2 recommends at most one step
 * of delay; with ±1 a phone clock up to 30 s off (and the seconds spent typing) still works.
 */
export const TOTP_SKEW_STEPS = 1;
// 160 bits: RFC 4226 §4 asks for at least 128 and recommends 160 (the HMAC-SHA-1 output size).
const SECRET_BYTES = 20;

const encoder = new TextEncoder();

/** A new random secret: 160 bits as 32 base32 characters (upper case, no padding). */
export function generateTotpSecret(): string {
  return packBase32([...crypto.getRandomValues(new Uint8Array(SECRET_BYTES))], 8).toUpperCase();
}

/** The secret's bytes, or null unless it is base32 of whole bytes (either case, no padding). */
function secretBytes(secret: string): Uint8Array | null {
  const values = unpackBase32(secret.replace(/[\s=]/g, ""), 8);
  return values && values.length > 0 ? Uint8Array.from(values) : null;
}

/**
 * The `otpauth://totp/…` URI an authenticator app scans (Google's Key Uri Format): the label is
 * `issuer:account`, repeated as the `issuer` parameter, which newer apps prefer. The account is
 * the operator's email; pass an issuer such as "Gadka (shop.example.com)" to tell one deployment
 * from another in the app.
 */
export function otpauthUri(opts: { secret: string; account: string; issuer?: string }): string {
  const issuer = opts.issuer ?? "Gadka";
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(opts.account)}`;
  const query = new URLSearchParams({
    secret: opts.secret,
    issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  // URLSearchParams writes a space as "+", which some apps show literally in the issuer.
  return `otpauth://totp/${label}?${query.toString().replaceAll("+", "%20")}`;
}

/** RFC 4226 HOTP: the `digits`-digit code of `counter` (a non-negative integer) under `key`. */
export async function hotp(key: Uint8Array, counter: number, digits = TOTP_DIGITS): Promise<string> {
  const message = new Uint8Array(8);
  const view = new DataView(message.buffer);
  // The counter is 64-bit big-endian; steps after 2106 exceed 32 bits.
  view.setUint32(0, Math.floor(counter / 2 ** 32));
  view.setUint32(4, counter >>> 0);
  const hmacKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", hmacKey, message));
  // Dynamic truncation (RFC 4226 §5.3): 31 bits from the offset the last nibble names.
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = new DataView(mac.buffer).getUint32(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** The time step that contains `nowMs`. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);
}

export type TotpCheck = { ok: true; step: number } | { ok: false; code: "malformed_code" | "wrong_code" | "replayed_code" | "bad_secret" };

/**
 * Checks a code typed by the operator ("123456", "123 456" and "123-456" are the same) against
 * the current step and one on either side. `lastStep` is the step of the last code this account
 * used (null before the first): a match at or below it is `replayed_code`. On success, store
 * `step` atomically, e.g. `UPDATE … SET totp_last_step = ?1 WHERE id = ?2 AND totp_last_step < ?1`,
 * and accept only if that changed one row — two parallel requests with one code then get one
 * sign-in. Every candidate is compared, each in constant time, so the timing tells nothing.
 * The caller limits attempts per account: three of 10^6 codes are valid at any moment.
 */
export async function verifyTotp(secret: string, code: string, opts: { now: number; lastStep: number | null }): Promise<TotpCheck> {
  const key = secretBytes(secret);
  if (!key) return { ok: false, code: "bad_secret" };
  const typed = code.replace(/[\s-]/g, "");
  if (!/^\d{6}$/.test(typed)) return { ok: false, code: "malformed_code" };
  const typedBytes = encoder.encode(typed);
  const current = totpStep(opts.now);
  let accepted: number | null = null;
  let replayed = false;
  for (let step = Math.max(0, current - TOTP_SKEW_STEPS); step <= current + TOTP_SKEW_STEPS; step++) {
    const expected = encoder.encode(await hotp(key, step));
    if (!crypto.subtle.timingSafeEqual(expected, typedBytes)) continue;
    if (opts.lastStep !== null && step <= opts.lastStep) replayed = true;
    else accepted = step;
  }
  if (accepted !== null) return { ok: true, step: accepted };
  return { ok: false, code: replayed ? "replayed_code" : "wrong_code" };
}
