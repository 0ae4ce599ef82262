/**
 * The shapes clients receive: messages, conversations, operators, sites, and the few constant
 * lists their schemas are built from. Shared by the Worker, the widget and the admin.
 */

export type AuthorRole = "visitor" | "operator" | "system";
/**
 * `pending`: waiting for the visitor. `snoozed`: put aside until a time or the visitor's reply.
 * Any visitor message makes a pending, snoozed or resolved conversation open again.
 */
export type ConversationStatus = "open" | "pending" | "snoozed" | "resolved";
export const CONVERSATION_STATUSES = ["open", "pending", "snoozed", "resolved"] as const satisfies readonly ConversationStatus[];
export type Priority = "low" | "normal" | "high" | "urgent";
export const PRIORITIES = ["low", "normal", "high", "urgent"] as const satisfies readonly Priority[];
export type MemberRole = "owner" | "admin" | "agent";
/** Roles in order of power: an owner outranks an admin, an admin an agent. */
export const MEMBER_ROLES = ["owner", "admin", "agent"] as const satisfies readonly MemberRole[];
/**
 * `text`: the conversation itself. `note`: operators only, never sent to a visitor.
 * `event`: something that happened (an operator joined), shown to everyone.
 */
export type MessageKind = "text" | "note" | "event";

/**
 * What an `event` message (and a system `note`) records; clients word it in their language.
 * Visitors receive `joined` and the `status` events of kind `event` (resolved, and open again);
 * pending and snoozed are system notes, for operators only.
 */
export type ConversationEvent = AssignmentEvent | StatusEvent | NoticeEvent | RatedEvent;

/**
 * The visitor rated the conversation (issue 13): a system note, operators only. The visitor's
 * comment is the note's text (searchable, and escaped like every message).
 */
export interface RatedEvent {
  type: "rated";
  scale: "faces3" | "points5";
  score: number;
  positive: boolean;
}

/**
 * Offline and email facts in the history (issue 11). `no_answer` (kind `event`, everyone): nobody
 * answered within the shop's limit during hours — the chat offers email, the conversation stays
 * queued. `email_captured` and `email_sent` (system notes, operators only): the visitor left an
 * email; a follow-up, transcript or alert went out.
 */
export type NoticeEvent =
  | { type: "no_answer"; afterMinutes: number }
  | { type: "email_captured"; email: string }
  | { type: "email_sent"; kind: "follow_up" | "transcript" | "operator_alert"; to: string };

/** An operator took the conversation over: joined (everyone), transferred or re-assigned (operators). */
export interface AssignmentEvent {
  type: "joined" | "transferred" | "reassigned";
  operatorName: string;
  operatorAvatar: string | null;
  /** Who had the conversation before (transfers and re-assignments). */
  fromName?: string | null;
  /** The transfer note, for operators. */
  note?: string | null;
  /** Re-assignment: seconds the previous operator left the visitor without an answer. */
  afterSeconds?: number;
}

/**
 * The conversation's status changed, stored in its history in order. `byRole` "visitor" with
 * status "open" is a visitor writing into a resolved (or pending, snoozed) conversation;
 * "system" is a snooze running out.
 */
export interface StatusEvent {
  type: "status";
  status: ConversationStatus;
  /** The status before the change. */
  from: ConversationStatus;
  byRole: AuthorRole;
  /** The operator's name when an operator changed it. */
  byName: string | null;
  /** With `snoozed`: when it opens again by itself; null: at the visitor's reply. */
  snoozedUntil?: number | null;
}

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
  /** Set on `event` messages and on system notes. */
  event?: ConversationEvent;
  /** Set when the message did not come from the chat: a visitor's reply to an email. */
  via?: "email";
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
  assigneeId: string | null;
  /** While waiting for a free operator: place in the queue (1 = next) and a rough wait. */
  queuePosition: number | null;
  queueEtaSeconds: number | null;
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
  /** The visitor's first message; until then the conversation takes no operator's seat. */
  firstVisitorMessageAt: number | null;
  /** Last operator reply; routing re-assigns a conversation whose assignee has not answered. */
  lastOperatorReplyAt: number | null;
  resolvedAt: number | null;
  /** Last activity (message or status change); inboxes sort on it. */
  updatedAt: number;
  priority: Priority;
  tags: string[];
  /** When a snoozed conversation opens again by itself; null: when the visitor writes. */
  snoozedUntil: number | null;
  /** The skill the visitor's topic asks for; routing prefers operators who have it. */
  skill: string | null;
  /** The trigger whose message started it (issue 12), and its name while the trigger exists; read from D1 (absent from live room summaries). */
  triggerId?: string | null;
  triggerName?: string | null;
}

export interface OperatorProfile {
  id: string;
  email: string;
  name: string;
  avatarUrl: string | null;
  /** The signed-in operator's own choice (`GET`/`PATCH /api/me`): alert emails when a visitor waits. */
  alertEmails?: boolean;
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
  /** Topics a visitor may pick before writing; each routes to operators with its skill. */
  topics: { label: string; skill: string }[];
  /** The shop's logo for the chat header (issue 12 branding); null: the site's name alone. */
  logoUrl: string | null;
  /** The text colour on the accent (branding; at least 4.5:1 on it). */
  textColor: string;
}

export interface OnlineOperator {
  id: string;
  name: string;
  avatarUrl: string | null;
  /** "away": connected but taking no new chats. */
  status: "online" | "away";
  /** Open conversations assigned to them, and their cap. */
  load: number;
  maxChats: number;
}
