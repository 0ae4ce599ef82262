/**
 * Sealing a stored TOTP secret: AES-256-GCM under a key derived (HKDF-SHA256) from a Worker
 * secret, with the account id as associated data. Pure apart from WebCrypto; imported by the
 * account services.
 *
 * Why: the server must read a TOTP secret back to check codes, so it cannot be hashed, and a copy
 * of D1 (a backup, `wrangler d1 export`, Time Travel) would otherwise carry every operator's
 * second factor. Sealed, a D1 copy alone gives nothing; the account id as associated data means a
 * sealed value copied onto another account does not open.
 */
import { packBase32, unpackBase32 } from "../email/base32";

const VERSION = "v1";
const IV_BYTES = 12;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function sealKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"])
      .then((base) =>
        crypto.subtle.deriveKey(
          { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: encoder.encode("gadka totp secret seal v1") },
          base,
          { name: "AES-GCM", length: 256 },
          false,
          ["encrypt", "decrypt"],
        ),
      );
    keys.set(secret, key);
  }
  return key;
}

/** `v1.<iv>.<ciphertext>` (base32) of `totpSecret` for `accountId`, under `key` (a Worker secret). */
export async function sealTotpSecret(key: string, accountId: string, totpSecret: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(accountId) },
    await sealKey(key),
    encoder.encode(totpSecret),
  );
  return `${VERSION}.${packBase32([...iv], 8)}.${packBase32([...new Uint8Array(sealed)], 8)}`;
}

/** The TOTP secret in `sealed`, or null when it was sealed for another account or key, or altered. */
export async function openTotpSecret(key: string, accountId: string, sealed: string): Promise<string | null> {
  const [version, ivText, dataText, ...rest] = sealed.split(".");
  const iv = ivText ? unpackBase32(ivText, 8) : null;
  const data = dataText ? unpackBase32(dataText, 8) : null;
  if (version !== VERSION || rest.length > 0 || !iv || iv.length !== IV_BYTES || !data) return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: Uint8Array.from(iv), additionalData: encoder.encode(accountId) },
      await sealKey(key),
      Uint8Array.from(data),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}
