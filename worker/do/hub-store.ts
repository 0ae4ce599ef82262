/**
 * The site hub's SQLite: versioned schema (versions only move forward, so a hub's data survives
 * every upgrade), the live inbox (latest summary per conversation), routing state (assignments,
 * the queue), meta, and which sessions viewed which conversations (for sign-out). Synchronous:
 * whatever one event does here commits atomically. The timers' table is created here too but
 * read by its own module. Only SiteHub and its parts use it.
 */
import type { ConversationSummary } from "../../protocol";
import { TIMERS_SCHEMA } from "./durable-timers";

const SCHEMA = [
  `CREATE TABLE inbox (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL,
                       rev INTEGER NOT NULL, summary TEXT NOT NULL);
   CREATE INDEX inbox_by_activity ON inbox (updated_at DESC);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // v2: routing. An assignment row holds an operator's capacity from the moment the hub decides,
  // before the room confirms, so two decisions in flight never overfill an operator.
  `CREATE TABLE assignments (conversation_id TEXT PRIMARY KEY, operator_id TEXT NOT NULL,
                             assigned_at INTEGER NOT NULL, answered INTEGER NOT NULL,
                             tried TEXT NOT NULL DEFAULT '[]');
   CREATE TABLE queue (conversation_id TEXT PRIMARY KEY, skill TEXT, enqueued_at INTEGER NOT NULL);`,
  // v3: the Live view (visitors on the site now, until expires_at) and pending invitations.
  `CREATE TABLE live (visitor_id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX live_by_expiry ON live (expires_at);
   CREATE TABLE invites (visitor_id TEXT PRIMARY KEY, at INTEGER NOT NULL);`,
  // v4: inbox rows by visitor (renaming on identify), the transfer a queued conversation waits
  // to complete (its note, and whom it avoids: who passed it on), the sessions that viewed a conversation (sign-out closes those
  // sockets), durable timers. A conversation whose visitor never wrote gives its seat back.
  `ALTER TABLE inbox ADD COLUMN visitor_id TEXT;
   UPDATE inbox SET visitor_id = json_extract(summary, '$.visitorId');
   CREATE INDEX inbox_by_visitor ON inbox (visitor_id);
   ALTER TABLE queue ADD COLUMN handoff TEXT;
   CREATE TABLE viewers (session_tag TEXT NOT NULL, operator_id TEXT NOT NULL, conversation_id TEXT NOT NULL,
                         at INTEGER NOT NULL, PRIMARY KEY (session_tag, conversation_id));
   CREATE INDEX viewers_by_operator ON viewers (operator_id);
   CREATE INDEX viewers_by_age ON viewers (at);
   ${TIMERS_SCHEMA};
   DELETE FROM assignments WHERE conversation_id IN (SELECT id FROM inbox WHERE json_extract(summary, '$.messageCount') = 0);
   DELETE FROM queue WHERE conversation_id IN (SELECT id FROM inbox WHERE json_extract(summary, '$.messageCount') = 0);`,
  // v5: the Live view moved to the visitor shards (presence and invitations in their memory; the
  // hub merges their aggregates in its own memory): v3's tables go.
  `DROP TABLE live;
   DROP TABLE invites;`,
];

/** Resolved conversations stay in the live inbox this long after their last activity. */
export const RECENT_MS = 7 * 24 * 3600 * 1000;
export const SNAPSHOT_LIMIT = 200;

export interface Held {
  operatorId: string;
  assignedAt: number;
  answered: boolean;
  /** Operators who already had it and did not answer (re-assignment skips them). */
  tried: string[];
}

/** A transfer to a skill that waits in the queue: completed as a transfer when a seat frees. */
export interface Handoff {
  by: { id: string; name: string };
  fromId: string | null;
  fromName: string | null;
  note: string | null;
}

export interface Queued {
  id: string;
  skill: string | null;
  enqueuedAt: number;
  /** Set when it waits because of a transfer; routing does not give it back to `fromId`. */
  handoff: Handoff | null;
}

export type ViewerMatch = { sessionTag: string } | { operatorId: string };

export class HubStore {
  /** The schema version found on wake (0: a new hub). */
  readonly upgradedFrom: number;

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const from = Number(sql.exec("SELECT version FROM schema_version").toArray()[0]?.version ?? 0);
    if (from < SCHEMA.length) {
      for (let v = from; v < SCHEMA.length; v++) sql.exec(SCHEMA[v]!);
      sql.exec("DELETE FROM schema_version");
      sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA.length);
    }
    this.upgradedFrom = from;
  }

  // ---- meta ---------------------------------------------------------------------------------

  siteId(): string | null {
    return this.meta("site_id");
  }

  /** The first site to speak to this hub names it; a hub never serves two sites. */
  rememberSite(siteId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('site_id', ?)", siteId);
  }

  lastChosen(): string | null {
    return this.meta("last_chosen");
  }

  setLastChosen(operatorId: string): void {
    this.setMeta("last_chosen", operatorId);
  }

  /** Whether the inbox was seeded from D1 (a new or wiped hub is, once). */
  seeded(): boolean {
    return this.meta("loaded") !== null;
  }

  markSeeded(now: number): void {
    this.setMeta("loaded", String(now));
  }

  // ---- inbox --------------------------------------------------------------------------------

  summary(id: string): ConversationSummary | null {
    const r = this.sql.exec("SELECT summary FROM inbox WHERE id = ?", id).toArray()[0];
    return r ? (JSON.parse(String(r.summary)) as ConversationSummary) : null;
  }

  /** Stores a summary; `ifAbsent` keeps a row already there (seeding from D1). */
  put(s: ConversationSummary, ifAbsent = false): void {
    this.sql.exec(
      `INSERT OR ${ifAbsent ? "IGNORE" : "REPLACE"} INTO inbox (id, status, updated_at, rev, summary, visitor_id) VALUES (?, ?, ?, ?, ?, ?)`,
      s.id,
      s.status,
      s.updatedAt,
      s.rev,
      JSON.stringify(s),
      s.visitorId,
    );
  }

  /** Removes a conversation from the inbox (routing gives its seat back itself). */
  remove(id: string): void {
    this.sql.exec("DELETE FROM inbox WHERE id = ?", id);
    this.sql.exec("DELETE FROM viewers WHERE conversation_id = ?", id);
  }

  /** Open conversations, and others active lately, newest first (a dashboard's first frame). */
  snapshot(now: number): ConversationSummary[] {
    return this.sql
      .exec(
        "SELECT summary FROM inbox WHERE status = 'open' OR updated_at > ? ORDER BY updated_at DESC LIMIT ?",
        now - RECENT_MS,
        SNAPSHOT_LIMIT,
      )
      .toArray()
      .map((r) => JSON.parse(String(r.summary)) as ConversationSummary);
  }

  /** Conversations not resolved: those whose rooms may hold sockets that care about a policy. */
  unresolvedIds(): string[] {
    return this.sql
      .exec("SELECT id FROM inbox WHERE status <> 'resolved'")
      .toArray()
      .map((r) => String(r.id));
  }

  /** Renames the visitor on their rows (all, or one conversation's); returns the rows changed. */
  rename(where: { visitorId: string } | { conversationId: string }, name: string): ConversationSummary[] {
    const rows =
      "visitorId" in where
        ? this.sql.exec("SELECT summary FROM inbox WHERE visitor_id = ?", where.visitorId)
        : this.sql.exec("SELECT summary FROM inbox WHERE id = ?", where.conversationId);
    const changed: ConversationSummary[] = [];
    for (const r of rows.toArray()) {
      const s = JSON.parse(String(r.summary)) as ConversationSummary;
      if (s.visitorName === name) continue;
      const renamed = { ...s, visitorName: name };
      this.sql.exec("UPDATE inbox SET summary = ? WHERE id = ?", JSON.stringify(renamed), s.id);
      changed.push(renamed);
    }
    return changed;
  }

  // ---- assignments --------------------------------------------------------------------------

  held(id: string): Held | null {
    const r = this.sql.exec("SELECT operator_id, assigned_at, answered, tried FROM assignments WHERE conversation_id = ?", id).toArray()[0];
    return r
      ? {
          operatorId: String(r.operator_id),
          assignedAt: Number(r.assigned_at),
          answered: Number(r.answered) === 1,
          tried: JSON.parse(String(r.tried)) as string[],
        }
      : null;
  }

  hold(id: string, operatorId: string, at: number, answered: boolean, tried: string[] = []): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO assignments (conversation_id, operator_id, assigned_at, answered, tried) VALUES (?, ?, ?, ?, ?)",
      id,
      operatorId,
      at,
      answered ? 1 : 0,
      JSON.stringify(tried),
    );
  }

  /** True when it held a seat. */
  unassign(id: string): boolean {
    return this.sql.exec("DELETE FROM assignments WHERE conversation_id = ? RETURNING 1", id).toArray().length > 0;
  }

  markAnswered(id: string): void {
    this.sql.exec("UPDATE assignments SET answered = 1 WHERE conversation_id = ?", id);
  }

  /** Nobody else could take it: look again after another period. */
  restartClock(id: string, at: number): void {
    this.sql.exec("UPDATE assignments SET assigned_at = ? WHERE conversation_id = ?", at, id);
  }

  /** Seats held per operator. */
  loads(): Map<string, number> {
    const rows = this.sql.exec("SELECT operator_id, COUNT(*) AS n FROM assignments GROUP BY operator_id").toArray();
    return new Map(rows.map((r) => [String(r.operator_id), Number(r.n)]));
  }

  /** Unanswered conversations assigned at or before `before`, oldest first. */
  overdue(before: number): string[] {
    return this.sql
      .exec("SELECT conversation_id FROM assignments WHERE answered = 0 AND assigned_at <= ? ORDER BY assigned_at", before)
      .toArray()
      .map((r) => String(r.conversation_id));
  }

  oldestUnanswered(): number | null {
    return (this.sql.exec("SELECT MIN(assigned_at) AS t FROM assignments WHERE answered = 0").one().t as number | null) ?? null;
  }

  // ---- queue --------------------------------------------------------------------------------

  enqueue(q: Queued): void {
    this.sql.exec(
      "INSERT OR IGNORE INTO queue (conversation_id, skill, enqueued_at, handoff) VALUES (?, ?, ?, ?)",
      q.id,
      q.skill,
      q.enqueuedAt,
      q.handoff ? JSON.stringify(q.handoff) : null,
    );
  }

  /** The queue entry it had, or null when it was not queued. */
  dequeue(id: string): Queued | null {
    const r = this.sql.exec("DELETE FROM queue WHERE conversation_id = ? RETURNING *", id).toArray()[0];
    return r ? toQueued(r) : null;
  }

  isQueued(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM queue WHERE conversation_id = ?", id).toArray().length > 0;
  }

  /** Waiting conversations in arrival order (ties: the order they were queued in). */
  queued(): Queued[] {
    return this.sql.exec("SELECT * FROM queue ORDER BY enqueued_at, rowid").toArray().map(toQueued);
  }

  // ---- viewers (sign-out) -------------------------------------------------------------------

  noteViewer(sessionTag: string, operatorId: string, conversationId: string, now: number, keepMs: number): void {
    this.sql.exec(
      "INSERT OR REPLACE INTO viewers (session_tag, operator_id, conversation_id, at) VALUES (?, ?, ?, ?)",
      sessionTag,
      operatorId,
      conversationId,
      now,
    );
    // No session lives longer than this, so older rows can name no open socket.
    this.sql.exec("DELETE FROM viewers WHERE at < ?", now - keepMs);
  }

  /** The conversations viewed by the matching sessions; their rows are dropped. */
  takeViewed(match: ViewerMatch): string[] {
    const rows =
      "sessionTag" in match
        ? this.sql.exec("DELETE FROM viewers WHERE session_tag = ? RETURNING conversation_id", match.sessionTag)
        : this.sql.exec("DELETE FROM viewers WHERE operator_id = ? RETURNING conversation_id", match.operatorId);
    return [...new Set(rows.toArray().map((r) => String(r.conversation_id)))];
  }

  private meta(key: string): string | null {
    return (this.sql.exec("SELECT value FROM meta WHERE key = ?", key).toArray()[0]?.value as string | undefined) ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value);
  }
}

function toQueued(r: Record<string, SqlStorageValue>): Queued {
  return {
    id: String(r.conversation_id),
    skill: (r.skill as string | null) ?? null,
    enqueuedAt: Number(r.enqueued_at),
    handoff: r.handoff ? (JSON.parse(String(r.handoff)) as Handoff) : null,
  };
}
