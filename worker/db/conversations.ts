/**
 * D1 access to conversation rows. The Worker creates a row when a visitor starts a
 * conversation; after that only the conversation's Durable Object writes it, via its outbox.
 * Every query names the site.
 */
import type { AuthorRole, ConversationStatus, ConversationSummary, DomainEvent, Priority } from "../../protocol";
import { eventStatements } from "./conversation-events";
import { type IndexedMessage, indexStatements } from "./search";
import { touchVisitorStatement } from "./visitors";

interface RawConversation {
  id: string;
  trigger_id?: string | null;
  trigger_name?: string | null;
  site_id: string;
  visitor_id: string;
  visitor_name: string | null;
  assignee_id: string | null;
  status: ConversationStatus;
  rev: number;
  last_seq: number;
  message_count: number;
  last_message_at: number | null;
  last_message_preview: string | null;
  last_message_role: AuthorRole | null;
  unread_for_operators: number;
  created_at: number;
  first_response_at: number | null;
  first_visitor_message_at: number | null;
  last_operator_reply_at: number | null;
  resolved_at: number | null;
  updated_at: number;
  priority: Priority;
  tags: string;
  snoozed_until: number | null;
  skill: string | null;
}

const SELECT_SUMMARY = `SELECT c.*, v.name AS visitor_name, json_extract(tr.definition, '$.name') AS trigger_name FROM conversations c
  LEFT JOIN visitors v ON v.site_id = c.site_id AND v.id = c.visitor_id
  LEFT JOIN triggers tr ON tr.site_id = c.site_id AND tr.id = c.trigger_id`;

function toSummary(r: RawConversation): ConversationSummary {
  return {
    id: r.id,
    rev: r.rev,
    siteId: r.site_id,
    visitorId: r.visitor_id,
    visitorName: r.visitor_name,
    status: r.status,
    assigneeId: r.assignee_id,
    lastSeq: r.last_seq,
    messageCount: r.message_count,
    lastMessageAt: r.last_message_at,
    lastMessagePreview: r.last_message_preview,
    lastMessageRole: r.last_message_role,
    unreadForOperators: r.unread_for_operators,
    createdAt: r.created_at,
    firstResponseAt: r.first_response_at,
    firstVisitorMessageAt: r.first_visitor_message_at,
    lastOperatorReplyAt: r.last_operator_reply_at,
    resolvedAt: r.resolved_at,
    updatedAt: r.updated_at,
    priority: r.priority,
    tags: parseTags(r.tags),
    snoozedUntil: r.snoozed_until,
    skill: r.skill,
    triggerId: r.trigger_id ?? null,
    triggerName: r.trigger_name ?? null,
  };
}

function parseTags(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((t): t is string => typeof t === "string") : [];
  } catch {
    return [];
  }
}

/** The visitor's conversation id, if they have one. */
export async function findVisitorConversation(db: D1Database, siteId: string, visitorId: string): Promise<string | null> {
  return db.prepare("SELECT id FROM conversations WHERE site_id = ? AND visitor_id = ?").bind(siteId, visitorId).first<string>("id");
}

/**
 * Creates the visitor's conversation row unless one exists, and returns the id that won: two
 * tabs starting at once converge on one conversation (unique index on site + visitor).
 */
export async function createOrGetConversation(
  db: D1Database,
  row: { id: string; siteId: string; visitorId: string; now: number },
  opts: { touch?: boolean } = {},
): Promise<{ id: string; createdAt: number }> {
  const results = await db.batch([
    opts.touch === false
      ? db.prepare("SELECT 1 FROM visitors WHERE site_id = ? AND id = ?").bind(row.siteId, row.visitorId)
      : touchVisitorStatement(db, row.siteId, row.visitorId, row.now),
    db
      .prepare(
        `INSERT INTO conversations (id, site_id, visitor_id, status, created_at, updated_at)
         VALUES (?1, ?2, ?3, 'open', ?4, ?4) ON CONFLICT (site_id, visitor_id) DO NOTHING`,
      )
      .bind(row.id, row.siteId, row.visitorId, row.now),
    db.prepare("SELECT id, created_at FROM conversations WHERE site_id = ? AND visitor_id = ?").bind(row.siteId, row.visitorId),
  ]);
  const found = results[2];
  const winner = ((found?.results ?? []) as { id: string; created_at: number }[])[0];
  if (!winner) throw new Error("conversation row missing right after insert");
  return { id: winner.id, createdAt: winner.created_at };
}

