/**
 * Recovery codes for two-factor sign-in: ten single-use codes shown once when 2FA is turned on,
 * stored only as keyed hashes. Pure apart from WebCrypto; imported by the account services.
 *
 * Each code is 10 base32 characters (50 random bits), shown as two groups of five. Why a keyed
 * hash and not plain SHA-256: 2^50 SHA-256 guesses take about 31 hours on one 10 GH/s GPU, so a
 * leaked D1 copy (a backup, `wrangler d1 export`, Time Travel) would give up a chosen account's
 * codes in days. HMAC-SHA256 under a Worker secret makes those guesses uncheckable without the
 * secret, and binding the account id means a hash copied to another account matches nothing.
 *
 * Single use: store one row per hash and redeem with
 * `DELETE FROM … WHERE operator_id = ? AND code_hash = ?` — it either deletes one row (accepted)
 * or none (wrong, or already used by a parallel request), so check and use are one statement.
 */

import { packBase32 } from "../email/base32";
import { hmacSign } from "../lib/crypto";

/** Codes issued per account: enough for years of lost phones, few enough to print on one card. */
export const RECOVERY_CODE_COUNT = 10;
const CODE_CHARS = 10;
const GROUP = 5;

/** `count` fresh codes as the operator sees them, e.g. `k7qm2-xw4pa`. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const digits = [...crypto.getRandomValues(new Uint8Array(CODE_CHARS))].map((b) => b & 31);
    const code = packBase32(digits, 5);
    return `${code.slice(0, GROUP)}-${code.slice(GROUP)}`;
  });
}

/**
 * The canonical form of a typed code (any case; spaces and dashes anywhere are formatting), or
 * null when it cannot be a code — the caller answers that without a query.
 */
export function normaliseRecoveryCode(input: string): string | null {
  const code = input.replace(/[\s\u2010-\u2015-]/g, "").toLowerCase();
  return code.length === CODE_CHARS && /^[a-z2-7]+$/.test(code) ? code : null;
}

/**
 * The stored form of a code for one account: HMAC-SHA256 under `key` (a Worker secret) over the
 * account id and the canonical code, base64url. The same function hashes a code when it is
 * issued and when it is typed; null when the input cannot be a code.
 */
export async function hashRecoveryCode(key: string, accountId: string, input: string): Promise<string | null> {
  const code = normaliseRecoveryCode(input);
  return code === null ? null : hmacSign(key, `gadka-recovery-code\u0000${accountId}\u0000${code}`);
}
