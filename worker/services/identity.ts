/**
 * `Gadka('identify', { id, email, name, hash })` from the beacon, over visitor shards. With a
 * valid hash the visitor is the shop's verified customer `id`; D1's directory says whether a
 * profile already is (the unique index decides two devices racing). If one is, this anonymous
 * visitor is merged into it — in place when both live in one shard, else its trail is copied to
 * the profile's shard and only a tombstone (`merged_into`) stays behind — and the beacon
 * continues as that profile (new token). Without a valid hash the claim is stored as unverified
 * and never merges. A name given reaches the inbox rows of the visitor's conversations at once.
 * Also the directory's side of the beacon: adopting a profile only D1 has.
 */
import type { TrackBody } from "../../protocol";
import type { RawVisitor } from "../db/profiles";
import type { PublicSite } from "../db/secrets";
import {
  conversationOfGroup,
  createVerifiedVisitor,
  findVerifiedCustomer,
  type RequestFacts,
  type TrackConversation,
} from "../db/tracking";
import { directoryUpsert } from "../do/visitor-shard";
import type { Env } from "../env";
import { hmacHexVerify, newId } from "../lib/crypto";
import { type ShardLayout, shardFor } from "./visitor-shards";

export type IdentifyData = NonNullable<TrackBody["id"]>;

/** Tells the site hub, which renames the visitors' conversations in every inbox. */
export async function nameVisitors(env: Env, siteId: string, visitorIds: string[], name: string): Promise<void> {
  const hub = env.SITE_HUB.getByName(siteId);
  await Promise.all([...new Set(visitorIds)].map((id) => hub.visitorNamed(siteId, id, name)));
}

/**
 * The directory's row of a visitor the shard does not have, with their conversation; the row
 * is marked as living in a shard from now on. Null: no such visitor (erased, or never).
 */
