/**
 * Choosing and filling the email dictionaries: the recipient's language (any BCP 47 tag, English
 * when Gadka does not write theirs), plurals through Intl.PluralRules, placeholders, dates in a
 * time zone. Imported by the email templates only.
 */
import { EMAIL_LANGUAGES, type EmailLanguage } from "../../../protocol/email";
import { en } from "./en";
import { fi } from "./fi";
import { pl } from "./pl";
import { ru } from "./ru";
import type { Dictionaries, EmailStrings, Plural } from "./strings";

const DICTIONARIES: Dictionaries = { en, pl, fi, ru };

/** "pl-PL" → "pl", "fi" → "fi", "de-AT" or "" → "en". */
export function emailLanguage(tag: string | null | undefined): EmailLanguage {
  const base = (tag ?? "").trim().toLowerCase().split(/[-_]/)[0];
  return (EMAIL_LANGUAGES as readonly string[]).includes(base ?? "") ? (base as EmailLanguage) : "en";
}

export function stringsFor(language: EmailLanguage): EmailStrings {
  return DICTIONARIES[language];
}

/** The form of `forms` for `count` in `locale`, with {count} filled in. */
export function plural(forms: Plural, count: number, locale: string): string {
  const form = forms[new Intl.PluralRules(locale).select(count)] ?? forms.other;
  return fill(form, { count: String(count) });
}

/** `template` with each {name} replaced; unknown names stay as written. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}

/** "30 Nov 2026, 09:00" in the recipient's language, on the clock of `timeZone`. */
export function dateTime(locale: string, timeZone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(at);
}

/** "30 November 2026" (Polish "30 listopada 2026", the form that follows "z"). */
export function longDate(locale: string, timeZone: string, at: number): string {
  return new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone }).format(at);
}
