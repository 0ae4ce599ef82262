/**
 * Account emails — sign-up confirmation, "you already have an account", a new email's
 * confirmation, an invitation to a shop's team, a password reset, "your password was changed" —
 * built with the one layout of every Gadka email (layout.ts) as the `send_email` binding's
 * structured form: no MIME or headers of our own beyond the ones outbound.ts sets too. In the
 * recipient's language (account-strings.ts). Names and shop names from outside are made header-
 * safe here and escaped by the layout. Used by worker/accounts/account-mail.ts.
 */
import { isPracticalEmail } from "../../../protocol/email";
import { MAX_NAME_CHARS } from "../../../protocol/limits";
import { headerText } from "../header-text";
import { ACCOUNT_STRINGS, type AccountStrings } from "./account-strings";
import { emailLanguage, fill, plural } from "./i18n";
import { type Brand, type EmailContent, renderHtml, renderText } from "./layout";

export type AccountMailKind =
  | "signup_confirm"
  | "signup_existing"
  | "email_change_confirm"
  | "invitation"
  | "password_reset"
  | "password_changed";

export type AccountMail =
  | { kind: "signup_confirm"; to: string; name: string; link: string; days: number }
  | { kind: "signup_existing"; to: string; signInLink: string }
  | { kind: "email_change_confirm"; to: string; name: string; link: string; days: number }
  | {
      kind: "invitation";
      to: string;
      shopName: string;
      inviterName: string | null;
      role: "owner" | "admin" | "agent";
      link: string;
      days: number;
    }
  | { kind: "password_reset"; to: string; link: string }
  | { kind: "password_changed"; to: string; signInLink: string };

const BRAND: Brand = { name: "Gadka", logoUrl: null, accentColor: "#4f46e5" };
const MAX_SUBJECT_CHARS = 150;

function content(s: AccountStrings, mail: AccountMail): { subject: string; intro: string; button: string; url: string; hint: string } {
  const name = (value: string) => headerText(value, MAX_NAME_CHARS);
  switch (mail.kind) {
    case "signup_confirm":
    case "email_change_confirm": {
      const t = mail.kind === "signup_confirm" ? s.signupConfirm : s.emailChange;
      return {
        subject: t.subject,
        intro: fill(t.intro, { name: name(mail.name) }),
        button: t.button,
        url: mail.link,
        hint: plural(t.hint, mail.days, s.locale),
      };
    }
    case "signup_existing":
      return { ...s.signupExisting, url: mail.signInLink };
    case "invitation": {
      const values = {
        shop: name(mail.shopName) || "Gadka",
        inviter: mail.inviterName ? name(mail.inviterName) : "",
        role: s.roles[mail.role],
      };
      return {
        subject: fill(s.invitation.subject, values),
        intro: fill(values.inviter ? s.invitation.intro : s.invitation.introAnonymous, values),
        button: s.invitation.button,
        url: mail.link,
        hint: plural(s.invitation.hint, mail.days, s.locale),
      };
    }
    case "password_reset":
      return { ...s.reset, url: mail.link };
    case "password_changed":
      return { ...s.passwordChanged, url: mail.signInLink };
  }
}

/** The email for `mail` in `language` (any BCP 47 tag; English when Gadka does not write it). */
export function buildAccountMail(from: string, mail: AccountMail, language: string | null): EmailMessageBuilder {
  const lang = emailLanguage(language);
  const s = ACCOUNT_STRINGS[lang];
  const c = content(s, mail);
  const body: EmailContent = {
    lang: s.locale,
    intro: c.intro,
    messages: [],
    button: { label: c.button, url: webUrl(c.url) },
    hint: c.hint,
    why: s.brandWhy,
  };
  return {
    from: { name: BRAND.name, email: address(from) },
    to: address(mail.to),
    subject: headerText(c.subject, MAX_SUBJECT_CHARS),
    text: renderText(body, BRAND),
    html: renderHtml(body, BRAND),
    headers: {
      "Auto-Submitted": "auto-generated",
      "Content-Language": s.locale,
      "X-Gadka-Kind": mail.kind,
    },
  };
}

function address(value: string): string {
  const a = value.trim().toLowerCase();
  if (!isPracticalEmail(a) || !/^[\x21-\x7e]+$/.test(a))
    throw new TypeError(`not a deliverable address: ${JSON.stringify(value.slice(0, 80))}`);
  return a;
}

function webUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new TypeError(`not a web link: ${url.protocol}`);
  return url.href;
}