export async function directorySeed(
  env: Env,
  siteId: string,
  visitorId: string,
): Promise<{ row: RawVisitor; conversation: TrackConversation | null } | null> {
  const [found, conv] = await env.DB.batch([
    env.DB.prepare("SELECT * FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, visitorId),
    env.DB.prepare(
      `SELECT id, visitor_id FROM conversations WHERE site_id = ?1 AND (visitor_id = ?2 OR visitor_id IN
         (SELECT id FROM visitors WHERE site_id = ?1 AND merged_into = ?2)) ORDER BY updated_at DESC LIMIT 1`,
    ).bind(siteId, visitorId),
  ]);
  const row = (found!.results as RawVisitor[])[0];
  if (!row) return null;
  if (!row.merged_into) {
    await env.DB.prepare("UPDATE visitors SET in_shard = 1 WHERE site_id = ? AND id = ?").bind(siteId, visitorId).run();
  }
  const c = (conv!.results as { id: string; visitor_id: string }[])[0];
  return { row, conversation: c ? { id: c.id, visitorId: c.visitor_id } : null };
}

/**
 * Makes sure the profile's shard has it (a profile only the directory has is adopted) and returns
 * false when it exists nowhere.
 */
async function ensureInShard(env: Env, layout: ShardLayout, visitorId: string): Promise<boolean> {
  const home = shardFor(env, layout, visitorId);
  if (await home.stub.profileRow(layout.siteId, home.shard, visitorId)) return true;
  const seed = await directorySeed(env, layout.siteId, visitorId);
  if (!seed || seed.row.merged_into) return false;
  await home.stub.adopt(layout.siteId, home.shard, [
    {
      row: {
        ...seed.row,
        directory: 1,
        conversation_id: seed.conversation?.id ?? null,
        conversation_visitor_id: seed.conversation?.visitorId ?? null,
      },
      visits: [],
      pageViews: [],
      events: [],
      orders: [],
    },
  ]);
  return true;
}

/** Runs identify for the beacon's visitor; returns the profile the beacon continues as. */
export async function identifyVisitor(
  env: Env,
  site: PublicSite,
  layout: ShardLayout,
  visitorId: string,
  d: IdentifyData,
  facts: RequestFacts,
  now: number,
): Promise<{ visitorId: string; merged: string[] }> {
  const result = await identifyProfile(env, site, layout, visitorId, d, facts, now);
  if (d.name) await nameVisitors(env, site.id, [result.visitorId, ...result.merged], d.name);
  return result;
}

async function identifyProfile(
  env: Env,
  site: PublicSite,
  layout: ShardLayout,
  visitorId: string,
  d: IdentifyData,
  facts: RequestFacts,
  now: number,
): Promise<{ visitorId: string; merged: string[] }> {
  const verified =
    site.identitySecret !== null && d.hash !== undefined && (await hmacHexVerify(site.identitySecret, d.id, d.hash.toLowerCase()));
  const home = shardFor(env, layout, visitorId);
  const stay = { visitorId, merged: [] };
  if (!verified) {
    const row = await home.stub.applyIdentify(site.id, home.shard, visitorId, d, false, now, facts);
    // An email makes the profile one the directory keeps: written now, not only behind.
    if (row?.directory === 1) await directoryUpsert(env.DB, site.id, [row as unknown as Record<string, unknown>]).run();
    return stay;
  }
  const row = await home.stub.trackRow(site.id, home.shard, visitorId);
  if (!row) throw new Error("the beacon's visitor vanished");
  if (row.verified && row.external_id === d.id) {
    await home.stub.applyIdentify(site.id, home.shard, visitorId, d, true, now, facts);
    return stay;
  }
  const target = await findVerifiedCustomer(env.DB, site.id, d.id);
  if (target && target !== row.id) {
    // Another customer signed in on this device: continue as their profile, nothing moves.
    if (row.verified) return { visitorId: target, merged: [] };
    await mergeInto(env, layout, row.id, target, d);
    return { visitorId: target, merged: [row.id] };
  }
  if (row.verified) {
    // Signed in as a different customer who has no profile yet: a fresh verified profile.
    const id = newId("v");
    await createVerifiedVisitor(env.DB, { siteId: site.id, id, externalId: d.id, email: d.email ?? null, name: d.name ?? null, now });
    return { visitorId: id, merged: [] };
  }
  const raw = await home.stub.applyIdentify(site.id, home.shard, visitorId, d, true, now, facts);
  if (!raw) throw new Error("the beacon's visitor vanished");
  try {
    // The directory first decides: another device of the customer may have become verified a moment ago.
    await directoryUpsert(env.DB, site.id, [raw as unknown as Record<string, unknown>]).run();
  } catch (err) {
    const winner = await findVerifiedCustomer(env.DB, site.id, d.id);
    if (!winner || !String(err).includes("UNIQUE")) throw err;
    await mergeInto(env, layout, row.id, winner, d);
    return { visitorId: winner, merged: [row.id] };
  }
  return stay;
}

/**
 * Folds anonymous visitor `from` into profile `into`: in one shard, today's merge on its tables;
 * across shards, the trail is copied to `into`'s shard first, then `from` becomes a tombstone.
 * D1: `from`'s directory row (if any) points at `into`, its shop orders move, a chat's claim carries over.
 */
export async function mergeInto(
  env: Env,
  layout: ShardLayout,
  from: string,
  into: string,
  identity: { email?: string | undefined; name?: string | undefined },
): Promise<void> {
  const siteId = layout.siteId;
  const a = shardFor(env, layout, from);
  const b = shardFor(env, layout, into);
  const id = { ...(identity.email ? { email: identity.email } : {}), ...(identity.name ? { name: identity.name } : {}) };
  if (!(await ensureInShard(env, layout, into))) throw new Error("the profile to merge into vanished");
  if (a.shard === b.shard) {
    await a.stub.mergeHere(siteId, a.shard, from, into, id);
  } else {
    const trail = await a.stub.exportTrail(siteId, a.shard, from);
    if (trail) {
      await b.stub.importTrail(siteId, b.shard, into, trail, id, trail.conversation);
      await a.stub.tombstone(siteId, a.shard, from, into);
    }
  }
  await env.DB.batch([
    env.DB.prepare(
      `UPDATE visitors SET chat_claimed_at = COALESCE(chat_claimed_at, (SELECT chat_claimed_at FROM visitors WHERE site_id = ?1 AND id = ?2))
       WHERE site_id = ?1 AND id = ?3`,
    ).bind(siteId, from, into),
    env.DB.prepare("UPDATE visitors SET merged_into = ?3 WHERE site_id = ?1 AND id = ?2").bind(siteId, from, into),
    env.DB.prepare("UPDATE orders SET visitor_id = ?3 WHERE site_id = ?1 AND visitor_id = ?2").bind(siteId, from, into),
  ]);
  const conversation = await conversationOfGroup(env.DB, siteId, into);
  if (conversation) await b.stub.noteConversation(siteId, b.shard, into, conversation);
}
