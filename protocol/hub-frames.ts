/**
 * Dashboard socket frames (the site hub): the operator's presence and the Live view's order from
 * the client; the live inbox, presence, queue and the Live view's summary from the server.
 */
import * as v from "valibot";
import type { ErrorFrame } from "./frames";
import { type LiveSummaryFrame, LiveWatchFrame } from "./live";
import type { ConversationSummary, OnlineOperator } from "./models";

/** The operator's chosen presence. "away" takes no new chats. */
export const PresenceStatusFrame = v.object({ type: v.literal("presence"), status: v.picklist(["online", "away"]) });
export const HubClientFrame = v.variant("type", [PresenceStatusFrame, LiveWatchFrame]);
export type HubClientFrame = v.InferOutput<typeof HubClientFrame>;
export type PresenceStatus = v.InferOutput<typeof PresenceStatusFrame>["status"];

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
  | LiveSummaryFrame
  | ErrorFrame;
