/**
 * D1 proof that a conversation belongs to a visitor, read before its Durable Object is touched
 * (a made-up or erased id must not create or wake an object). Site-scoped.
 */

/**
 * "mine": the conversation's row is this site's and this visitor's, or of a profile merged into
 * this visitor; "other": someone else's; null: no such conversation on this site.
 */
export async function conversationOwnership(
  db: D1Database,
  siteId: string,
  conversationId: string,
  visitorId: string,
): Promise<"mine" | "other" | null> {
  const row = await db
    .prepare(
      `SELECT c.visitor_id = ?3 OR EXISTS (SELECT 1 FROM visitors v WHERE v.site_id = ?1 AND v.id = c.visitor_id AND v.merged_into = ?3) AS mine
       FROM conversations c WHERE c.site_id = ?1 AND c.id = ?2`,
    )
    .bind(siteId, conversationId, visitorId)
    .first<{ mine: number }>();
  return row ? (row.mine ? "mine" : "other") : null;
}
