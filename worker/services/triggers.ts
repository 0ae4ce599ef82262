/**
 * Proactive triggers as use cases: the admin's CRUD (each change bumps the site's rule-set
 * version, db/triggers.ts), the list's counters (a scatter-gather over the visitor shards'
 * trigger_exposures), the rule set the trigger chunk fetches (compiled, with the usual time on
 * page merged from the shards' histograms), and the beacon's part (the version `r`, the visitor's
 * facts `g`, the trigger an event names).
 *
 * Cost on the beacon path: the site's triggers, version and caps are cached per isolate for
 * TRIGGER_SET_TTL_MS (one D1 batch of two reads per site and isolate per TTL); a change made
 * through this isolate clears the entry at once, other isolates see it within the TTL. A ping
 * reads nothing else; a page view's facts come from the one shard call the beacon makes anyway.
 */
import {
  type BusinessHours,
  type CompactRuleSet,
  MAX_USUAL_PAGES,
  TRIGGER_STATS_DAYS,
  type Trigger,
  type TriggerCaps,
  type TriggerDefinition,
  type TriggerFacts,
  type TriggerListResponse,
  type TriggerRecord,
  type TriggerStats,
} from "../../protocol";
import { siteRoster } from "../db/operators";
import { listSegments } from "../db/segments";
import { readSettings } from "../db/sites";
import {
  deleteTrigger as dbDeleteTrigger,
  updateTrigger as dbUpdateTrigger,
  getTrigger,
  insertTrigger,
  loadTriggerSet,
  resaltTrigger,
  type StoredTrigger,
  setTriggerCaps,
  type TriggerSet,
} from "../db/triggers";
import type { ShardTriggerFacts } from "../do/visitor-shard";
import type { Env } from "../env";
import { isOpen } from "../hours/schedule";
import { ApiError } from "../lib/api-error";
import { newId, randomToken } from "../lib/crypto";
import { compileRuleSet, type Sender } from "../triggers/compile";
import { REST_PAGES_KEY, usualTimeOnPage } from "../triggers/usual-time";
import { validateTrigger } from "../triggers/validate";
import { eligibleTriggerIds } from "../triggers/visitor-conditions";
import { allShards, siteLayout } from "./visitor-shards";

export const TRIGGER_SET_TTL_MS = 10_000;
/** The usual time on page looks this far back. */
export const USUAL_TIME_DAYS = 14;
/** A compiled rule set is kept this long per isolate (its usual times age slowly). */
export const RULE_SET_TTL_MS = 10 * 60_000;

const setCache = new Map<string, { at: number; set: TriggerSet }>();

/** The site's triggers, version and caps, from the isolate's cache when fresh. */
export async function cachedTriggerSet(env: Env, siteId: string): Promise<TriggerSet> {
  const hit = setCache.get(siteId);
  if (hit && Date.now() - hit.at < TRIGGER_SET_TTL_MS) return hit.set;
  const set = await loadTriggerSet(env.DB, siteId);
  if (setCache.size > 1000) setCache.clear();
  setCache.set(siteId, { at: Date.now(), set });
  return set;
}

/** A change made here: this isolate's next beacon and rule-set read see it at once. */
export function forgetTriggerSet(siteId: string): void {
  setCache.delete(siteId);
  for (const key of ruleSetCache.keys()) if (key.startsWith(`${siteId}:`)) ruleSetCache.delete(key);
}

/** The version as the beacon's answer carries it, or null when no trigger is enabled. */
export function ruleVersion(set: TriggerSet): string | null {
  return set.triggers.some((t) => t.enabled) ? String(set.version) : null;
}

// ---- the admin's CRUD --------------------------------------------------------------------------

async function siteIds(env: Env, siteId: string) {
  const [roster, segments] = await Promise.all([siteRoster(env.DB, siteId), listSegments(env.DB, siteId)]);
  return { operatorIds: new Set(roster.map((o) => o.id)), segmentIds: new Set(segments.map((s) => s.id)) };
}

async function checked(env: Env, siteId: string, input: unknown): Promise<TriggerDefinition> {
  const r = validateTrigger(input, await siteIds(env, siteId));
  if (!r.ok) throw new ApiError(r.error.code as "validation_failed", r.error.message);
  return r.value;
}

const record = (t: StoredTrigger, stats?: TriggerStats): TriggerRecord => (stats ? { ...t, stats } : { ...t });

export async function listTriggers(env: Env, siteId: string, now = Date.now()): Promise<TriggerListResponse> {
  const set = await loadTriggerSet(env.DB, siteId);
  const stats = set.triggers.length ? await triggerStats(env, siteId, set.triggers, now).catch(() => null) : null;
  return {
    triggers: set.triggers.map((t) => record(t, stats?.get(t.id) ?? (stats ? zeroStats() : undefined))),
    caps: set.caps,
    version: set.version,
  };
}

