/**
 * D1 access to a site's triggers and its rule set's version and caps (migration 0022). Every
 * query is scoped by site; every change bumps the version in the same batch, so a rule set
 * compiled for version N never differs from another compiled for N.
 */
import { DEFAULT_TRIGGER_CAPS, MAX_TRIGGERS_PER_SITE, type Trigger, type TriggerCaps, type TriggerDefinition } from "../../protocol";

interface TriggerRow {
  id: string;
  definition: string;
  salt: string;
  enabled: number;
  priority: number;
  created_at: number;
  updated_at: number;
  created_by: string | null;
}

export type StoredTrigger = Trigger & { createdBy: string | null };

const COLUMNS = "id, definition, salt, enabled, priority, created_at, updated_at, created_by";

function toTrigger(r: TriggerRow): StoredTrigger {
  const d = JSON.parse(r.definition) as TriggerDefinition;
  return {
    ...d,
    enabled: r.enabled === 1,
    priority: r.priority,
    id: r.id,
    salt: r.salt,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    createdBy: r.created_by,
  };
}

/**
 * Bumps the site's version (creating its row with the default caps the first time) when the
 * statement before it in the batch changed a row (`changes()`: same connection, same transaction).
 */
const bump = (db: D1Database, siteId: string) =>
  db
    .prepare(
      `INSERT INTO trigger_sets (site_id, version, per_visit, per_day) SELECT ?1, 1, ?2, ?3 WHERE changes() > 0
       ON CONFLICT (site_id) DO UPDATE SET version = version + 1`,
    )
    .bind(siteId, DEFAULT_TRIGGER_CAPS.perVisit, DEFAULT_TRIGGER_CAPS.perDay);

export interface TriggerSet {
  version: number;
  caps: TriggerCaps;
  triggers: StoredTrigger[];
}

/** The site's triggers (creation order), version and caps: one batch of two reads. */
export async function loadTriggerSet(db: D1Database, siteId: string): Promise<TriggerSet> {
  const [set, rows] = await db.batch([
    db.prepare("SELECT version, per_visit, per_day FROM trigger_sets WHERE site_id = ?").bind(siteId),
    db.prepare(`SELECT ${COLUMNS} FROM triggers WHERE site_id = ? ORDER BY created_at, id`).bind(siteId),
  ]);
  const s = set!.results[0] as { version: number; per_visit: number; per_day: number } | undefined;
  return {
    version: s?.version ?? 0,
    caps: s ? { perVisit: s.per_visit, perDay: s.per_day } : { ...DEFAULT_TRIGGER_CAPS },
    triggers: (rows!.results as unknown as TriggerRow[]).map(toTrigger),
  };
}

export async function getTrigger(db: D1Database, siteId: string, id: string): Promise<StoredTrigger | null> {
  const r = await db.prepare(`SELECT ${COLUMNS} FROM triggers WHERE site_id = ? AND id = ?`).bind(siteId, id).first<TriggerRow>();
  return r ? toTrigger(r) : null;
}

/** Saves a new trigger unless the site has MAX_TRIGGERS_PER_SITE already (one statement: no race past the limit). */
export async function insertTrigger(db: D1Database, siteId: string, t: StoredTrigger): Promise<"ok" | "full"> {
  const [ins] = await db.batch([
    db
      .prepare(
        `INSERT INTO triggers (site_id, id, definition, salt, enabled, priority, created_at, updated_at, created_by)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8 WHERE (SELECT COUNT(*) FROM triggers WHERE site_id = ?1) < ?9`,
      )
      .bind(
        siteId,
        t.id,
        JSON.stringify(definitionOf(t)),
        t.salt,
        t.enabled ? 1 : 0,
        t.priority,
        t.createdAt,
        t.createdBy,
        MAX_TRIGGERS_PER_SITE,
      ),
    bump(db, siteId),
  ]);
  return ins!.meta.changes === 1 ? "ok" : "full";
}

/** Replaces a trigger's definition; false when the site has no such trigger. */
export async function updateTrigger(db: D1Database, siteId: string, id: string, d: TriggerDefinition, now: number): Promise<boolean> {
  const [up] = await db.batch([
    db
      .prepare("UPDATE triggers SET definition = ?3, enabled = ?4, priority = ?5, updated_at = ?6 WHERE site_id = ?1 AND id = ?2")
      .bind(siteId, id, JSON.stringify(definitionOf(d)), d.enabled ? 1 : 0, d.priority, now),
    bump(db, siteId),
  ]);
  return up!.meta.changes === 1;
}

/** A new salt: a new holdout experiment. False when the site has no such trigger. */
export async function resaltTrigger(db: D1Database, siteId: string, id: string, salt: string, now: number): Promise<boolean> {
  const [up] = await db.batch([
    db.prepare("UPDATE triggers SET salt = ?3, updated_at = ?4 WHERE site_id = ?1 AND id = ?2").bind(siteId, id, salt, now),
    bump(db, siteId),
  ]);
  return up!.meta.changes === 1;
}

export async function deleteTrigger(db: D1Database, siteId: string, id: string): Promise<boolean> {
  const [del] = await db.batch([db.prepare("DELETE FROM triggers WHERE site_id = ? AND id = ?").bind(siteId, id), bump(db, siteId)]);
  return del!.meta.changes === 1;
}

export async function setTriggerCaps(db: D1Database, siteId: string, caps: TriggerCaps): Promise<void> {
  await db
    .prepare(
      `INSERT INTO trigger_sets (site_id, version, per_visit, per_day) VALUES (?1, 1, ?2, ?3)
       ON CONFLICT (site_id) DO UPDATE SET version = version + 1, per_visit = ?2, per_day = ?3`,
    )
    .bind(siteId, caps.perVisit, caps.perDay)
    .run();
}

/** Only the definition's own fields are stored as JSON (never the id, salt or times). */
function definitionOf(d: TriggerDefinition): TriggerDefinition {
  return {
    name: d.name,
    enabled: d.enabled,
    priority: d.priority,
    conditions: d.conditions,
    action: d.action,
    frequencyDays: d.frequencyDays,
    holdoutPercent: d.holdoutPercent,
  };
}
