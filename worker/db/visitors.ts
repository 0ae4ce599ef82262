/**
 * D1 access to visitor profiles for the chat session: resuming the chat's own visitor, claiming a
 * tracked visitor for a chat at most once, creating a new one. Anonymous unless the visitor
 * gives a name or email. Every statement names the site.
 */

/** Creates the visitor on first sight, else moves `last_seen_at`. */
export function touchVisitorStatement(db: D1Database, siteId: string, visitorId: string, now: number): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)
       ON CONFLICT (site_id, id) DO UPDATE SET last_seen_at = ?3`,
    )
    .bind(siteId, visitorId, now);
}

/** A chat's visitor as a session sees it: their conversation (if any) and the profile tracking should use. */
export interface ChatVisitor {
  visitorId: string;
  conversationId: string | null;
  /** The verified profile this visitor was merged into, or the visitor itself. */
  canonicalId: string;
}

/** `write` must return `merged_into` for the visitor row it touched (no row: not this visitor). */
async function chatVisitor(db: D1Database, write: D1PreparedStatement, siteId: string, visitorId: string): Promise<ChatVisitor | null> {
  const [touched, found] = await db.batch([
    write,
    db.prepare("SELECT id FROM conversations WHERE site_id = ? AND visitor_id = ?").bind(siteId, visitorId),
  ]);
  const row = ((touched?.results ?? []) as { merged_into: string | null }[])[0];
  if (!row) return null;
  const conversationId = ((found?.results ?? []) as { id: string }[])[0]?.id ?? null;
  return { visitorId, conversationId, canonicalId: row.merged_into ?? visitorId };
}

/**
 * The chat's own visitor comes back: null when the profile is gone (erased), so an old browser
 * never brings an erased visitor back under the same id. A visitor from before claims existed
 * (a legacy chat token) is claimed now.
 */
export function resumeChatVisitor(db: D1Database, siteId: string, visitorId: string, now: number): Promise<ChatVisitor | null> {
  const write = db
    .prepare(
      `UPDATE visitors SET last_seen_at = ?3, chat_claimed_at = COALESCE(chat_claimed_at, ?3)
       WHERE site_id = ?1 AND id = ?2 RETURNING merged_into`,
    )
    .bind(siteId, visitorId, now);
  return chatVisitor(db, write, siteId, visitorId);
}

/**
 * A chat adopts the visitor the shop page tracks — only if no chat ever took it (one conditional
 * UPDATE: of two racing claims exactly one wins) and it is not merged away. Null otherwise.
 */
export function claimTrackedVisitor(db: D1Database, siteId: string, visitorId: string, now: number): Promise<ChatVisitor | null> {
  const write = db
    .prepare(
      `UPDATE visitors SET last_seen_at = ?3, chat_claimed_at = ?3
       WHERE site_id = ?1 AND id = ?2 AND chat_claimed_at IS NULL AND merged_into IS NULL RETURNING merged_into`,
    )
    .bind(siteId, visitorId, now);
  return chatVisitor(db, write, siteId, visitorId);
}

/** A new visitor, claimed by the chat that asked for it. */
export async function createChatVisitor(db: D1Database, siteId: string, visitorId: string, now: number): Promise<ChatVisitor> {
  await db
    .prepare("INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at, chat_claimed_at) VALUES (?1, ?2, ?3, ?3, ?3)")
    .bind(siteId, visitorId, now)
    .run();
  return { visitorId, conversationId: null, canonicalId: visitorId };
}

/** The visitor's chat is still theirs (claimed, not erased); moves `last_seen_at`. */
export async function touchChatVisitor(db: D1Database, siteId: string, visitorId: string, now: number): Promise<boolean> {
  const row = await db
    .prepare("UPDATE visitors SET last_seen_at = ?3 WHERE site_id = ?1 AND id = ?2 AND chat_claimed_at IS NOT NULL RETURNING id")
    .bind(siteId, visitorId, now)
    .first();
  return row !== null;
}

/** A directory profile's name and email as D1 has them (the chat's email capture writes D1 only). */
export function directoryContact(
  db: D1Database,
  siteId: string,
  visitorId: string,
): Promise<{ name: string | null; email: string | null } | null> {
  return db.prepare("SELECT name, email FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, visitorId).first();
}
