/**
 * When nobody is there (issue 11): what the widget shows about answering, the visitor's email
 * capture, transcripts, the sent-mail list of a local deployment, and unsubscribing. Types and
 * schemas only; the maths is in worker/hours/, the mail in worker/email/. Shared by the Worker,
 * the widget and the admin.
 */
import * as v from "valibot";
import type { EmailKind } from "./email";
import type { Availability, TypicalReplyTime } from "./hours";

/**
 * The widget's answering state, in `VisitorSessionResponse.availability`. `online`: the faces and
 * names of operators online (at most 3) and the shop's typical first reply of the last 7 days;
 * `away`: inside hours, nobody online; `closed`: `reopensAt` (the widget words it in the
 * visitor's local time). A visitor can always write: nothing is refused in any state.
 */
export type WidgetAvailability = Availability & {
  operators: { name: string; avatarUrl: string | null }[];
  typicalReply: TypicalReplyTime | null;
  /**
   * Ask for an email inline (optional, never blocking) when the profile has none: at once when
   * away or closed, else after this many seconds without an answer. Null: do not ask (the
   * profile has an email, or the shop turned it off).
   */
  askEmailAfterSeconds: number | null;
};

/** `POST /api/widget/email` (Bearer chat token) → `EmailCaptureResponse`: the email on the profile. */
export interface EmailCaptureResponse {
  email: string;
  /** True when a verified identify (the shop's own customer data) gave it. */
  verified: boolean;
}

/**
 * `POST /api/widget/transcript` (Bearer chat token; to the profile's email) and
 * `POST /api/sites/:siteId/conversations/:id/transcript` (members) → 202 `TranscriptResponse`;
 * 409 `conflict` when there is no email to send to, 429 `rate_limited` past the send limits.
 */
export interface TranscriptResponse {
  status: "sent";
  to: string;
}

/** One email as a local deployment recorded it (`GET /api/sites/:siteId/sent-mail`, development only). */
export interface SentMail {
  id: string;
  kind: EmailKind | "invitation" | "password_reset" | "email_confirmation";
  to: string;
  subject: string;
  text: string;
  html: string;
  replyTo: string | null;
  conversationId: string | null;
  /** The id the send binding answered (kept for threading). */
  messageId: string | null;
  sentAt: number;
}
export interface SentMailResponse {
  mails: SentMail[];
  nextCursor: string | null;
}
export const SentMailQuery = v.object({
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}~[A-Za-z0-9_-]{1,64}$/, "cursor is not one this API gave"))),
});

/** Emails Gadka sends per conversation and per shop each day (beyond: 429 and nothing sent). */
export const MAX_EMAILS_PER_CONVERSATION_PER_DAY = 10;
export const MAX_EMAILS_PER_SITE_PER_DAY = 1000;
