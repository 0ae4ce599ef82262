/**
 * Conversation socket frames: valibot schemas for what clients send and types for what the
 * server sends. `decode.ts` turns a raw frame into one of these; `hub-frames.ts` has the
 * dashboard socket's frames.
 *
 * Evolution rules: frame types and fields are only added, never renamed or re-typed. Clients
 * ignore server frames and fields they do not know. The server answers an unknown client frame
 * type with an `unknown_type` error frame and keeps the socket open.
 * The literal strings "ping" / "pong" (not JSON) are a keep-alive answered without waking the DO.
 */
import * as v from "valibot";
import type { ErrorCode } from "./errors";
import { MessageText, Tags } from "./fields";
import { MAX_CLIENT_ID_CHARS, MAX_MESSAGE_CHARS } from "./limits";
import {
  type AuthorRole,
  type ChatMessage,
  CONVERSATION_STATUSES,
  type ConversationInfo,
  type ConversationStatus,
  type MessageKind,
  PRIORITIES,
  type Priority,
} from "./models";

const ClientId = v.pipe(
  v.string(),
  v.minLength(1, "clientId must not be empty"),
  v.maxLength(MAX_CLIENT_ID_CHARS, `clientId is at most ${MAX_CLIENT_ID_CHARS} characters`),
);
const Seq = v.pipe(v.number(), v.integer(), v.minValue(0));

export const SendMessageFrame = v.object({
  type: v.literal("message.send"),
  clientId: ClientId,
  text: MessageText,
  /** Operators only: `note` is an internal note, shown to operators and never to the visitor. */
  kind: v.optional(v.picklist(["text", "note"] as const satisfies readonly MessageKind[]), "text"),
});
export const TypingFrame = v.object({
  type: v.literal("typing"),
  active: v.boolean(),
  /** Visitors only: the text being typed, previewed to operators when the site allows it. */
  draft: v.optional(v.pipe(v.string(), v.maxLength(MAX_MESSAGE_CHARS))),
});
export const ReadFrame = v.object({ type: v.literal("read"), seq: Seq });
/** Ask for the page of messages before `before` (scroll-back). */
export const HistoryFrame = v.object({ type: v.literal("history"), before: v.pipe(Seq, v.minValue(1)) });
/** Operators only: open, pending, snoozed (until `snoozeUntil`, or the visitor's reply), resolved. */
export const StatusFrame = v.object({
  type: v.literal("status"),
  status: v.picklist(CONVERSATION_STATUSES),
  snoozeUntil: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0)))),
});
/** Operators only: priority and tags (operators see them; visitors never do). */
export const UpdateFrame = v.object({
  type: v.literal("update"),
  priority: v.optional(v.picklist(PRIORITIES)),
  tags: v.optional(Tags),
});

export const ClientFrame = v.variant("type", [SendMessageFrame, TypingFrame, ReadFrame, HistoryFrame, StatusFrame, UpdateFrame]);
export type ClientFrame = v.InferOutput<typeof ClientFrame>;

// ---- server → client ----------------------------------------------------------------------

/** First frame on a conversation socket: who you are talking to and the messages you lack. */
export interface HelloFrame {
  type: "hello";
  conversation: ConversationInfo;
  messages: ChatMessage[];
  /** True when older messages exist before `messages[0]` (fetch with a `history` frame). */
  hasMore: boolean;
  /** True when more missed messages follow in `resume` frames before the client is current. */
  resuming: boolean;
}
/** Further missed messages after `hello`, in order; `done` on the last one. */
export interface ResumeFrame {
  type: "resume";
  messages: ChatMessage[];
  done: boolean;
}
/** To the sender only: the message is stored. Carries the stored message (also for retries). */
export interface AckFrame {
  type: "ack";
  clientId: string;
  message: ChatMessage;
}
export interface MessageFrame {
  type: "message";
  message: ChatMessage;
}
export interface TypingStateFrame {
  type: "typing";
  role: AuthorRole;
  name: string | null;
  active: boolean;
  /** To operators only, when the site allows typing preview: the visitor's unsent text. */
  draft?: string;
}
export interface ReadStateFrame {
  type: "read";
  role: AuthorRole;
  seq: number;
}
/** To the visitor while queued: place (1 = next) and a rough wait; null once assigned. */
export interface QueueFrame {
  type: "queue";
  position: number | null;
  etaSeconds: number | null;
}
export interface StatusChangedFrame {
  type: "status";
  status: ConversationStatus;
  byName: string | null;
  snoozedUntil?: number | null;
}
/** To operators: priority and tags changed. */
export interface UpdatedFrame {
  type: "updated";
  priority: Priority;
  tags: string[];
}
export interface HistoryPageFrame {
  type: "history";
  messages: ChatMessage[];
  hasMore: boolean;
}
export interface ErrorFrame {
  type: "error";
  code: ErrorCode;
  message: string;
  /** Set when the error answers a `message.send`, so the client can drop or fix that send. */
  clientId?: string;
  /** With `rate_limited`: how long until the same frame would be accepted. */
  retryInMs?: number;
}

export type ConversationServerFrame =
  | HelloFrame
  | ResumeFrame
  | AckFrame
  | MessageFrame
  | TypingStateFrame
  | ReadStateFrame
  | StatusChangedFrame
  | QueueFrame
  | UpdatedFrame
  | HistoryPageFrame
  | ErrorFrame;
