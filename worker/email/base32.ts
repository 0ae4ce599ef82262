/**
 * Base32 (RFC 4648 alphabet, lower case, no padding) over fixed-width values: bytes, base64url
 * characters, small numbers. Case-insensitive on the way in, which is why reply addresses use
 * it. Pure; imported by worker/email/ only.
 */

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** `values` (each below 2^width) as base32; the last character's spare bits are zero. */
export function packBase32(values: readonly number[], width: number): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const value of values) {
    acc = (acc << width) | value;
    bits += width;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return bits > 0 ? out + ALPHABET[(acc << (5 - bits)) & 31] : out;
}

/**
 * The `width`-bit values of `text`, or null unless `text` is exactly what packBase32 makes of
 * them (only alphabet characters, in either case; no spare character; spare bits zero), so each
 * value list has one spelling.
 */
export function unpackBase32(text: string, width: number): number[] | null {
  const count = Math.floor((text.length * 5) / width);
  if (text.length * 5 - count * width >= 5) return null;
  const values: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of text.toLowerCase()) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return null;
    acc = (acc << 5) | digit;
    bits += 5;
    if (bits >= width) {
      bits -= width;
      values.push((acc >> bits) & ((1 << width) - 1));
    }
    acc &= (1 << bits) - 1;
  }
  return acc === 0 ? values : null;
}
