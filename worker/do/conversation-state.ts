/**
 * The conversation's state row (one per room: counters, status, assignee, watermarks) as the
 * store holds it in memory, and how it is read and written. Only the conversation store uses it.
 */
import type { AuthorRole, ConversationStatus, Priority } from "../../protocol";

export interface State {
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
  /** Events up to this seq are in D1. */
  flushedEventSeq: number;
  firstVisitorMessageAt: number | null;
  /** The first operator message after the visitor's first one. */
  firstAnswerAt: number | null;
}

/** Writes the state row as it is (the store bumps `rev` first). */
export function writeState(sql: SqlStorage, s: State): void {
  sql.exec(
    `INSERT OR REPLACE INTO conversation (singleton, id, site_id, visitor_id, status, assignee_id, rev, last_seq,
         message_count, visitor_read_seq, operator_read_seq, unread_for_operators, last_message_at,
         last_message_preview, last_message_role, created_at, first_response_at, resolved_at, updated_at,
         last_operator_reply_at, queue_position, queue_eta, priority, tags, snoozed_until, skill, flushed_rev, indexed_seq,
         flushed_event_seq, first_visitor_message_at, first_answer_at)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
    s.flushedEventSeq,
    s.firstVisitorMessageAt,
    s.firstAnswerAt,
  );
}

export function readState(sql: SqlStorage): State | null {
  const r = sql.exec("SELECT * FROM conversation WHERE singleton = 1").toArray()[0];
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
    flushedEventSeq: Number(r.flushed_event_seq),
    firstVisitorMessageAt: (r.first_visitor_message_at as number | null) ?? null,
    firstAnswerAt: (r.first_answer_at as number | null) ?? null,
  };
}
