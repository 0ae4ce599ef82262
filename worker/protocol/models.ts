/**
 * The shapes clients receive: messages, conversations, operators, sites. Types only (erased at
 * build time), shared by the Worker, the widget and the admin.
 */

export type AuthorRole = "visitor" | "operator" | "system";
export type ConversationStatus = "open" | "resolved";
export type MemberRole = "owner" | "admin" | "agent";
/** `note`: an operators-only internal note; never sent to a visitor. */
export type MessageKind = "text" | "note";

/** One stored chat message. `seq` is the conversation's monotonic order, starting at 1. */
export interface ChatMessage {
  seq: number;
  /** The sender's idempotency key; a retried send with the same key returns this message. */
  clientId: string;
  kind: MessageKind;
  role: AuthorRole;
  authorId: string | null;
  authorName: string | null;
  authorAvatar: string | null;
  text: string;
  /** Milliseconds since the epoch, server clock. */
  createdAt: number;
}

/** What a participant learns about the conversation when its socket opens. */
export interface ConversationInfo {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  lastSeq: number;
  /** Highest seq the visitor has read / operators have read. */
  visitorReadSeq: number;
  operatorReadSeq: number;
  createdAt: number;
}

/** An inbox row: what the operator list shows and what D1 stores per conversation. */
export interface ConversationSummary {
  id: string;
  /** Revision, +1 on every change; the newer of two summaries of one conversation wins. */
  rev: number;
  siteId: string;
  visitorId: string;
  visitorName: string | null;
  status: ConversationStatus;
  assigneeId: string | null;
  lastSeq: number;
  messageCount: number;
  lastMessageAt: number | null;
  lastMessagePreview: string | null;
  lastMessageRole: AuthorRole | null;
  /** Visitor messages no operator has read yet. */
  unreadForOperators: number;
  createdAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  /** Last activity (message or status change); inboxes sort on it. */
  updatedAt: number;
}

export interface OperatorProfile {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
}

export interface SiteMembership {
  id: string;
  name: string;
  publicKey: string;
  role: MemberRole;
}

/** Public look of a site's widget (safe to show any visitor). */
export interface WidgetSettings {
  siteName: string;
  accentColor: string;
  welcomeText: string;
}

export interface OnlineOperator {
  id: string;
  name: string;
  avatarUrl: string | null;
}
