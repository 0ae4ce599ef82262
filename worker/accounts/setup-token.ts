/**
 * The one-time setup token that `npm run deploy` prints for creating a deployment's first owner.
 * The deploy script stores only its SHA-256 (hex) as the Worker secret SETUP_TOKEN_HASH; this
 * checks a presented token against it. Pure apart from WebCrypto; imported by the setup service.
 *
 * An unsalted hash is enough here: the token is 256 random bits, so the hash cannot be searched.
 * Single use is the caller's: create the owner only while the deployment has none, in one
 * statement, so the token is dead once the first owner exists.
 */
import { sha256Hex } from "../lib/crypto";

const encoder = new TextEncoder();
const TOKEN = /^gst_[A-Za-z0-9_-]{43}$/;

/**
 * True when `token` hashes to `expectedHash` (compared in constant time). False when the secret
 * is unset (setup disabled), malformed, or the token has the wrong shape.
 */
export async function verifySetupToken(expectedHash: string | undefined, token: string): Promise<boolean> {
  if (!expectedHash || !/^[0-9a-f]{64}$/.test(expectedHash) || !TOKEN.test(token)) return false;
  return crypto.subtle.timingSafeEqual(encoder.encode(await sha256Hex(token)), encoder.encode(expectedHash));
}
