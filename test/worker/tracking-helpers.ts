// Helpers for the visitor-intelligence tests: the loader's beacon as a shop page sends it
// (text/plain JSON from another origin), and small readers over D1 and every visitor shard for assertions.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { TrackResponse } from "../../protocol";
import type { VisitorShard } from "../../worker/do/visitor-shard";
import { shardName, shardOf } from "../../worker/lib/shards";
import { ORIGIN } from "./helpers";

export const SHOP = "https://shop.example";
export const UA = {
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  chromeWin: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  ipad: "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  androidTablet: "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  firefoxMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
  edge: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
  googlebot: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};

export async function trackRaw(body: string, opts: { ua?: string; cf?: Record<string, unknown> } = {}): Promise<Response> {
  const headers = new Headers({ "content-type": "text/plain;charset=UTF-8", origin: SHOP });
  if (opts.ua) headers.set("user-agent", opts.ua);
  const init: RequestInit & { cf?: unknown } = { method: "POST", headers, body };
  if (opts.cf) init.cf = opts.cf;
  return exports.default.fetch(new Request(`${ORIGIN}/api/track`, init as RequestInit));
}

/** Sends a beacon; fails the test unless it is answered 200. */
export async function track(
  body: Record<string, unknown>,
  opts: { ua?: string; cf?: Record<string, unknown> } = {},
): Promise<TrackResponse> {
  const r = await trackRaw(JSON.stringify(body), opts);
  if (r.status !== 200) throw new Error(`track ${JSON.stringify(body)}: ${r.status} ${await r.text()}`);
  expect(r.headers.get("access-control-allow-origin")).toBe("*");
  return r.json();
}

/** A visitor who has viewed `pages` in order; returns their tracking token. */
export async function visitPages(k: string, pages: string[], t?: string, opts: { ua?: string } = {}): Promise<string> {
  let token = t;
  for (const u of pages) token = (await track({ k, t: token, e: "view", u: `${SHOP}${u}`, ti: `Title ${u}` }, opts)).t!;
  return token!;
}

/**
 * Rows of `sql` from every store of visitor data: D1 and every visitor shard of every site
 * (their pending pings written first). A table a store does not have counts as no rows there.
 */
export async function trackingRows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return rowsAt(null, sql, params);
}

/** As trackingRows, over D1 and one site's shards only (faster where a test has many sites). */
export async function countAt(siteId: string, sql: string, ...params: unknown[]): Promise<number> {
  return (await rowsAt<{ n: number }>(siteId, sql, params)).reduce((sum, r) => sum + Number(r.n ?? 0), 0);
}

async function rowsAt<T>(siteId: string | null, sql: string, params: unknown[]): Promise<T[]> {
  const out: T[] = [];
  try {
    out.push(
      ...(
        await env.DB.prepare(sql)
          .bind(...params)
          .all<T>()
      ).results,
    );
  } catch (err) {
    if (!String(err).includes("no such")) throw err;
  }
  for (const stub of await everyShard(siteId)) {
    out.push(
      ...(await runInDurableObject(stub, (instance: VisitorShard, state) => {
        instance.flushNow();
        try {
          return state.storage.sql.exec(sql, ...(params as SqlStorageValue[])).toArray() as T[];
        } catch (err) {
          if (String(err).includes("no such")) return [];
          throw err;
        }
      })),
    );
  }
  return out;
}

/** Runs a write on D1 and every visitor shard (tests that move activity into the past). */
export async function trackingExec(sql: string, ...params: unknown[]): Promise<void> {
  await trackingRows(sql, ...params);
}

/** Every visitor shard of every site (N from the site's row). */
export async function everyShard(siteId: string | null = null): Promise<DurableObjectStub<VisitorShard>[]> {
  const { results } = await env.DB.prepare("SELECT id, visitor_shards FROM sites WHERE ?1 IS NULL OR id = ?1")
    .bind(siteId)
    .all<{ id: string; visitor_shards: number }>();
  return results.flatMap((s) => Array.from({ length: s.visitor_shards }, (_, i) => env.VISITOR_SHARD.getByName(shardName(s.id, i))));
}

