/**
 * Text made safe for a mail header field, in and out: names and subjects from visitors, shops
 * and inbound mail. Pure; used by inbound.ts and outbound.ts.
 */
import { wellFormed } from "../../protocol/fields";

// Control characters (CR and LF above all: header injection), line and paragraph separators,
// and the bidirectional overrides that let a name display as something else ("moc.knab").
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\u202a-\u202e\u2066-\u2069]+/gu;

/** `value` without unsafe characters, spaces collapsed, at most `max` characters (cut with "…"). */
export function headerText(value: string, max: number): string {
  const clean = wellFormed(value).replace(UNSAFE, " ").replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  return `${clean.slice(0, max - 1).replace(/[\ud800-\udbff]$/, "")}…`;
}
