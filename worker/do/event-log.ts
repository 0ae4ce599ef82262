/**
 * The conversation's domain events (protocol/events.ts) in its SQLite, in order, with their own
 * seq. Written only when a fact happens (never per ordinary message), read by the outbox flush.
 * Only the conversation store uses it.
 */
import type { AuthorRole, DomainEvent, DomainEventData, DomainEventType } from "../../protocol";

/** An event as the room stores it; the outbox adds the site and conversation. */
export type LoggedEvent = DomainEvent extends infer E ? (E extends DomainEvent ? Omit<E, "siteId" | "conversationId"> : never) : never;

export interface Actor {
  role: AuthorRole;
  id: string | null;
}

export class EventLog {
  private last: number;

  constructor(private readonly sql: SqlStorage) {
    this.last = Number(sql.exec("SELECT COALESCE(MAX(seq), 0) AS s FROM events").one().s);
  }

  /** Seq of the newest event (0: none). */
  get lastSeq(): number {
    return this.last;
  }

  record<T extends DomainEventType>(type: T, at: number, actor: Actor, data: DomainEventData[T]): number {
    const seq = ++this.last;
    this.sql.exec(
      "INSERT INTO events (seq, type, at, actor_role, actor_id, data) VALUES (?, ?, ?, ?, ?, ?)",
      seq,
      type,
      at,
      actor.role,
      actor.id,
      JSON.stringify(data),
    );
    return seq;
  }

  /** Up to `limit` events after `seq`, oldest first. */
  after(seq: number, limit: number): LoggedEvent[] {
    return this.sql
      .exec("SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?", seq, limit)
      .toArray()
      .map(
        (r) =>
          // The rows are this log's own writes, each type with its data.
          ({
            seq: Number(r.seq),
            type: r.type as DomainEventType,
            at: Number(r.at),
            actorRole: r.actor_role as AuthorRole,
            actorId: (r.actor_id as string | null) ?? null,
            data: JSON.parse(String(r.data)),
          }) as LoggedEvent,
      );
  }
}
