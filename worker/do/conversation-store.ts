/**
 * The conversation's SQLite storage inside its Durable Object: the single state row, messages
 * with their seq, domain events, and three watermarks saying what D1 has not seen yet (the
 * summary's revision, the last message indexed for search, the last event copied): the outbox,
 * without a row per change. Synchronous, so every mutation below commits atomically with the
 * others in the same event. Holds no tables until `create` (see conversation-schema.ts).
 * Only ConversationRoom uses it.
 */
import {
  type AuthorRole,
  type ChatMessage,
  type ConversationEvent,
  type ConversationInfo,
  type ConversationStatus,
  type ConversationSummary,
  type MessageKind,
  PREVIEW_CHARS,
  type Priority,
} from "../../protocol";
import { hasSchema, migrate } from "./conversation-schema";
import { readState, type State, writeState } from "./conversation-state";
import { EventLog, type LoggedEvent } from "./event-log";

/** Who is reading: visitors never see internal notes. */
export type Audience = "visitor" | "operator";
const VISIBLE: Record<Audience, string> = { visitor: "kind <> 'note'", operator: "1" };

/** Events copied to D1 per flush; a backlog continues right after. */
const EVENTS_PER_FLUSH = 200;

export interface NewMessage {
  clientId: string;
  kind: MessageKind;
  role: AuthorRole;
  authorId: string | null;
  authorName: string | null;
  authorAvatar: string | null;
  text: string;
  event?: ConversationEvent;
  via?: "email";
}

/** What an append changed besides the message: facts the room records as domain events. */
export interface Appended {
  message: ChatMessage;
  duplicate: boolean;
  /** This is the visitor's first message. */
  firstFromVisitor: boolean;
  /** The first operator message after the visitor's first one: ms since that one; else null. */
  firstAnswerAfterMs: number | null;
}

/** What D1 has not seen yet: the summary (if it changed), messages to index, new events. */
export interface Outbox {
  summary: ConversationSummary | null;
  messages: { seq: number; kind: MessageKind; text: string; createdAt: number }[];
  /** Where the search watermark moves once this batch is stored. */
  indexedUpTo: number;
  events: LoggedEvent[];
}

type Row = Record<string, SqlStorageValue>;

export class ConversationStore {
  private state: State | null = null;
  private log: EventLog | null = null;
  /** The schema version this object had when it woke (0: none, or it was just created). */
  readonly upgradedFrom: number = 0;

  constructor(private readonly sql: SqlStorage) {
    if (!hasSchema(sql)) return;
    this.upgradedFrom = migrate(sql);
    this.log = new EventLog(sql);
    this.state = readState(sql);
  }

  get initialized(): boolean {
    return this.state !== null;
  }

  /** The domain event log; only after `create`. */
  get events(): EventLog {
    if (!this.log) throw new Error("conversation not created");
    return this.log;
  }

  get status(): ConversationStatus | null {
    return this.state?.status ?? null;
  }

  /** The conversation as a participant sees it; null before `create`. */
  info(): ConversationInfo | null {
    const s = this.state;
    if (!s) return null;
    return {
      id: s.id,
      siteId: s.siteId,
      visitorId: s.visitorId,
      status: s.status,
      lastSeq: s.lastSeq,
      visitorReadSeq: s.visitorReadSeq,
      operatorReadSeq: s.operatorReadSeq,
      createdAt: s.createdAt,
      assigneeId: s.assigneeId,
      queuePosition: s.queuePosition,
      queueEtaSeconds: s.queueEtaSeconds,
    };
  }

  /** The inbox / D1 row; `visitorName` is filled from D1 profiles, not known here. */
  summary(): ConversationSummary | null {
    const s = this.state;
    if (!s) return null;
    return {
      id: s.id,
      rev: s.rev,
      siteId: s.siteId,
      visitorId: s.visitorId,
      visitorName: null,
      status: s.status,
      assigneeId: s.assigneeId,
      lastSeq: s.lastSeq,
      messageCount: s.messageCount,
      lastMessageAt: s.lastMessageAt,
      lastMessagePreview: s.lastMessagePreview,
      lastMessageRole: s.lastMessageRole,
      unreadForOperators: s.unreadForOperators,
      createdAt: s.createdAt,
      firstResponseAt: s.firstResponseAt,
      lastOperatorReplyAt: s.lastOperatorReplyAt,
      resolvedAt: s.resolvedAt,
      updatedAt: s.updatedAt,
      priority: s.priority,
      tags: s.tags,
      snoozedUntil: s.snoozedUntil,
      skill: s.skill,
      firstVisitorMessageAt: s.firstVisitorMessageAt,
    };
  }

