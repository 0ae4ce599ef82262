/**
 * What the trigger engine remembers about one visitor between pages (never nag): which trigger
 * was shown or held out when, how many were shown in this visit and in the last 24 hours, and
 * whether one was dismissed in this visit. Kept as JSON in the shop page's localStorage under a
 * key per site (engine.ts reads and writes it); pure and DOM-free, for the workerd tests.
 */

export const DAY_MS = 86_400_000;
/** A visit ends after this long without activity: protocol/tracking.ts VISIT_IDLE_MS (a test checks they agree). */
export const VISIT_IDLE_MS = 30 * 60_000;

export interface Memory {
  /** When this visit began and when it was last active. */
  b: number;
  a: number;
  /** Triggers shown in this visit. */
  n: number;
  /** 1: the visitor dismissed a trigger in this visit: nothing more until the next one. */
  x: 0 | 1;
  /** When triggers were shown, over the last 24 hours (the daily cap). */
  s: number[];
  /** Per trigger id: when it was last shown, or held out (the holdout follows the same frequency). */
  t: Record<string, number>;
}

/**
 * The memory as stored (`raw`, or null when there is none), moved on to `now`: a new visit after
 * VISIT_IDLE_MS of quiet, showings older than a day dropped from the cap. (`t` keeps one entry
 * per trigger ever met, a few dozen bytes each.) Anything unreadable is a fresh start, never an error.
 */
export function readMemory(raw: string | null, now: number): Memory {
  let m: Memory = { b: now, a: now, n: 0, x: 0, s: [], t: {} };
  try {
    // Property reads on null or a number throw into the catch as well.
    const j = JSON.parse(raw!) as Memory;
    if (j.b > 0 && j.a > 0 && j.n >= 0 && Array.isArray(j.s) && j.t) m = j;
  } catch {}
  if (now - m.a > VISIT_IDLE_MS) {
    m.b = now;
    m.n = 0;
    m.x = 0;
  }
  m.a = now;
  m.s = m.s.filter((at) => now - at < DAY_MS);
  return m;
}

/** Whether the caps across triggers (per visit, per 24 hours) and a dismissal leave room for one more. */
export function roomLeft(m: Memory, caps: readonly [number, number]): boolean {
  return !m.x && m.n < caps[0] && m.s.length < caps[1];
}

/** Whether a trigger shown or held out before may come again: after `days` days, or (0) in a new visit. */
export function frequencyAllows(m: Memory, id: string, days: number, now: number): boolean {
  const last = m.t[id];
  return last === undefined || (days > 0 ? now - last >= days * DAY_MS : last < m.b);
}
