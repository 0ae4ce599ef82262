/**
 * The words of Gadka's emails, one dictionary per language (en.ts, pl.ts, fi.ts, ru.ts), each
 * checked complete against this type. Placeholders: {shop}, {count}, {date}, {visitor},
 * {duration}. Imported by the email templates only.
 */
import type { EmailLanguage } from "../../../protocol/email";

/**
 * Plural forms by Intl.PluralRules category. English and Finnish need `one` and `other`; Polish
 * and Russian `one`, `few`, `many` and `other` (the tests check each language has every form it uses).
 */
export type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export interface EmailStrings {
  /** BCP 47 tag for Intl (dates) and Content-Language. */
  locale: string;
  openChat: string;
  replyHint: string;
  unsubscribe: string;
  /** The visitor's own messages in a transcript. */
  you: string;
  /** A visitor without a name, as an author. */
  visitor: string;
  /** Why a visitor gets an email (follow-up, transcript). */
  visitorWhy: string;
  followUp: {
    /** Subject for exactly one reply; `subject` for more (Russian "one" also means 21, 31…). */
    subjectSingle: string;
    subject: Plural;
    intro: string;
  };
  transcript: {
    subject: string;
    intro: string;
    count: Plural;
  };
  alert: {
    subjectNamed: string;
    subjectAnonymous: string;
    introNamed: string;
    introAnonymous: string;
    /** `{duration}` in the intro: minutes under an hour, then hours, in the case the intro needs. */
    minutes: Plural;
    hours: Plural;
    answer: string;
    why: string;
    unsubscribe: string;
  };
}

export type Dictionaries = Record<EmailLanguage, EmailStrings>;