export async function readTrigger(env: Env, siteId: string, id: string): Promise<TriggerRecord> {
  const t = await getTrigger(env.DB, siteId, id);
  if (!t) throw new ApiError("not_found", "No such trigger.");
  return record(t);
}

export async function createTrigger(env: Env, siteId: string, operatorId: string, input: unknown): Promise<TriggerRecord> {
  const d = await checked(env, siteId, input);
  const now = Date.now();
  const t: StoredTrigger = { ...d, id: newId("tr"), salt: randomToken(9), createdAt: now, updatedAt: now, createdBy: operatorId };
  if ((await insertTrigger(env.DB, siteId, t)) === "full") {
    throw new ApiError("validation_failed", "A site keeps at most 50 triggers; delete one first.");
  }
  forgetTriggerSet(siteId);
  return record(t);
}

export async function replaceTrigger(env: Env, siteId: string, id: string, input: unknown): Promise<TriggerRecord> {
  if (!(await getTrigger(env.DB, siteId, id))) throw new ApiError("not_found", "No such trigger.");
  const d = await checked(env, siteId, input);
  if (!(await dbUpdateTrigger(env.DB, siteId, id, d, Date.now()))) throw new ApiError("not_found", "No such trigger.");
  forgetTriggerSet(siteId);
  return readTrigger(env, siteId, id);
}

export async function restartHoldout(env: Env, siteId: string, id: string): Promise<TriggerRecord> {
  if (!(await resaltTrigger(env.DB, siteId, id, randomToken(9), Date.now()))) throw new ApiError("not_found", "No such trigger.");
  forgetTriggerSet(siteId);
  return readTrigger(env, siteId, id);
}

export async function removeTrigger(env: Env, siteId: string, id: string): Promise<void> {
  if (!(await dbDeleteTrigger(env.DB, siteId, id))) throw new ApiError("not_found", "No such trigger.");
  forgetTriggerSet(siteId);
}

export async function readCaps(env: Env, siteId: string): Promise<TriggerCaps> {
  return (await loadTriggerSet(env.DB, siteId)).caps;
}

export async function writeCaps(env: Env, siteId: string, caps: TriggerCaps): Promise<TriggerCaps> {
  await setTriggerCaps(env.DB, siteId, caps);
  forgetTriggerSet(siteId);
  return caps;
}

const zeroStats = (): TriggerStats => ({ shown: 0, control: 0, dismissed: 0, clicked: 0, conversations: 0 });

/** Counters of the last TRIGGER_STATS_DAYS days per trigger, its current salt only: one call per shard, in parallel. */
async function triggerStats(env: Env, siteId: string, triggers: readonly Trigger[], now: number): Promise<Map<string, TriggerStats>> {
  const layout = await siteLayout(env, siteId);
  const from = now - TRIGGER_STATS_DAYS * 86_400_000;
  const parts = await Promise.all(allShards(env, layout).map((s) => s.stub.triggerCounters(siteId, s.shard, from, now + 1)));
  const salts = new Map(triggers.map((t) => [t.id, t.salt]));
  const out = new Map<string, TriggerStats>();
  for (const rows of parts) {
    for (const r of rows) {
      if (salts.get(r.triggerId) !== r.salt) continue;
      const s = out.get(r.triggerId) ?? zeroStats();
      s.shown += r.shown;
      s.control += r.control;
      s.dismissed += r.dismissed;
      s.clicked += r.clicked;
      s.conversations += r.conversations;
      out.set(r.triggerId, s);
    }
  }
  return out;
}

// ---- the rule set ------------------------------------------------------------------------------

const ruleSetCache = new Map<string, { at: number; rules: CompactRuleSet }>();

/**
 * The site's compact rule set for its current version (compiled once per version and isolate
 * for RULE_SET_TTL_MS). The usual time on page is asked of the shards only when a rule uses it.
 */
export async function ruleSetOf(env: Env, siteId: string, now = Date.now()): Promise<{ version: number; rules: CompactRuleSet }> {
  const set = await cachedTriggerSet(env, siteId);
  const key = `${siteId}:${set.version}`;
  const hit = ruleSetCache.get(key);
  if (hit && now - hit.at < RULE_SET_TTL_MS) return { version: set.version, rules: hit.rules };
  const enabled = set.triggers.filter((t) => t.enabled);
  const wantsUsual = enabled.some((t) => t.conditions.some((c) => c.type === "longerThanUsual"));
  const [roster, site, usual] = await Promise.all([
    siteRoster(env.DB, siteId),
    env.DB.prepare("SELECT name, settings FROM sites WHERE id = ?").bind(siteId).first<{ name: string; settings: string | null }>(),
    wantsUsual ? usualTimes(env, siteId, now) : Promise.resolve({}),
  ]);
  const operators = new Map<string, Sender>(roster.map((o) => [o.id, { name: o.name, avatarUrl: o.avatarUrl }]));
  const logo = readSettings(site?.settings ?? null).branding?.logoUrl ?? null;
  const team = { name: site?.name ?? "", avatarUrl: logo };
  const rules = compileRuleSet({ triggers: enabled, operators, team, caps: set.caps, usual });
  if (ruleSetCache.size > 1000) ruleSetCache.clear();
  ruleSetCache.set(key, { at: now, rules });
  return { version: set.version, rules };
}

