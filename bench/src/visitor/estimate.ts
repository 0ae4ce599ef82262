/**
 * The production estimate of the visitor path, computed from a run's exact counts and the
 * platform's documented limits (not from local timings):
 *
 * - D1: one database serves the deployment and runs one query at a time — "at 1 ms per query,
 *   about 1,000 queries per second" (https://developers.cloudflare.com/d1/platform/limits/,
 *   "How much work can a D1 database do?"); at most 10 GB per database (same page).
 * - Durable Objects: "an individual Object has a soft limit of 1,000 requests per second"
 *   (https://developers.cloudflare.com/durable-objects/platform/limits/, "How much work can a
 *   single Durable Object do?").
 *
 * Traffic model: every visible visitor pings every 15 s (protocol PING_INTERVAL_MS) and views a
 * page (with the leave of the one before) every 60 s — an assumption, printed with the figures.
 */
import type { ShopCounts, TargetResult } from "../scenarios/visitor-path";

export const LIMITS = {
  d1QueriesPerSecond: 1000,
  d1Bytes: 10 * 1024 ** 3,
  objectRequestsPerSecond: 1000,
  pingSeconds: 15,
  pageSeconds: 60,
  docs: {
    d1: "https://developers.cloudflare.com/d1/platform/limits/",
    durableObjects: "https://developers.cloudflare.com/durable-objects/platform/limits/",
  },
} as const;

export interface Estimate {
  label: string;
  shards: number;
  /** Per concurrent visitor, per second, under the traffic model. */
  perVisitor: { d1Queries: number; hubRequests: number; shardRequests: number; d1BytesPerDay: number; d1RowsPerDay: number };
  /** Hub calls per second a shop makes whatever its traffic (aggregates, timers), from the quiet phase. */
  hubBackgroundPerSecond: number;
  /** Concurrent visitors until one limit is reached (Infinity: this path does not touch it). */
  maxPerShop: { byHub: number; byShards: number; overall: number };
  maxPerDeployment: { byD1: number };
  /** Days until D1 holds 10 GB with the deployment at its D1-bound maximum (Infinity: nothing written). */
  daysToFillD1AtMax: number;
  /** Shards a shop of 100,000 concurrent visitors needs (a power of two), each ≤ the soft limit. */
  shardsFor100k: number | null;
}

const perEvent = (total: number, events: number) => (events ? total / events : 0);

export function estimate(label: string, c: ShopCounts): Estimate {
  const { pingSeconds, pageSeconds } = LIMITS;
  const ping = (f: (p: ShopCounts["pings"]) => number) => perEvent(f(c.pings), c.pings.beacons) / pingSeconds;
  const page = (f: (p: ShopCounts["views"]) => number) =>
    (perEvent(f(c.views), c.views.beacons) + perEvent(f(c.leaves), c.leaves.beacons)) / pageSeconds;
  const d1Queries = ping((p) => p.d1Statements) + page((p) => p.d1Statements);
  const hubRequests = ping((p) => p.hubCalls) + page((p) => p.hubCalls);
  const shardRequests = ping((p) => p.shardCalls) + page((p) => p.shardCalls);
  const d1BytesPerDay = (ping((p) => p.d1BytesGrowth) + page((p) => p.d1BytesGrowth)) * 86_400;
  const d1RowsPerDay = (ping((p) => p.d1RowsWritten) + page((p) => p.d1RowsWritten)) * 86_400;
  const hubBackgroundPerSecond = c.idle.seconds ? c.idle.hubCalls / c.idle.seconds : 0;
  const limit = (capacity: number, perVisitor: number) => (perVisitor > 0 ? Math.floor(capacity / perVisitor) : Infinity);
  const byHub = limit(LIMITS.objectRequestsPerSecond - hubBackgroundPerSecond, hubRequests);
  const byShards = limit(LIMITS.objectRequestsPerSecond * c.shards, shardRequests);
  const byD1 = limit(LIMITS.d1QueriesPerSecond, d1Queries);
  const perShard = shardRequests > 0 ? LIMITS.objectRequestsPerSecond / shardRequests : Infinity;
  let shardsFor100k: number | null = null;
  if (shardRequests > 0 && Number.isFinite(perShard)) {
    shardsFor100k = 1;
    while (shardsFor100k * perShard < 100_000) shardsFor100k *= 2;
  }
  return {
    label,
    shards: c.shards,
    perVisitor: { d1Queries, hubRequests, shardRequests, d1BytesPerDay, d1RowsPerDay },
    hubBackgroundPerSecond,
    maxPerShop: { byHub, byShards, overall: Math.min(byHub, byShards, byD1) },
    maxPerDeployment: { byD1 },
    daysToFillD1AtMax: d1BytesPerDay > 0 && Number.isFinite(byD1) ? LIMITS.d1Bytes / (d1BytesPerDay * byD1) : Infinity,
    shardsFor100k,
  };
}

export const estimates = (t: TargetResult) => t.counts.map((c) => estimate(t.label, c));
