/**
 * The conversation's SQLite storage inside its Durable Object: versioned schema, the single state
 * row, messages with their seq, and two watermarks saying what D1 has not seen yet (the summary's
 * revision and the last message indexed for search): the outbox, without a row per change. Synchronous, so
 * every mutation below commits atomically with the others in the same event.
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

/** Who is reading: visitors never see internal notes. */
export type Audience = "visitor" | "operator";
const VISIBLE: Record<Audience, string> = { visitor: "kind <> 'note'", operator: "1" };

const SCHEMA_VERSION = 5;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE conversation (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      id TEXT NOT NULL, site_id TEXT NOT NULL, visitor_id TEXT NOT NULL,
      status TEXT NOT NULL, assignee_id TEXT,
      rev INTEGER NOT NULL, last_seq INTEGER NOT NULL, message_count INTEGER NOT NULL,
      visitor_read_seq INTEGER NOT NULL, operator_read_seq INTEGER NOT NULL,
      unread_for_operators INTEGER NOT NULL,
      last_message_at INTEGER, last_message_preview TEXT, last_message_role TEXT,
      created_at INTEGER NOT NULL, first_response_at INTEGER, resolved_at INTEGER,
      updated_at INTEGER NOT NULL
    );
    CREATE TABLE messages (
      seq INTEGER PRIMARY KEY,
      -- role:authorId:clientId; a retried send finds its message here instead of storing twice.
      client_key TEXT NOT NULL UNIQUE,
      client_id TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL,
      author_id TEXT, author_name TEXT, author_avatar TEXT,
      text TEXT NOT NULL, created_at INTEGER NOT NULL
    );
    CREATE TABLE outbox (key TEXT PRIMARY KEY, payload TEXT NOT NULL, rev INTEGER NOT NULL);
  `,
  2: `
    ALTER TABLE conversation ADD COLUMN last_operator_reply_at INTEGER;
    ALTER TABLE conversation ADD COLUMN queue_position INTEGER;
    ALTER TABLE conversation ADD COLUMN queue_eta INTEGER;
    ALTER TABLE messages ADD COLUMN event TEXT;
  `,
  3: `
    ALTER TABLE conversation ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal';
    ALTER TABLE conversation ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE conversation ADD COLUMN snoozed_until INTEGER;
  `,
  4: `ALTER TABLE conversation ADD COLUMN skill TEXT;`,
  // The outbox table (a summary row per change, a row per message) becomes two watermarks: two
  // extra writes and a JSON encoding per message were a third of the message path's CPU.
  5: `
    ALTER TABLE conversation ADD COLUMN flushed_rev INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversation ADD COLUMN indexed_seq INTEGER NOT NULL DEFAULT 0;
    UPDATE conversation SET
      flushed_rev = CASE WHEN EXISTS (SELECT 1 FROM outbox WHERE key = 'summary') THEN 0 ELSE rev END,
      indexed_seq = COALESCE((SELECT MIN(CAST(substr(key, 5) AS INTEGER)) - 1 FROM outbox WHERE key LIKE 'msg:%'), last_seq);
    DROP TABLE outbox;
  `,
};

interface State {
  id: string;
  siteId: string;
  visitorId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  rev: number;
  lastSeq: number;
  messageCount: number;
  visitorReadSeq: number;
  operatorReadSeq: number;
  unreadForOperators: number;
  lastMessageAt: number | null;
  lastMessagePreview: string | null;
  lastMessageRole: AuthorRole | null;
  createdAt: number;
  firstResponseAt: number | null;
  lastOperatorReplyAt: number | null;
  resolvedAt: number | null;
  updatedAt: number;
  queuePosition: number | null;
  queueEtaSeconds: number | null;
  priority: Priority;
  tags: string[];
  snoozedUntil: number | null;
  skill: string | null;
  /** The revision D1 last acknowledged; the summary is pending while `rev` is ahead of it. */
  flushedRev: number;
  /** Messages up to this seq are in D1's search index (or need not be: events). */
  indexedSeq: number;
}

export interface NewMessage {
  clientId: string;
  kind: MessageKind;
  role: AuthorRole;
  authorId: string | null;
  authorName: string | null;
  authorAvatar: string | null;
  text: string;
  event?: ConversationEvent;
}

/** What D1 has not seen yet: the summary (if it changed) and messages to index for search. */
export interface Outbox {
  summary: ConversationSummary | null;
  messages: { seq: number; kind: MessageKind; text: string; createdAt: number }[];
  /** Where the search watermark moves once this batch is stored. */
  indexedUpTo: number;
}

type Row = Record<string, SqlStorageValue>;

export class ConversationStore {
  private state: State | null;

  constructor(private readonly sql: SqlStorage) {
    this.migrate();
    this.state = this.loadState();
  }

  get initialized(): boolean {
    return this.state !== null;
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
    };
  }

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
    };
    this.commit();
  }

  /**
   * Stores a message unless this author already sent one with the same clientId, in which case
   * the stored one is returned and nothing changes.
   */
  append(m: NewMessage, now: number): { message: ChatMessage; duplicate: boolean } {
    const s = this.require();
    const clientKey = `${m.role}:${m.authorId ?? ""}:${m.clientId}`;
    const existing = this.sql.exec("SELECT * FROM messages WHERE client_key = ?", clientKey).toArray()[0];
    if (existing) return { message: toMessage(existing), duplicate: true };

    const message: ChatMessage = { seq: s.lastSeq + 1, createdAt: now, ...m };
    this.sql.exec(
      `INSERT INTO messages (seq, client_key, client_id, kind, role, author_id, author_name, author_avatar, text, created_at, event)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    );
    // Searchable later: the outbox flush indexes everything after `indexedSeq`, not now.
    s.lastSeq = message.seq;
    if (m.kind !== "text") {
      // Notes and events take their place in the order but are not conversation with the
      // visitor: they change neither the preview, unread counts, the first response nor status.
      this.commit();
      return { message, duplicate: false };
    }
    s.messageCount++;
    s.lastMessageAt = now;
    s.lastMessagePreview = m.text.length > PREVIEW_CHARS ? `${m.text.slice(0, PREVIEW_CHARS - 1)}…` : m.text;
    s.lastMessageRole = m.role;
    s.updatedAt = now;
    if (m.role === "visitor") {
      s.unreadForOperators++;
      // Writing again reopens the conversation (resolved, pending or snoozed): the visitor
      // is waiting for an answer.
      if (s.status !== "open") {
        s.status = "open";
        s.resolvedAt = null;
        s.snoozedUntil = null;
      }
    } else if (m.role === "operator") {
      s.firstResponseAt ??= now;
      s.lastOperatorReplyAt = now;
      // Answering means having read everything before the answer.
      s.operatorReadSeq = message.seq;
      s.unreadForOperators = 0;
    }
    this.commit();
    return { message, duplicate: false };
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

  /** Returns false when nothing changed. `snoozeUntil` only counts with `snoozed`. */
  setStatus(status: ConversationStatus, now: number, snoozeUntil: number | null = null): boolean {
    const s = this.require();
    const until = status === "snoozed" ? snoozeUntil : null;
    if (s.status === status && s.snoozedUntil === until) return false;
    s.status = status;
    s.snoozedUntil = until;
    s.resolvedAt = status === "resolved" ? now : null;
    s.updatedAt = now;
    this.commit();
    return true;
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

  /** Hands the conversation to an operator (the caller records the event); leaves the queue. */
  assign(operatorId: string): void {
    const s = this.require();
    s.assigneeId = operatorId;
    s.queuePosition = s.queueEtaSeconds = null;
    this.commit();
  }

  /** Returns false when nothing changed. */
  setQueue(position: number | null, etaSeconds: number | null): boolean {
    const s = this.require();
    if (s.queuePosition === position && s.queueEtaSeconds === etaSeconds) return false;
    s.queuePosition = position;
    s.queueEtaSeconds = etaSeconds;
    this.commit();
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

  /** What D1 has not seen yet: the summary if it changed, and up to `limit` messages to index. */
  outbox(limit: number): Outbox {
    const s = this.require();
    // Events are part of the conversation but not searchable.
    const rows = this.sql
      .exec("SELECT seq, kind, text, created_at FROM messages WHERE seq > ? AND kind <> 'event' ORDER BY seq LIMIT ?", s.indexedSeq, limit)
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
    };
  }

  /** Whether anything still waits for D1. */
  outboxPending(): boolean {
    const s = this.require();
    return s.rev > s.flushedRev || s.indexedSeq < s.lastSeq;
  }

  /** Records a batch as stored in D1; changes made while it was being stored stay pending. */
  outboxDelivered(batch: Outbox): void {
    const s = this.require();
    if (batch.summary) s.flushedRev = Math.max(s.flushedRev, batch.summary.rev);
    s.indexedSeq = Math.max(s.indexedSeq, batch.indexedUpTo);
    this.sql.exec("UPDATE conversation SET flushed_rev = ?, indexed_seq = ?", s.flushedRev, s.indexedSeq);
  }

  private countAfter(role: AuthorRole, seq: number): number {
    const row = this.sql.exec("SELECT COUNT(*) AS n FROM messages WHERE seq > ? AND role = ? AND kind = 'text'", seq, role).one();
    return Number(row.n);
  }

  private require(): State {
    if (!this.state) throw new Error("conversation not created");
    return this.state;
  }

  /** Persists the state row with a new revision, which leaves the summary pending for D1. */
  private commit(): void {
    const s = this.require();
    s.rev++;
    this.sql.exec(
      `INSERT OR REPLACE INTO conversation (singleton, id, site_id, visitor_id, status, assignee_id, rev, last_seq,
         message_count, visitor_read_seq, operator_read_seq, unread_for_operators, last_message_at,
         last_message_preview, last_message_role, created_at, first_response_at, resolved_at, updated_at,
         last_operator_reply_at, queue_position, queue_eta, priority, tags, snoozed_until, skill, flushed_rev, indexed_seq)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      s.id,
      s.siteId,
      s.visitorId,
      s.status,
      s.assigneeId,
      s.rev,
      s.lastSeq,
      s.messageCount,
      s.visitorReadSeq,
      s.operatorReadSeq,
      s.unreadForOperators,
      s.lastMessageAt,
      s.lastMessagePreview,
      s.lastMessageRole,
      s.createdAt,
      s.firstResponseAt,
      s.resolvedAt,
      s.updatedAt,
      s.lastOperatorReplyAt,
      s.queuePosition,
      s.queueEtaSeconds,
      s.priority,
      JSON.stringify(s.tags),
      s.snoozedUntil,
      s.skill,
      s.flushedRev,
      s.indexedSeq,
    );
  }

  private loadState(): State | null {
    const r = this.sql.exec("SELECT * FROM conversation WHERE singleton = 1").toArray()[0];
    if (!r) return null;
    return {
      id: String(r.id),
      siteId: String(r.site_id),
      visitorId: String(r.visitor_id),
      status: r.status as ConversationStatus,
      assigneeId: (r.assignee_id as string | null) ?? null,
      rev: Number(r.rev),
      lastSeq: Number(r.last_seq),
      messageCount: Number(r.message_count),
      visitorReadSeq: Number(r.visitor_read_seq),
      operatorReadSeq: Number(r.operator_read_seq),
      unreadForOperators: Number(r.unread_for_operators),
      lastMessageAt: (r.last_message_at as number | null) ?? null,
      lastMessagePreview: (r.last_message_preview as string | null) ?? null,
      lastMessageRole: (r.last_message_role as AuthorRole | null) ?? null,
      createdAt: Number(r.created_at),
      firstResponseAt: (r.first_response_at as number | null) ?? null,
      resolvedAt: (r.resolved_at as number | null) ?? null,
      updatedAt: Number(r.updated_at),
      lastOperatorReplyAt: (r.last_operator_reply_at as number | null) ?? null,
      queuePosition: (r.queue_position as number | null) ?? null,
      queueEtaSeconds: (r.queue_eta as number | null) ?? null,
      priority: (r.priority as Priority | null) ?? "normal",
      tags: JSON.parse(String(r.tags ?? "[]")) as string[],
      snoozedUntil: (r.snoozed_until as number | null) ?? null,
      skill: (r.skill as string | null) ?? null,
      flushedRev: Number(r.flushed_rev),
      indexedSeq: Number(r.indexed_seq),
    };
  }

  /** DO SQLite has no PRAGMA user_version, so the schema version lives in its own table. */
  private migrate(): void {
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const row = this.sql.exec("SELECT version FROM schema_version").toArray()[0];
    const from = row ? Number(row.version) : 0;
    if (from >= SCHEMA_VERSION) return;
    for (let v = from + 1; v <= SCHEMA_VERSION; v++) this.sql.exec(MIGRATIONS[v]!);
    this.sql.exec("DELETE FROM schema_version");
    this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA_VERSION);
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
  };
}