export async function getConversation(db: D1Database, siteId: string, id: string): Promise<ConversationSummary | null> {
  const r = await db.prepare(`${SELECT_SUMMARY} WHERE c.site_id = ? AND c.id = ?`).bind(siteId, id).first<RawConversation>();
  return r ? toSummary(r) : null;
}

export async function listConversations(
  db: D1Database,
  siteId: string,
  q: { status: ConversationStatus | "all"; limit: number; before?: { at: number; id: string | null } | undefined },
): Promise<ConversationSummary[]> {
  const where = ["c.site_id = ?"];
  const params: unknown[] = [siteId];
  if (q.status !== "all") {
    where.push("c.status = ?");
    params.push(q.status);
  }
  if (q.before?.id) {
    where.push("(c.updated_at < ? OR (c.updated_at = ? AND c.id < ?))");
    params.push(q.before.at, q.before.at, q.before.id);
  } else if (q.before) {
    where.push("c.updated_at < ?");
    params.push(q.before.at);
  }
  const { results } = await db
    .prepare(`${SELECT_SUMMARY} WHERE ${where.join(" AND ")} ORDER BY c.updated_at DESC, c.id DESC LIMIT ?`)
    .bind(...params, q.limit)
    .all<RawConversation>();
  return results.map(toSummary);
}

/** Open conversations and those active since `since`, newest first: a site hub's cold start. */
export async function recentConversations(db: D1Database, siteId: string, since: number, limit: number): Promise<ConversationSummary[]> {
  const { results } = await db
    .prepare(`${SELECT_SUMMARY} WHERE c.site_id = ? AND (c.status = 'open' OR c.updated_at > ?) ORDER BY c.updated_at DESC LIMIT ?`)
    .bind(siteId, since, limit)
    .all<RawConversation>();
  return results.map(toSummary);
}

/**
 * A conversation's outbox in one D1 transaction: its summary, new messages for search and new
 * domain events. Each part is idempotent, so a flush whose answer was lost can be sent again.
 */
export async function flushConversationOutbox(
  db: D1Database,
  summaries: ConversationSummary[],
  messages: IndexedMessage[],
  events: DomainEvent[] = [],
): Promise<void> {
  const statements = [...summaryStatements(db, summaries), ...indexStatements(db, messages), ...eventStatements(db, events)];
  if (statements.length) await db.batch(statements);
}

/**
 * Upserts of Durable Object summaries. A row is only replaced by a newer revision, so a retried
 * or reordered flush never moves a conversation back in time.
 */
function summaryStatements(db: D1Database, summaries: ConversationSummary[]): D1PreparedStatement[] {
  return summaries.map((s) =>
    db
      .prepare(
        `INSERT INTO conversations (id, site_id, visitor_id, assignee_id, status, rev, last_seq, message_count,
             last_message_at, last_message_preview, last_message_role, unread_for_operators, created_at,
             first_response_at, resolved_at, updated_at, last_operator_reply_at, priority, tags, snoozed_until, skill,
             first_visitor_message_at)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)
           ON CONFLICT (id) DO UPDATE SET assignee_id = excluded.assignee_id, status = excluded.status,
             rev = excluded.rev, last_seq = excluded.last_seq, message_count = excluded.message_count,
             last_message_at = excluded.last_message_at, last_message_preview = excluded.last_message_preview,
             last_message_role = excluded.last_message_role, unread_for_operators = excluded.unread_for_operators,
             first_response_at = excluded.first_response_at, resolved_at = excluded.resolved_at,
             updated_at = excluded.updated_at, last_operator_reply_at = excluded.last_operator_reply_at,
             priority = excluded.priority, tags = excluded.tags, snoozed_until = excluded.snoozed_until,
             skill = excluded.skill, first_visitor_message_at = excluded.first_visitor_message_at
           WHERE excluded.rev > conversations.rev AND conversations.site_id = excluded.site_id`,
      )
      .bind(
        s.id,
        s.siteId,
        s.visitorId,
        s.assigneeId,
        s.status,
        s.rev,
        s.lastSeq,
        s.messageCount,
        s.lastMessageAt,
        s.lastMessagePreview,
        s.lastMessageRole,
        s.unreadForOperators,
        s.createdAt,
        s.firstResponseAt,
        s.resolvedAt,
        s.updatedAt,
        s.lastOperatorReplyAt,
        s.priority,
        JSON.stringify(s.tags),
        s.snoozedUntil,
        s.skill,
        s.firstVisitorMessageAt,
      ),
  );
}