/**
 * p75 time on page per page key over USUAL_TIME_DAYS days: each shard sends a histogram per page
 * (its most viewed MAX_USUAL_PAGES·2, the rest added up), the Worker merges them. Histograms,
 * not lists: a shard's answer is bounded by its pages, not its views, and merging is exact up
 * to the histogram's 1%.
 */
export async function usualTimes(env: Env, siteId: string, now: number): Promise<Record<string, number>> {
  const layout = await siteLayout(env, siteId);
  const from = now - USUAL_TIME_DAYS * 86_400_000;
  const parts = await Promise.all(
    allShards(env, layout).map((s) => s.stub.pageDurations(siteId, s.shard, from, now + 1, MAX_USUAL_PAGES * 2)),
  );
  const usual = usualTimeOnPage(parts.flat());
  delete usual[REST_PAGES_KEY];
  return usual;
}

// ---- the beacon's part -------------------------------------------------------------------------

/** The stored trigger a beacon's event names, when it exists and is enabled. */
export function triggerOfEvent(set: TriggerSet, triggerId: string): StoredTrigger | null {
  return set.triggers.find((t) => t.id === triggerId && t.enabled) ?? null;
}

/**
 * This visitor's facts: the enabled triggers whose visitor conditions hold (a trigger with a
 * segment condition is left out for now: see below),
 * the cart, business hours, and whether a conversation is going.
 */
export function triggerFactsOf(
  set: TriggerSet,
  visitorId: string,
  shard: ShardTriggerFacts,
  hours: BusinessHours | undefined,
  conversationGoing: boolean,
  operators: boolean | null,
  now: number,
): TriggerFacts {
  // A fact the server does not know fails its condition (protocol/triggers.ts): saved segments are
  // not evaluated per visitor yet, so a trigger with a segment condition ("in" or "notIn") never
  // reaches q rather than firing on a guess.
  const decidable = set.triggers.filter((t) => !t.conditions.some((c) => c.type === "segment"));
  const q = eligibleTriggerIds(decidable, {
    visits: shard.visits,
    returning: shard.returning,
    source: shard.source,
    device: (shard.device as "desktop" | "mobile" | "tablet" | null) ?? null,
    country: shard.country,
    language: shard.language,
    identified: shard.identified,
    segments: new Set<string>(),
  });
  const facts: TriggerFacts = { id: visitorId, q };
  if (shard.cart) facts.ca = [shard.cart.total, shard.cart.items, shard.cart.currency];
  if (hours) facts.h = isOpen(hours, now) ? 1 : 0;
  if (operators !== null) facts.o = operators ? 1 : 0;
  if (conversationGoing) facts.a = 1;
  return facts;
}

const onlineCache = new Map<string, { at: number; available: boolean }>();

/** Whether an operator is online and taking chats (the site hub), cached per isolate for TRIGGER_SET_TTL_MS. */
export async function operatorsAvailable(env: Env, siteId: string): Promise<boolean> {
  const hit = onlineCache.get(siteId);
  if (hit && Date.now() - hit.at < TRIGGER_SET_TTL_MS) return hit.available;
  const online = await env.SITE_HUB.getByName(siteId)
    .operatorsOnline()
    .catch(() => []);
  const available = online.some((o) => o.status === "online");
  if (onlineCache.size > 1000) onlineCache.clear();
  onlineCache.set(siteId, { at: Date.now(), available });
  return available;
}

// ---- a reply to a trigger ----------------------------------------------------------------------

export interface TriggerOpening {
  trigger: StoredTrigger;
  sender: { id: string | null; name: string; avatarUrl: string | null };
}

/**
 * The trigger a visitor's reply names, when it is this site's and enabled, with who its message
 * speaks as (the named operator while on the team, else the team: the shop's name and logo).
 */
export async function triggerOpening(env: Env, siteId: string, triggerId: string): Promise<TriggerOpening | null> {
  const trigger = triggerOfEvent(await cachedTriggerSet(env, siteId), triggerId);
  if (!trigger) return null;
  const from = trigger.action.from;
  if (from.type === "operator") {
    const op = (await siteRoster(env.DB, siteId)).find((o) => o.id === from.operatorId);
    if (op) return { trigger, sender: { id: op.id, name: op.name, avatarUrl: op.avatarUrl } };
  }
  const site = await env.DB.prepare("SELECT name, settings FROM sites WHERE id = ?")
    .bind(siteId)
    .first<{ name: string; settings: string | null }>();
  return {
    trigger,
    sender: { id: null, name: site?.name ?? "", avatarUrl: readSettings(site?.settings ?? null).branding?.logoUrl ?? null },
  };
}
