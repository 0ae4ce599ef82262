/**
 * D1 access for login throttling: attempts counted per key in a fixed window, before the password
 * is checked. Keys are `email:<address>` and `ip:<address>`. Each key is one statement that
 * increments and returns the count, so parallel attempts cannot all read a count under the
 * limit (20–30 of 30 parallel wrong passwords were checked when the count was read first).
 */

/** Counts one attempt for each key (a key whose window expired starts a new one); the counts after it. */
export async function countAttempt(db: D1Database, keys: string[], now: number, windowStart: number): Promise<number[]> {
  const results = await db.batch(
    keys.map((key) =>
      db
        .prepare(
          `INSERT INTO login_failures (key, window_start, failures) VALUES (?1, ?2, 1)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN window_start > ?3 THEN failures + 1 ELSE 1 END,
             window_start = CASE WHEN window_start > ?3 THEN window_start ELSE ?2 END
           RETURNING failures`,
        )
        .bind(key, now, windowStart),
    ),
  );
  return results.map((r) => ((r.results ?? []) as { failures: number }[])[0]?.failures ?? 0);
}

/**
 * A successful sign-in: the email's count starts again; the address keeps its failures (this
 * attempt is taken back), so one good account does not reset a guesser's address.
 */
export async function forgiveAttempt(db: D1Database, emailKey: string, addressKey: string): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM login_failures WHERE key = ?").bind(emailKey),
    db.prepare("UPDATE login_failures SET failures = MAX(failures - 1, 0) WHERE key = ?").bind(addressKey),
  ]);
}
