/**
 * Domain events: the facts a conversation records about itself, in its own order (`seq` per
 * conversation, from 1), kept in its Durable Object and copied by its outbox to D1
 * (`conversation_events`). Reports and webhooks read these, never live objects.
 * Plain types and one constant list; shared by the Worker and anything that reads events.
 *
 * Evolution rules: types and `data` fields are only added, never renamed or re-typed; readers
 * skip types they do not know. Conversations that existed before events were recorded have
 * events only from the moment they were upgraded (no history is invented).
 */
import type { AuthorRole, ConversationStatus } from "./models";
import type { RatingScale } from "./reports";

/** How much of the visitor's first message its event keeps (`visitor_first_message.text`). */
export const MAX_FIRST_MESSAGE_EVENT_CHARS = 500;

/** How a conversation came to an operator. */
export type AssignHow = "routed" | "taken" | "transferred" | "reassigned" | "invited";

/** Each event type and what its `data` holds. */
export interface DomainEventData {
  /**
   * The conversation exists. Actor: the visitor (they opened the chat) or the operator whose
   * invitation started it (`invited: true`).
   */
  created: { skill: string | null; invited: boolean /** The trigger whose message the visitor replied to (issue 12). */; trigger?: string };
  /** The visitor's first message: from now on the conversation takes an operator's seat. */
  visitor_first_message: {
    seq: number;
    via: "chat" | "email";
    /**
     * The message's first MAX_FIRST_MESSAGE_EVENT_CHARS characters, for the reports' common
     * concerns (issue 13); absent on events recorded before. Erased with the conversation.
     */
    text?: string;
  };
  /** The conversation is waiting for a free operator (again, after a transfer to a skill). Actor: system. */
  queued: { position: number };
  /**
   * An operator holds the conversation. Actor: the operator who took or transferred it, or
   * system (routed, reassigned). `from*`: who held it before, if anyone.
   */
  assigned: {
    operatorId: string;
    operatorName: string;
    how: AssignHow;
    byName: string | null;
    fromId: string | null;
    fromName: string | null;
  };
  /** Nobody holds it any more: transferred to a skill nobody with a free seat has (it queues). */
  unassigned: { operatorId: string | null; byName: string | null };
  /**
   * The first operator message after the visitor's first message (an invitation does not
   * count: it came before). Actor: that operator.
   */
  operator_first_answer: { operatorName: string; seq: number; msSinceVisitorFirstMessage: number };
  /**
   * The status changed. Actor: the operator who changed it, the visitor whose message reopened
   * it, or system (a snooze ran out).
   */
  status_changed: { from: ConversationStatus; to: ConversationStatus; byName: string | null; snoozedUntil: number | null };
  /** A resolved conversation is open again (recorded after its `status_changed`). */
  reopened: { byName: string | null };
  /**
   * The visitor rated the conversation after it was resolved (issue 13). Actor: the visitor. A
   * later rating of the same conversation replaces the earlier one in reports. `operatorId`: who
   * held it then (the operator credited in CSAT); `positive` as `isPositiveRating` says.
   */
  rated: { scale: RatingScale; score: number; positive: boolean; comment: string | null; operatorId: string | null };
}

export type DomainEventType = keyof DomainEventData;

/** Every type, in the order a conversation usually meets them. */
export const DOMAIN_EVENT_TYPES = [
  "created",
  "visitor_first_message",
  "queued",
  "assigned",
  "unassigned",
  "operator_first_answer",
  "status_changed",
  "reopened",
  "rated",
] as const satisfies readonly DomainEventType[];

/** One recorded fact. `actorId`: the visitor's or operator's id; null for system. */
export type DomainEvent = {
  [T in DomainEventType]: {
    siteId: string;
    conversationId: string;
    seq: number;
    type: T;
    /** Milliseconds since the epoch, server clock. */
    at: number;
    actorRole: AuthorRole;
    actorId: string | null;
    data: DomainEventData[T];
  };
}[DomainEventType];