/** The sum of `n` over every store (D1 and every shard). */
export async function count(sql: string, ...params: unknown[]): Promise<number> {
  return (await trackingRows<{ n: number }>(sql, ...params)).reduce((sum, r) => sum + Number(r.n ?? 0), 0);
}

/** The first non-null value of column `col` over every store. */
export async function trackingValue(sql: string, col: string, ...params: unknown[]): Promise<unknown> {
  return (await trackingRows(sql, ...params)).map((r) => r[col]).find((x) => x !== null && x !== undefined) ?? null;
}

/** Writes every shard's directory profiles to D1 now (instead of waiting for the write-behind timer). */
export async function flushDirectories(): Promise<void> {
  for (const stub of await everyShard()) await stub.flushDirectoryNow();
}

/** Rows of a site's visitor-intelligence tables, for "nothing changed" checks. */
export async function footprint(siteId: string): Promise<Record<string, number>> {
  const tables = ["visitors", "visits", "page_views", "visitor_events", "orders"];
  const out: Record<string, number> = {};
  for (const t of tables) {
    // D1's directory mirrors some shard profiles: count each profile once.
    out[t] =
      t === "visitors"
        ? new Set((await trackingRows<{ id: string }>("SELECT id FROM visitors WHERE site_id = ?", siteId)).map((r) => r.id)).size
        : await count(`SELECT COUNT(*) AS n FROM ${t} WHERE site_id = ?`, siteId);
  }
  return out;
}

/** The visitor id inside a tracking token (track.<expires>.<site>.<visitor>.<sig>). */
export const visitorOf = (t: string) => t.split(".").at(-2)!;

/** Runs `sql` in the shard that holds `visitorId` (tests that plant rows as if written long ago). */
export async function inShardOf(siteId: string, visitorId: string, sql: string, ...params: unknown[]): Promise<void> {
  const n = Number(await env.DB.prepare("SELECT visitor_shards FROM sites WHERE id = ?").bind(siteId).first("visitor_shards"));
  await runInDurableObject(env.VISITOR_SHARD.getByName(shardName(siteId, shardOf(visitorId, n))), (_: VisitorShard, state) => {
    state.storage.sql.exec(sql, ...(params as SqlStorageValue[]));
  });
}

/** The visitor ids in the Live view of the site's shards now (the presence the beacons keep). */
export async function liveIds(siteId: string): Promise<string[]> {
  const n = Number(await env.DB.prepare("SELECT visitor_shards FROM sites WHERE id = ?").bind(siteId).first("visitor_shards"));
  const pages = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      env.VISITOR_SHARD.getByName(shardName(siteId, i)).livePage(siteId, i, { sort: "recent", limit: 200 }),
    ),
  );
  return pages.flatMap((p) => p.visitors.map((v) => v.visitorId));
}

/** Runs a write on D1 and the shard that holds `visitorId` only. */
export async function trackingExecFor(siteId: string, visitorId: string, sql: string, ...params: unknown[]): Promise<void> {
  await env.DB.prepare(sql)
    .bind(...params)
    .run();
  await inShardOf(siteId, visitorId, sql, ...params);
}

/**
 * Evicts a visitor shard as the platform would. The pool's eviction waits for an object's pending
 * timers, so the Live view's in-memory wake-up (expiry, a deferred push) is cleared first.
 */
export async function evictShard(stub: DurableObjectStub<VisitorShard>): Promise<void> {
  await runInDurableObject(stub, (i: VisitorShard) => {
    const inside = i as unknown as { wake: { timer: ReturnType<typeof setTimeout> } | null };
    if (inside.wake) clearTimeout(inside.wake.timer);
    inside.wake = null;
  });
  await evictDurableObject(stub);
}
