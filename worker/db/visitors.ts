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
