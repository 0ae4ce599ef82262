/**
 * Socket frames: valibot schemas for what clients send, types for what the server sends, and
 * `decodeClientFrame`, the one place a raw frame becomes a typed one.
 *
 * Evolution rules: frame types and fields are only added, never renamed or re-typed. Clients
 * ignore server frames and fields they do not know. The server answers an unknown client frame
 * type with an `unknown_type` error frame and keeps the socket open.
 * The literal strings "ping" / "pong" (not JSON) are a keep-alive answered without waking the DO.
 */
import * as v from "valibot";
import type { ErrorCode } from "./errors";
import { MAX_CLIENT_ID_CHARS, MAX_FRAME_BYTES, MAX_MESSAGE_CHARS } from "./limits";
import type { LiveGoneFrame, LiveSnapshotFrame, LiveUpdateFrame } from "./visitors";
import {
  type AuthorRole,
  CONVERSATION_STATUSES,
  type ChatMessage,
  type ConversationInfo,
  type ConversationStatus,
  type ConversationSummary,
  type MessageKind,
  type OnlineOperator,
  PRIORITIES,
  type Priority,
} from "./models";

const ClientId = v.pipe(
  v.string(),
  v.minLength(1, "clientId must not be empty"),
  v.maxLength(MAX_CLIENT_ID_CHARS, `clientId is at most ${MAX_CLIENT_ID_CHARS} characters`),
);
const Seq = v.pipe(v.number(), v.integer(), v.minValue(0));

/** Message text: trimmed, not empty, at most MAX_MESSAGE_CHARS. */
export const MessageText = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, "text must not be empty"),
  v.maxLength(MAX_MESSAGE_CHARS, `text is at most ${MAX_MESSAGE_CHARS} characters`),
);

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
const Tag = v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, "tags are single words"));
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
  tags: v.optional(v.pipe(v.array(Tag), v.maxLength(20))),
});

export const CLIENT_FRAME_TYPES = ["message.send", "typing", "read", "history", "status", "update"] as const;

export const ClientFrame = v.variant("type", [
  SendMessageFrame,
  TypingFrame,
  ReadFrame,
  HistoryFrame,
  StatusFrame,
  UpdateFrame,
]);
export type ClientFrame = v.InferOutput<typeof ClientFrame>;

/** Dashboard socket (site hub): the operator's chosen presence. "away" takes no new chats. */
export const PresenceStatusFrame = v.object({ type: v.literal("presence"), status: v.picklist(["online", "away"]) });
export const HUB_CLIENT_FRAME_TYPES = ["presence"] as const;
export const HubClientFrame = v.variant("type", [PresenceStatusFrame]);
export type HubClientFrame = v.InferOutput<typeof HubClientFrame>;
export type PresenceStatus = HubClientFrame["status"];

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
}

/** Dashboard socket (site hub): the inbox as of now, then changes. */
export interface InboxSnapshotFrame {
  type: "inbox.snapshot";
  conversations: ConversationSummary[];
  operatorsOnline: OnlineOperator[];
}
export interface InboxUpdateFrame {
  type: "inbox.update";
  conversation: ConversationSummary;
}
export interface PresenceFrame {
  type: "presence";
  operatorsOnline: OnlineOperator[];
}
/** Dashboard socket: the conversations waiting for a free operator, in arrival order. */
export interface QueueStateFrame {
  type: "queue.state";
  conversationIds: string[];
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

/** Dashboard socket: a conversation was erased (GDPR): drop it from the inbox. */
export interface InboxRemoveFrame {
  type: "inbox.remove";
  conversationId: string;
}

export type HubServerFrame =
  | InboxSnapshotFrame
  | InboxUpdateFrame
  | InboxRemoveFrame
  | PresenceFrame
  | QueueStateFrame
  | LiveSnapshotFrame
  | LiveUpdateFrame
  | LiveGoneFrame
  | ErrorFrame;

// ---- decoding -----------------------------------------------------------------------------

export type DecodeResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: ErrorCode; message: string; clientId?: string } };

/** A conversation socket's frame, typed, or a coded error. Never throws. */
export function decodeClientFrame(raw: string | ArrayBuffer): DecodeResult<ClientFrame> {
  return decodeFrame(raw, ClientFrame, CLIENT_FRAME_TYPES);
}

/** A dashboard (site hub) socket's frame, typed, or a coded error. Never throws. */
export function decodeHubFrame(raw: string | ArrayBuffer): DecodeResult<HubClientFrame> {
  return decodeFrame(raw, HubClientFrame, HUB_CLIENT_FRAME_TYPES);
}

/**
 * Turns a raw socket frame into a typed frame of `schema`, or a coded error. Size is checked
 * before parsing so an oversized frame costs nothing to reject.
 */
function decodeFrame<S extends v.GenericSchema>(raw: string | ArrayBuffer, schema: S, types: readonly string[]): DecodeResult<v.InferOutput<S>> {
  if (typeof raw !== "string") {
    return fail("bad_request", "Frames must be JSON text, not binary.");
  }
  // Cheap upper bound first: a string of n UTF-16 units is at most 3n UTF-8 bytes.
  if (raw.length * 3 > MAX_FRAME_BYTES && utf8ByteLength(raw) > MAX_FRAME_BYTES) {
    return fail("too_large", `Frames are at most ${MAX_FRAME_BYTES} bytes.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return fail("bad_json", "The frame is not valid JSON.");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return fail("bad_request", "A frame is a JSON object with a string `type`.");
  }
  const record = json as Record<string, unknown>;
  const clientId = typeof record.clientId === "string" ? record.clientId.slice(0, MAX_CLIENT_ID_CHARS) : undefined;
  if (typeof record.type !== "string") {
    return fail("bad_request", "A frame is a JSON object with a string `type`.", clientId);
  }
  if (!types.includes(record.type)) {
    return fail("unknown_type", `Unknown frame type "${record.type.slice(0, 40)}".`, clientId);
  }
  const parsed = v.safeParse(schema, json);
  if (!parsed.success) {
    return fail("validation_failed", describeIssue(parsed.issues[0]), clientId);
  }
  return { ok: true, value: parsed.output };
}

/** A one-line, person-readable description of the first validation problem. */
export function describeIssue(issue: v.BaseIssue<unknown> | undefined): string {
  if (!issue) return "The input is not valid.";
  const path = issue.path?.map((p) => String(p.key)).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** UTF-8 size of a string without TextEncoder (this module runs where no Web APIs are typed). */
export function utf8ByteLength(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4; // a surrogate pair is one 4-byte code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function fail(code: ErrorCode, message: string, clientId?: string): DecodeResult<never> {
  return { ok: false, error: clientId === undefined ? { code, message } : { code, message, clientId } };
}
