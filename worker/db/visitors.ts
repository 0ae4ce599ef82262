/**
 * D1 access to visitor profiles (anonymous unless the visitor gives a name or email).
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

/**
 * A chat session: records the visit and returns the visitor's conversation, if any, and the
 * profile tracking should use (the verified one this visitor was merged into, or itself).
 */
export async function touchVisitorForSession(
  db: D1Database,
  siteId: string,
  visitorId: string,
  now: number,
): Promise<{ conversationId: string | null; canonicalId: string }> {
  const [, merged, found] = await db.batch([
    touchVisitorStatement(db, siteId, visitorId, now),
    db.prepare("SELECT merged_into FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, visitorId),
    db.prepare("SELECT id FROM conversations WHERE site_id = ? AND visitor_id = ?").bind(siteId, visitorId),
  ]);
  const into = ((merged?.results ?? []) as { merged_into: string | null }[])[0]?.merged_into ?? null;
  const conversationId = ((found?.results ?? []) as { id: string }[])[0]?.id ?? null;
  return { conversationId, canonicalId: into ?? visitorId };
}
