/**
 * Operators' reads over a site's visitor shards: one profile's sidebar (its shard, following a
 * merge to another shard; D1 for a profile only the directory has), the visitor list with
 * filters and segments (scatter-gather: every shard and D1's directory-only profiles answer a
 * page after the same keyset cursor, merged by last seen), the Audience page (every shard's
 * aggregate of its hourly rollups, summed; top keys merged from each shard's top 100), and the
 * reports' visits per quarter hour (the shards' rollups). Response shapes are the ones the admin
 * already reads.
 */
import type { AudienceResponse, VisitorDetailsResponse, VisitorListResponse } from "../../protocol";
import type { RawVisitor } from "../db/profiles";
import type { ReadCounter } from "../db/report-reads";
import { conversationsOfProfile, listVisitors, type VisitorFilter, visitorTrail } from "../db/visitor-reads";
import { directoryContact } from "../db/visitors";
import type { Env } from "../env";
import { allShards, type ShardLayout, shardFor, siteLayout } from "./visitor-shards";

const MERGE_HOPS = 3;
const SHARD_TOP = 100;

/** Where a profile lives: its shard (following merges), or only D1's directory. */
export async function locateProfile(
  env: Env,
  layout: ShardLayout,
  visitorId: string,
): Promise<{ where: "shard"; row: RawVisitor; shard: number } | { where: "d1"; row: RawVisitor } | null> {
  let id = visitorId;
  for (let hop = 0; hop <= MERGE_HOPS; hop++) {
    const home = shardFor(env, layout, id);
    const row = await home.stub.profileRow(layout.siteId, home.shard, id);
    if (row) {
      if (row.merged_into) {
        id = row.merged_into;
        continue;
      }
      return { where: "shard", row, shard: home.shard };
    }
    const d1 = await env.DB.prepare("SELECT * FROM visitors WHERE site_id = ? AND id = ?").bind(layout.siteId, id).first<RawVisitor>();
    if (!d1) return null;
    if (d1.merged_into) {
      id = d1.merged_into;
      continue;
    }
    return { where: "d1", row: d1 };
  }
  return null;
}

export async function visitorDetails(env: Env, siteId: string, visitorId: string, now: number): Promise<VisitorDetailsResponse | null> {
  const layout = await siteLayout(env, siteId);
  const found = await locateProfile(env, layout, visitorId);
  if (!found) return null;
  const [trail, conversations, known] = await Promise.all([
    found.where === "shard"
      ? shardFor(env, layout, found.row.id).stub.trail(siteId, found.shard, found.row.id, now)
      : visitorTrail(env.DB, siteId, found.row, now),
    conversationsOfProfile(env.DB, siteId, found.row.id),
    // What D1's directory knows that the shard may not: the chat's email capture writes D1 only.
    found.where === "shard" ? directoryContact(env.DB, siteId, found.row.id) : null,
  ]);
  if (!trail) return null;
  if (known) trail.profile = { ...trail.profile, name: trail.profile.name ?? known.name, email: trail.profile.email ?? known.email };
  return { ...trail, conversations };
}

export async function listSiteVisitors(env: Env, siteId: string, f: VisitorFilter): Promise<VisitorListResponse> {
  const layout = await siteLayout(env, siteId);
  const pages = await Promise.all([
    ...allShards(env, layout).map((s) => s.stub.listPage(siteId, s.shard, f)),
    listVisitors(env.DB, siteId, f, { onlyD1: true }),
  ]);
  const seen = new Set<string>();
  const all = pages
    .flatMap((p) => p.visitors)
    .filter((v) => !seen.has(v.id) && seen.add(v.id))
    .sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  const page = all.slice(0, f.limit);
  const last = page[page.length - 1];
  const more = all.length > f.limit || pages.some((p) => p.nextCursor !== null);
  return { visitors: page, nextCursor: more && last ? `${last.lastSeenAt}~${last.id}` : null };
}

/**
 * Visits started per UTC quarter hour of [start, end), summed over the site's shards' rollups:
 * the reports' heatmap (its visitors row). `counter` counts one read per shard.
 */
export async function visitsPerQuarterHour(env: Env, siteId: string, start: number, end: number, counter?: ReadCounter) {
  const layout = await siteLayout(env, siteId);
  const parts = await Promise.all(allShards(env, layout).map((s) => s.stub.quarterVisits(siteId, s.shard, start, end)));
  const sums = new Map<number, number>();
  for (const part of parts) for (const r of part) sums.set(r.q, (sums.get(r.q) ?? 0) + r.n);
  if (counter) {
    counter.statements += parts.length;
    counter.rowsReturned += sums.size;
  }
  return [...sums].map(([q, n]) => ({ q, n }));
}

export async function siteAudience(env: Env, siteId: string, from: number, to: number): Promise<AudienceResponse> {
  const layout = await siteLayout(env, siteId);
  const parts = await Promise.all(allShards(env, layout).map((s) => s.stub.audiencePart(siteId, s.shard, from, to, SHARD_TOP)));
  return sum(parts);
}

/** Shards hold disjoint visitors, so counts add up; each breakdown's keys add up across shards. */
function sum(parts: AudienceResponse[]): AudienceResponse {
  const first = parts[0]!;
  const add = <K extends string, T extends Record<K, string> & { visits: number }>(lists: T[][], key: K): T[] => {
    const m = new Map<string, T>();
    for (const list of lists) {
      for (const item of list) {
        const prev = m.get(item[key]);
        m.set(item[key], prev ? { ...prev, visits: prev.visits + item.visits } : { ...item });
      }
    }
    return [...m.values()].sort((a, b) => b.visits - a.visits || (a[key] < b[key] ? -1 : 1)).slice(0, 20);
  };
  const total = (k: "visits" | "visitors" | "newVisitors" | "returningVisitors" | "pageViews") => parts.reduce((n, p) => n + p[k], 0);
  return {
    from: first.from,
    to: first.to,
    visits: total("visits"),
    visitors: total("visitors"),
    newVisitors: total("newVisitors"),
    returningVisitors: total("returningVisitors"),
    pageViews: total("pageViews"),
    sources: add(
      parts.map((p) => p.sources),
      "source",
    ),
    devices: add(
      parts.map((p) => p.devices),
      "type",
    ),
    browsers: add(
      parts.map((p) => p.browsers),
      "browser",
    ),
    countries: add(
      parts.map((p) => p.countries),
      "country",
    ),
  };
}
