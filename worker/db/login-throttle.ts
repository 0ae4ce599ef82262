/**
 * D1 access for login throttling: failed attempts counted per key in a fixed window.
 * Keys are `email:<address>` and `ip:<address>`; only failures are counted.
 */

export async function failuresInWindow(db: D1Database, keys: string[], windowStart: number): Promise<Map<string, number>> {
  const placeholders = keys.map(() => "?").join(",");
  const { results } = await db
    .prepare(`SELECT key, failures FROM login_failures WHERE key IN (${placeholders}) AND window_start > ?`)
    .bind(...keys, windowStart)
    .all<{ key: string; failures: number }>();
  return new Map(results.map((r) => [r.key, r.failures]));
}

/** Counts one failure for each key; a key whose window expired starts a new one. */
export async function recordFailure(db: D1Database, keys: string[], now: number, windowStart: number): Promise<void> {
  await db.batch(
    keys.map((key) =>
      db
        .prepare(
          `INSERT INTO login_failures (key, window_start, failures) VALUES (?1, ?2, 1)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN window_start > ?3 THEN failures + 1 ELSE 1 END,
             window_start = CASE WHEN window_start > ?3 THEN window_start ELSE ?2 END`,
        )
        .bind(key, now, windowStart),
    ),
  );
}

export async function clearFailures(db: D1Database, key: string): Promise<void> {
  await db.prepare("DELETE FROM login_failures WHERE key = ?").bind(key).run();
}
