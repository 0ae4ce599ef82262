/**
 * D1 access to `conversation_events`, the conversations' domain events (protocol/events.ts):
 * the statements a room's outbox flush adds to its batch, and those that erase a person's.
 * Every statement names the site. Used by worker/db/conversations.ts and the erasure.
 */
import type { DomainEvent } from "../../protocol";

const ROWS_PER_STATEMENT = 12; // 8 parameters a row, under D1's 100 bound parameters

/**
 * Inserts events; an event already stored (a retried flush) is left as it is, so a flush is
 * idempotent without reading first.
 */
export function eventStatements(db: D1Database, events: readonly DomainEvent[]): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < events.length; i += ROWS_PER_STATEMENT) {
    const chunk = events.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(
      db
        .prepare(
          `INSERT INTO conversation_events (site_id, conversation_id, seq, type, at, actor_role, actor_id, data)
           VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}
           ON CONFLICT (conversation_id, seq) DO NOTHING`,
        )
        .bind(...chunk.flatMap((e) => [e.siteId, e.conversationId, e.seq, e.type, e.at, e.actorRole, e.actorId, JSON.stringify(e.data)])),
    );
  }
  return statements;
}

/** Deletes the events of these conversations of one site (erasure; part of its batch). */
export function eraseEventStatements(db: D1Database, siteId: string, conversationIds: readonly string[]): D1PreparedStatement[] {
  if (!conversationIds.length) return [];
  return [
    db
      .prepare("DELETE FROM conversation_events WHERE site_id = ?1 AND conversation_id IN (SELECT value FROM json_each(?2))")
      .bind(siteId, JSON.stringify(conversationIds)),
  ];
}
