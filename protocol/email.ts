/**
 * Email as the widget and the admin see it: the visitor's email as the chat captures it, the
 * languages emails are written in, the kinds of email Gadka sends. Schemas and types only; the
 * building and parsing are in worker/email/. Shared by the Worker, the widget and the admin.
 */
import * as v from "valibot";
import { isPracticalEmail } from "./email-address";
import { MAX_EMAIL_CHARS } from "./limits";

export { isPracticalEmail };

/**
 * A visitor's email as the chat's capture form takes it: trimmed, lower-cased, at most 254
 * characters. Practical, not RFC-complete. Accepts `name@shop.example`, `first.last+tag@mail.co.uk`,
 * `jan@żółw.pl` (the Worker stores such a domain in its ASCII form). Refuses what a person typing
 * into a chat almost never means and a mail system may not deliver: no `@` or several, display
 * names (`Jan <jan@x.pl>`), spaces, quoted or non-ASCII local parts, leading, trailing or double
 * dots, IP-address or single-label domains (`jan@localhost`), a numeric top-level domain.
 */
export const VisitorEmail = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.maxLength(MAX_EMAIL_CHARS, `an email address is at most ${MAX_EMAIL_CHARS} characters`),
  v.check(isPracticalEmail, "this does not look like an email address (name@example.com)"),
);

/** `POST` body of the chat's email capture: the visitor leaves (or changes) their email. */
export const EmailCaptureBody = v.object({
  email: VisitorEmail,
  /**
   * The language the chat is shown in: the visitor's emails are written in it when the profile
   * knows no language yet (a visitor whose pages live in a shard may have none in D1 yet).
   */
  language: v.optional(v.pipe(v.string(), v.regex(/^[a-z]{2}$/, "language is a 2-letter code"))),
});
export type EmailCaptureBody = v.InferOutput<typeof EmailCaptureBody>;

/** Languages emails are written in; any other recipient language gets English. */
export const EMAIL_LANGUAGES = ["en", "pl", "fi", "ru"] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

/**
 * What Gadka sends: `follow_up` (operators' replies a visitor who left has not seen),
 * `transcript` (a conversation for the visitor), `operator_alert` ("a visitor is waiting").
 */
export type EmailKind = "follow_up" | "transcript" | "operator_alert";
