/**
 * Field schemas used by more than one body or frame (email, skill, tag, message text), so each
 * rule is written once. Imported by the other protocol modules only.
 */
import * as v from "valibot";
import { MAX_EMAIL_CHARS, MAX_MESSAGE_CHARS } from "./limits";

export const Email = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(MAX_EMAIL_CHARS), v.email("email must be an email address"));

/** A word naming what an operator is good at ("returns", "pl"); routing matches on it. */
export const Skill = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40));
export const Skills = v.pipe(
  v.array(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,40}$/u, "skills are single words"))),
  v.maxLength(20),
);

/** A conversation tag: one lower-case word. */
export const Tag = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, "tags are single words"));
export const Tags = v.pipe(v.array(Tag), v.maxLength(20));

/**
 * Message text: trimmed, not empty, at most MAX_MESSAGE_CHARS. A lone surrogate (half of an
 * emoji cut by a buggy client) cannot be stored as UTF-8: it becomes U+FFFD here, so the text
 * the sender is acknowledged with is exactly the text stored.
 */
export const MessageText = v.pipe(
  v.string(),
  v.transform(wellFormed),
  v.trim(),
  v.minLength(1, "text must not be empty"),
  v.maxLength(MAX_MESSAGE_CHARS, `text is at most ${MAX_MESSAGE_CHARS} characters`),
);

/** Digits in a query string (numbers arrive as strings), as a number. */
export const Digits = (name: string, max = 15) =>
  v.pipe(v.string(), v.regex(new RegExp(`^\\d{1,${max}}$`), `${name} must be a whole number`), v.transform(Number));

/** 1/0/true/false in a query string, as a boolean. */
export const Flag = (name: string) =>
  v.pipe(
    v.string(),
    v.picklist(["0", "1", "true", "false"], `${name} is 1 or 0`),
    v.transform((s) => s === "1" || s === "true"),
  );

/** `s` with every lone surrogate replaced by U+FFFD (String#toWellFormed, for older engines). */
export function wellFormed(s: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const pair = c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      i++;
      continue;
    }
    out += `${s.slice(from, i)}\ufffd`;
    from = i + 1;
  }
  return from === 0 ? s : out + s.slice(from);
}
