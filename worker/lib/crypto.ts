/**
 * WebCrypto helpers: random ids and tokens, SHA-256, HMAC signatures, PBKDF2 password hashes.
 * Pure functions over `crypto.subtle`; no storage.
 */

const encoder = new TextEncoder();

export function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const b of u8) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(s: string): Uint8Array | null {
  try {
    const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A random, URL-safe token with `bytes` of entropy. */
export function randomToken(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** A prefixed random id, e.g. `c_3kX…` for a conversation (16 random bytes). */
export function newId(prefix: string): string {
  return `${prefix}_${randomToken(16)}`;
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
    hmacKeys.set(secret, key);
  }
  return key;
}

export async function hmacSign(secret: string, data: string): Promise<string> {
  return base64url(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(data)));
}

/** Constant-time check of a signature made by `hmacSign`. */
export async function hmacVerify(secret: string, data: string, signature: string): Promise<boolean> {
  const bytes = fromBase64url(signature);
  if (!bytes) return false;
  return crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, encoder.encode(data));
}

// workerd caps PBKDF2 at 100,000 iterations; that is also OWASP's floor for SHA-256 in 2023+.
const PBKDF2_ITERATIONS = 100_000;

/** `pbkdf2-sha256$<iterations>$<salt>$<hash>` for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const hash = await pbkdf2(password, salt, PBKDF2_ITERATIONS);
  return `pbkdf2-sha256$${PBKDF2_ITERATIONS}$${base64url(salt)}$${base64url(hash)}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, iterations, salt, hash] = stored.split("$");
  const saltBytes = salt ? fromBase64url(salt) : null;
  const expected = hash ? fromBase64url(hash) : null;
  if (scheme !== "pbkdf2-sha256" || !saltBytes || !expected) return false;
  const actual = new Uint8Array(await pbkdf2(password, saltBytes, Number(iterations)));
  return timingSafeEqual(actual, expected);
}

/** Spends the same time as a real check; used when the email is unknown (no enumeration). */
export async function burnPasswordCheck(password: string): Promise<void> {
  await pbkdf2(password, new Uint8Array(16), PBKDF2_ITERATIONS);
}

async function pbkdf2(password: string, salt: Uint8Array, iterations: number): Promise<ArrayBuffer> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  return crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
}

function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Checks `hexSignature` = hex HMAC-SHA256 of `data` under `secret` (the identify hash). The
 * comparison is the platform's constant-time `verify`; malformed hex is simply false.
 */
export async function hmacHexVerify(secret: string, data: string, hexSignature: string): Promise<boolean> {
  if (!/^[0-9a-fA-F]{64}$/.test(hexSignature)) return false;
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hexSignature.slice(i * 2, i * 2 + 2), 16);
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, bytes, encoder.encode(data));
}