  /** Makes the schema and the conversation (the only call that creates storage). */
  create(init: { id: string; siteId: string; visitorId: string; createdAt: number; skill: string | null }): void {
    this.state = {
      ...init,
      status: "open",
      assigneeId: null,
      rev: 0,
      lastSeq: 0,
      messageCount: 0,
      visitorReadSeq: 0,
      operatorReadSeq: 0,
      unreadForOperators: 0,
      lastMessageAt: null,
      lastMessagePreview: null,
      lastMessageRole: null,
      firstResponseAt: null,
      lastOperatorReplyAt: null,
      resolvedAt: null,
      updatedAt: init.createdAt,
      queuePosition: null,
      queueEtaSeconds: null,
      priority: "normal",
      tags: [],
      snoozedUntil: null,
      flushedRev: 0,
      indexedSeq: 0,
      flushedEventSeq: 0,
      firstVisitorMessageAt: null,
      firstAnswerAt: null,
    };
    migrate(this.sql);
    this.log = new EventLog(this.sql);
    this.commit();
  }

  /**
   * Stores a message unless this author already sent one with the same clientId, in which case
   * the stored one is returned and nothing changes. The status is the caller's: a visitor
   * writing into a resolved conversation is a status change the room records itself.
   */
  append(m: NewMessage, now: number): Appended {
    const s = this.require();
    const clientKey = `${m.role}:${m.authorId ?? ""}:${m.clientId}`;
    const existing = this.sql.exec("SELECT * FROM messages WHERE client_key = ?", clientKey).toArray()[0];
    if (existing) return { message: toMessage(existing), duplicate: true, firstFromVisitor: false, firstAnswerAfterMs: null };

    const message: ChatMessage = { seq: s.lastSeq + 1, createdAt: now, ...m };
    this.sql.exec(
      `INSERT INTO messages (seq, client_key, client_id, kind, role, author_id, author_name, author_avatar, text, created_at, event, via)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      message.seq,
      clientKey,
      m.clientId,
      message.kind,
      m.role,
      m.authorId,
      m.authorName,
      m.authorAvatar,
      m.text,
      now,
      m.event ? JSON.stringify(m.event) : null,
      m.via ?? null,
    );
    // Searchable later: the outbox flush indexes everything after `indexedSeq`, not now.
    s.lastSeq = message.seq;
    let firstFromVisitor = false;
    let firstAnswerAfterMs: number | null = null;
    if (m.kind !== "text") {
      // Notes and events take their place in the order but are not conversation with the
      // visitor: they change neither the preview, unread counts, the first response nor status.
      this.commit();
      return { message, duplicate: false, firstFromVisitor, firstAnswerAfterMs };
    }
    s.messageCount++;
    s.lastMessageAt = now;
    s.lastMessagePreview = m.text.length > PREVIEW_CHARS ? `${m.text.slice(0, PREVIEW_CHARS - 1)}…` : m.text;
    s.lastMessageRole = m.role;
    s.updatedAt = now;
    if (m.role === "visitor") {
      s.unreadForOperators++;
      firstFromVisitor = s.firstVisitorMessageAt === null;
      s.firstVisitorMessageAt ??= now;
    } else if (m.role === "operator") {
      s.firstResponseAt ??= now;
      s.lastOperatorReplyAt = now;
      if (s.firstVisitorMessageAt !== null && s.firstAnswerAt === null) {
        s.firstAnswerAt = now;
        firstAnswerAfterMs = now - s.firstVisitorMessageAt;
      }
      // Answering means having read everything before the answer.
      s.operatorReadSeq = message.seq;
      s.unreadForOperators = 0;
    }
    this.commit();
    return { message, duplicate: false, firstFromVisitor, firstAnswerAfterMs };
  }

  /** Moves a side's read mark forward; returns false when it was already there. */
  markRead(role: "visitor" | "operator", seq: number): boolean {
    const s = this.require();
    const upTo = Math.min(seq, s.lastSeq);
    if (role === "visitor") {
      if (upTo <= s.visitorReadSeq) return false;
      s.visitorReadSeq = upTo;
    } else {
      if (upTo <= s.operatorReadSeq) return false;
      s.operatorReadSeq = upTo;
      s.unreadForOperators = this.countAfter("visitor", upTo);
    }
    this.commit();
    return true;
  }

  /**
   * Returns the status it had, or null when nothing changed. `snoozeUntil` only counts with
   * `snoozed`.
   */
  setStatus(status: ConversationStatus, now: number, snoozeUntil: number | null = null): ConversationStatus | null {
    const s = this.require();
    const until = status === "snoozed" ? snoozeUntil : null;
    if (s.status === status && s.snoozedUntil === until) return null;
    const from = s.status;
    s.status = status;
    s.snoozedUntil = until;
    s.resolvedAt = status === "resolved" ? now : null;
    s.updatedAt = now;
    this.commit();
    return from;
  }

  /** Priority and tags; returns false when nothing changed. */
  setDetails(d: { priority?: Priority | undefined; tags?: string[] | undefined }): boolean {
    const s = this.require();
    const tags = d.tags ? [...new Set(d.tags)] : s.tags;
    const priority = d.priority ?? s.priority;
    if (priority === s.priority && JSON.stringify(tags) === JSON.stringify(s.tags)) return false;
    s.priority = priority;
    s.tags = tags;
    this.commit();
    return true;
  }

  /**
   * Hands the conversation to an operator, or to nobody (it waits in the queue); the caller
   * records the event. Returns who had it.
   */
  assign(operatorId: string | null): string | null {
    const s = this.require();
    const before = s.assigneeId;
    s.assigneeId = operatorId;
    if (operatorId) s.queuePosition = s.queueEtaSeconds = null;
    this.commit();
    return before;
  }

  /** Returns false when nothing changed. */
  setQueue(position: number | null, etaSeconds: number | null): boolean {
    const s = this.require();
    if (s.queuePosition === position && s.queueEtaSeconds === etaSeconds) return false;
    s.queuePosition = position;
    s.queueEtaSeconds = etaSeconds;
    // The place is not part of the summary: no new revision, so no D1 write for every move
    // of every queued conversation.
    writeState(this.sql, s);
    return true;
  }

  /** Operator messages the visitor has not read (the launcher's badge). */
  unreadForVisitor(): number {
    const s = this.require();
    return this.countAfter("operator", s.visitorReadSeq);
  }

  /** Up to `limit` messages before `before` (exclusive), oldest first; `hasMore` if older exist. */
  page(audience: Audience, before: number | null, limit: number): { messages: ChatMessage[]; hasMore: boolean } {
    const upper = before ?? Number.MAX_SAFE_INTEGER;
    const rows = this.sql
      .exec(`SELECT * FROM messages WHERE seq < ? AND ${VISIBLE[audience]} ORDER BY seq DESC LIMIT ?`, upper, limit + 1)
      .toArray();
    const hasMore = rows.length > limit;
    return { messages: rows.slice(0, limit).reverse().map(toMessage), hasMore };
  }

  /** Up to `limit` messages after `after` (exclusive), oldest first. */
  after(audience: Audience, after: number, limit: number): ChatMessage[] {
    return this.sql
      .exec(`SELECT * FROM messages WHERE seq > ? AND ${VISIBLE[audience]} ORDER BY seq LIMIT ?`, after, limit)
      .toArray()
      .map(toMessage);
  }

  /** What D1 has not seen yet: the summary if it changed, up to `limit` messages to index, events. */
  outbox(limit: number): Outbox {
    const s = this.require();
    // Events are part of the conversation but not searchable; neither are system notes without
    // words of their own (their text is empty: clients word them from `event`).
    const rows = this.sql
      .exec(
        "SELECT seq, kind, text, created_at FROM messages WHERE seq > ? AND kind <> 'event' AND text <> '' ORDER BY seq LIMIT ?",
        s.indexedSeq,
        limit,
      )
      .toArray();
    const messages = rows.map((r) => ({
      seq: Number(r.seq),
      kind: r.kind as MessageKind,
      text: String(r.text),
      createdAt: Number(r.created_at),
    }));
    return {
      summary: s.rev > s.flushedRev ? this.summary() : null,
      messages,
      // A full batch stops at its last message; a short one covers everything stored so far.
      indexedUpTo: messages.length === limit ? messages[messages.length - 1]!.seq : s.lastSeq,
      events: this.events.after(s.flushedEventSeq, EVENTS_PER_FLUSH),
    };
  }

  /** Whether anything still waits for D1. */
  outboxPending(): boolean {
    const s = this.require();
    return s.rev > s.flushedRev || s.indexedSeq < s.lastSeq || s.flushedEventSeq < this.events.lastSeq;
  }

  /** Records a batch as stored in D1; changes made while it was being stored stay pending. */
  outboxDelivered(batch: Outbox): void {
    const s = this.require();
    if (batch.summary) s.flushedRev = Math.max(s.flushedRev, batch.summary.rev);
    s.indexedSeq = Math.max(s.indexedSeq, batch.indexedUpTo);
    const lastEvent = batch.events[batch.events.length - 1];
    if (lastEvent) s.flushedEventSeq = Math.max(s.flushedEventSeq, lastEvent.seq);
    this.sql.exec(
      "UPDATE conversation SET flushed_rev = ?, indexed_seq = ?, flushed_event_seq = ?",
      s.flushedRev,
      s.indexedSeq,
      s.flushedEventSeq,
    );
  }

  private countAfter(role: AuthorRole, seq: number): number {
    const row = this.sql.exec("SELECT COUNT(*) AS n FROM messages WHERE seq > ? AND role = ? AND kind = 'text'", seq, role).one();
    return Number(row.n);
  }

  /** Persists the state row with a new revision, which leaves the summary pending for D1. */
  private commit(): void {
    const s = this.require();
    s.rev++;
    writeState(this.sql, s);
  }

  private require(): State {
    if (!this.state) throw new Error("conversation not created");
    return this.state;
  }
}

function toMessage(r: Row): ChatMessage {
  return {
    seq: Number(r.seq),
    clientId: String(r.client_id),
    kind: r.kind as MessageKind,
    role: r.role as AuthorRole,
    authorId: (r.author_id as string | null) ?? null,
    authorName: (r.author_name as string | null) ?? null,
    authorAvatar: (r.author_avatar as string | null) ?? null,
    text: String(r.text),
    createdAt: Number(r.created_at),
    ...(r.event ? { event: JSON.parse(String(r.event)) as ConversationEvent } : {}),
    ...(r.via ? { via: r.via as "email" } : {}),
  };
}
