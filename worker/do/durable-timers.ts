/**
 * Durable timers: named timers kept in a Durable Object's SQLite and multiplexed onto its one
 * alarm. A timer is removed only after its handler succeeded; a handler that throws runs again
 * after an exponential back-off (capped), its attempts counted. An in-memory mirror of the
 * table answers "is it already due earlier?" without touching storage, so a hot path may call
 * `setIfEarlier` on every event. Used by ConversationRoom and SiteHub; each includes
 * `TIMERS_SCHEMA` in its own versioned schema.
 */

/** The table, created by the owning object's schema migration. */
export const TIMERS_SCHEMA = `CREATE TABLE timers (name TEXT PRIMARY KEY, at INTEGER NOT NULL, payload TEXT,
                                                  attempts INTEGER NOT NULL DEFAULT 0)`;

export interface TimerHandler {
  /** Does the timer's work; throwing schedules a retry. `attempts`: failures so far. */
  run(payload: unknown, attempts: number): Promise<void> | void;
  /** Back-off after a failure: `firstMs` × 2^(attempts − 1), at most `maxMs`. */
  retry?: { firstMs: number; maxMs: number };
}

const DEFAULT_RETRY = { firstMs: 1000, maxMs: 5 * 60_000 };

interface Entry {
  at: number;
  payload: string | null;
  attempts: number;
  /** Bumped on every write: a handler's success removes only the timer it ran, not a newer one. */
  version: number;
}

export class DurableTimers<Name extends string> {
  /** The table's rows by name; null until read (the table may not exist yet). */
  private entries: Map<string, Entry> | null = null;
  /**
   * The earliest time the alarm is known to be set for, or null when none is known. The alarm
   * and the rows are written in one atomic write, so after a restart the alarm is at or before
   * the earliest row: that row's time is a safe stand-in.
   */
  private alarmAt: number | null = null;
  /** Timers whose handler is running, with the version of the entry it runs for. */
  private readonly running = new Map<string, number>();
  private version = 0;
  /** Bumped by `reset`: a run that was under way stops touching the (deleted) table. */
  private generation = 0;
  private current: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly handlers: Record<Name, TimerHandler>,
  ) {}

  /** Sets (or moves) a timer. */
  set(name: Name, at: number, payload: unknown = null): void {
    this.write(name, at, payload === null ? null : JSON.stringify(payload), 0);
  }

  /**
   * Sets a timer unless it is already due at or before `at`: then nothing is written. While
   * the timer's own handler runs, it is set again, so work that arrives meanwhile is not lost.
   */
  setIfEarlier(name: Name, at: number, payload: unknown = null): boolean {
    const e = this.load().get(name);
    // While its handler runs, the entry it runs for does not count (it is removed on success);
    // once set again during the run, that new entry counts like any other.
    if (e && e.at <= at && this.running.get(name) !== e.version) return false;
    this.set(name, at, payload);
    return true;
  }

  clear(name: Name): void {
    const entries = this.load();
    if (!entries.has(name)) return;
    entries.delete(name);
    this.storage.sql.exec("DELETE FROM timers WHERE name = ?", name);
  }

  /** When the timer is due and how often its handler has failed; null when it is not set. */
  get(name: Name): { at: number; attempts: number } | null {
    const e = this.load().get(name);
    return e ? { at: e.at, attempts: e.attempts } : null;
  }

  /** The storage was wiped (erasure): forget everything, write nothing. */
  reset(): void {
    this.entries = null;
    this.alarmAt = null;
    this.running.clear();
    this.generation++;
  }

  /**
   * Runs every due timer, oldest first, then sets the alarm for the next. Call from `alarm()`.
   * An alarm fires at (or, run by a test, before) the time it was set for: what was due by then
   * counts as due. Handlers read the clock themselves.
   */
  run(): Promise<void> {
    // One run at a time: a test may run the alarm while the runtime's own run is still awaiting.
    const next = this.current.then(() => this.runDue());
    this.current = next.catch(() => {});
    return next;
  }

  private async runDue(): Promise<void> {
    const generation = this.generation;
    const entries = this.load();
    const now = Math.max(Date.now(), this.alarmAt ?? 0);
    // The alarm that woke us is spent; whatever is set from here on must set a new one.
    this.alarmAt = null;
    const due = [...entries].filter(([, e]) => e.at <= now).sort((a, b) => a[1].at - b[1].at);
    for (const [name, e] of due) {
      const handler = this.handlers[name as Name] as TimerHandler | undefined;
      this.running.set(name, e.version);
      try {
        // A timer of an older build that nothing handles any more is simply dropped.
        if (handler) await handler.run(e.payload === null ? null : JSON.parse(e.payload), e.attempts);
        if (generation !== this.generation) return;
        if (this.entries?.get(name)?.version === e.version) this.clear(name as Name);
      } catch (err) {
        if (generation !== this.generation) return;
        if (this.entries?.get(name)?.version !== e.version) continue; // set again meanwhile: that wins
        const { firstMs, maxMs } = handler?.retry ?? DEFAULT_RETRY;
        const attempts = e.attempts + 1;
        const inMs = Math.min(maxMs, firstMs * 2 ** (attempts - 1));
        console.error("timer failed; retrying", { name, attempts, inMs, error: String(err) });
        this.write(name, Date.now() + inMs, e.payload, attempts);
      } finally {
        this.running.delete(name);
      }
    }
    if (generation !== this.generation) return;
    const next = Math.min(...[...this.load().values()].map((e) => e.at));
    if (Number.isFinite(next)) this.arm(next);
  }

  private write(name: string, at: number, payload: string | null, attempts: number): void {
    const entries = this.load(); // before the insert: loading afterwards would take this row as already armed
    this.storage.sql.exec("INSERT OR REPLACE INTO timers (name, at, payload, attempts) VALUES (?, ?, ?, ?)", name, at, payload, attempts);
    entries.set(name, { at, payload, attempts, version: ++this.version });
    this.arm(at);
  }

  /** Moves the alarm earlier when `at` comes before it; never later (a spare wake-up is harmless). */
  private arm(at: number): void {
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.storage.setAlarm(at);
  }

  private load(): Map<string, Entry> {
    if (this.entries) return this.entries;
    const exists = this.storage.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timers'").toArray().length > 0;
    const entries = new Map<string, Entry>();
    if (!exists) return entries; // not created yet: read again next time, remember nothing
    for (const r of this.storage.sql.exec("SELECT name, at, payload, attempts FROM timers")) {
      entries.set(String(r.name), {
        at: Number(r.at),
        payload: (r.payload as string | null) ?? null,
        attempts: Number(r.attempts),
        version: ++this.version,
      });
    }
    this.entries = entries;
    const first = Math.min(...[...entries.values()].map((e) => e.at));
    this.alarmAt = Number.isFinite(first) ? first : null;
    return entries;
  }
}
