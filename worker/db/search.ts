/**
 * D1 access to message search (FTS5). Conversations feed it through their outbox; operators
 * query it per site, and the index itself matches the site (`site_key`, migration 0011). User
 * input never reaches FTS5 syntax: every word becomes a quoted prefix.
 */
import type { MessageKind } from "../../protocol";

export interface IndexedMessage {
  siteId: string;
  conversationId: string;
  seq: number;
  kind: MessageKind;
  text: string;
  createdAt: number;
}

/** Marks around matched words in snippets (control characters: never in message text). */
const MATCH_START = "\u0002";
const MATCH_END = "\u0003";

const ROWS_PER_STATEMENT = 14; // 7 parameters a row, under D1's 100 bound parameters

/** The site as one FTS token: "s" + lower-case hex of its UTF-8 bytes (as the migration writes it). */
export function siteKey(siteId: string): string {
  let hex = "s";
  for (const b of new TextEncoder().encode(siteId)) hex += b.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Statements that add messages to the index. A flush whose success was lost and is retried may
 * index a message twice; `searchMessages` folds such twins, which is cheaper than a delete scan
 * over the index on every flush.
 */
export function indexStatements(db: D1Database, rows: IndexedMessage[]): D1PreparedStatement[] {
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
    statements.push(
      db
        .prepare(
          `INSERT INTO message_search (text, site_key, site_id, conversation_id, seq, kind, created_at) VALUES ${chunk.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        )
        .bind(...chunk.flatMap((r) => [r.text, siteKey(r.siteId), r.siteId, r.conversationId, r.seq, r.kind, r.createdAt])),
    );
  }
  return statements;
}

/**
 * `"word"*` for each word: prefix search, AND of all words, no FTS5 operators from users. Control
 * characters separate words like spaces do: FTS5 reads its query as a C string, so a NUL inside
 * a quoted word ended the query there ("unterminated string", a 500).
 */
export function toMatchQuery(input: string): string | null {
  const words = input
    .split(/[\s\p{Cc}]+/u)
    .map((w) => w.replace(/"/g, "").trim())
    .filter(Boolean)
    .slice(0, 8);
  return words.length ? words.map((w) => `"${w}"*`).join(" ") : null;
}

export interface SearchHit {
  conversationId: string;
  seq: number;
  kind: MessageKind;
  createdAt: number;
  snippet: string;
}

export async function searchMessages(db: D1Database, siteId: string, match: string, limit: number): Promise<SearchHit[]> {
  const { results } = await db
    .prepare(
      `SELECT conversation_id, seq, kind, created_at, snippet(message_search, 0, ?, ?, '…', 16) AS snippet
       FROM message_search WHERE message_search MATCH ? ORDER BY rank LIMIT ?`,
    )
    .bind(MATCH_START, MATCH_END, `site_key : "${siteKey(siteId)}" AND text : (${match})`, limit * 2)
    .all<{ conversation_id: string; seq: number; kind: MessageKind; created_at: number; snippet: string }>();
  const seen = new Set<string>();
  const hits: SearchHit[] = [];
  for (const r of results) {
    const key = `${r.conversation_id}:${r.seq}`;
    if (seen.has(key) || hits.length === limit) continue;
    seen.add(key);
    hits.push({ conversationId: r.conversation_id, seq: r.seq, kind: r.kind, createdAt: r.created_at, snippet: r.snippet });
  }
  return hits;
}
