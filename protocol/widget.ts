/**
 * The visitor's REST calls from the chat iframe and the loader: the anonymous session, starting
 * the conversation, and the unread count.
 */
import * as v from "valibot";
import { Skill } from "./fields";
import type { OnlineOperator, WidgetSettings } from "./models";
import type { WidgetAvailability } from "./offline";

/** `POST /api/widget/session`: the chat iframe starts (or resumes) a visitor. */
export const VisitorSessionBody = v.object({
  siteKey: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /** A token from an earlier visit; invalid or foreign tokens are replaced, not rejected. */
  token: v.optional(v.pipe(v.string(), v.maxLength(512))),
  /**
   * The loader's tracking token (TrackResponse.t), if it has one. Used only when `token` names
   * no visitor of this site: the chat then adopts the visitor the loader has been tracking.
   */
  track: v.optional(v.pipe(v.string(), v.maxLength(512))),
});
export type VisitorSessionBody = v.InferOutput<typeof VisitorSessionBody>;

/** `POST /api/widget/conversations`: optionally, the topic the visitor picked (its skill). */
export const StartConversationBody = v.object({
  skill: v.optional(v.nullable(Skill)),
  /** The trigger whose teaser the visitor replied to: its message opens the conversation, which records it. */
  trigger: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "trigger is a trigger id"))),
});

export interface VisitorSessionResponse {
  /**
   * Keep it; send it back as `token` and as the `Authorization: Bearer` of visitor calls. It
   * expires (`tokenExpiresAt`); every session call renews it, so a visitor who comes back keeps
   * their conversation.
   */
  token: string;
  /** When `token` stops working (ms since the epoch). */
  tokenExpiresAt: number;
  visitorId: string;
  siteId: string;
  /** The visitor's conversation, if one exists. */
  conversationId: string | null;
  /**
   * A read-only token for `GET /api/widget/unread`. The chat iframe hands it to the loader, which
   * may keep it in the shop's storage: it reveals an unread count and nothing else.
   */
  peekToken: string | null;
  settings: WidgetSettings;
  operatorsOnline: OnlineOperator[];
  /** Online, away or closed, and when to ask for an email (issue 11). */
  availability: WidgetAvailability;
  /** The email on the visitor's profile, to show and edit in the chat; null when none. */
  email: string | null;
  /**
   * The tracking token of this visitor (their canonical profile after a verified merge). The
   * chat hands it to the loader, which keeps it as its `t` so page views and chat are one visitor.
   */
  trackToken: string;
}

export interface StartConversationResponse {
  conversationId: string;
  /** As in `VisitorSessionResponse`: the loader's read-only token for the unread count. */
  peekToken: string;
}

/** `GET /api/widget/unread` (used by the loader, no chat UI loaded): unread operator messages. */
export interface UnreadResponse {
  unread: number;
}
