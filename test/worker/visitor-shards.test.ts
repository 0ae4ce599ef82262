// Visitor shards (issue 10), with one shard and with four: a ping writes nothing anywhere and is
// not re-signed; a shard evicted mid-visit loses no stored page view and the next ping restores
// its presence and time; merges across shards carry the trail; erase leaves nothing in any shard
// or D1; the directory gets the profiles that matter, written behind in one statement; the
// visitor list, its cursor and the Audience page gather every shard.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AudienceResponse, VisitorDetailsResponse, VisitorListResponse } from "../../protocol";
import type { VisitorShard } from "../../worker/do/visitor-shard";
import { shardName, shardOf } from "../../worker/lib/shards";
import { api, login, seedSite, visitorSession } from "./helpers";
import { countAt, evictShard, flushDirectories, liveIds, SHOP, track, trackingRows, visitorOf, visitPages } from "./tracking-helpers";

const SECRET = "is_shard_secret";

async function hmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

describe.each([1, 4])("with %i visitor shard(s)", (shards) => {
  const siteId = `site_sh${shards}`;
  const k = `pk_sh${shards}`;
  let owner: string;
  const shardStub = (visitorId: string) => env.VISITOR_SHARD.getByName(shardName(siteId, shardOf(visitorId, shards)));
  const stats = (visitorId: string) => shardStub(visitorId).stats();
  const json = async <T>(path: string): Promise<T> => {
    const r = await api(path, { cookie: owner });
    if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return r.json() as Promise<T>;
  };

  /** The shard's rows as stored (not writing its held pings first, as trackingRows does). */
  const trackingRowsNoFlush = (visitorId: string) =>
    runInDurableObject(shardStub(visitorId), (_: VisitorShard, state) =>
      state.storage.sql.exec("SELECT duration_ms FROM page_views WHERE visitor_id = ? ORDER BY id", visitorId).toArray(),
    );

  beforeAll(async () => {
    await seedSite({ id: siteId, key: k, shards }, [{ id: `op_sh${shards}`, email: `o@sh${shards}.test`, name: "O", role: "owner" }]);
    await env.DB.prepare("INSERT INTO site_secrets (site_id, identity_secret) VALUES (?, ?)").bind(siteId, SECRET).run();
    owner = await login(`o@sh${shards}.test`);
  });

  it("answers a ping from memory: no shard write, no D1 row, the same token back", async () => {
    const first = await track({ k, e: "view", u: `${SHOP}/p/1`, ti: "One", pv: "a1" });
    const id = visitorOf(first.t!);
    const d1Before = await env.DB.prepare("SELECT COUNT(*) AS n FROM visitors WHERE site_id = ?").bind(siteId).first("n");
    const before = await stats(id);
    const ping = await track({ k, t: first.t, e: "ping", u: `${SHOP}/p/1`, ms: 15_000, pv: "a1" });
    const after = await stats(id);
    expect(after.rowsWritten).toBe(before.rowsWritten);
    expect(after.pending).toBe(before.pending + 1);
    // Not re-signed: the token has most of its year left.
    expect(ping.t).toBe(first.t);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM visitors WHERE site_id = ?").bind(siteId).first("n")).toBe(d1Before);
    // The next view writes the held time first: 15 s on the first page.
    await track({ k, t: first.t, e: "view", u: `${SHOP}/p/2`, ti: "Two", pv: "a2" });
    const rows = await trackingRows<{ url: string; duration_ms: number | null }>(
      "SELECT url, duration_ms FROM page_views WHERE visitor_id = ? ORDER BY id",
      id,
    );
    expect(rows.map((r) => r.duration_ms)).toEqual([15_000, null]);
    expect(await liveIds(siteId)).toContain(id);
  });

  it("stores a visitor whose first beacon is a ping, and a ping's new language", async () => {
    const first = await track({ k, e: "ping", u: `${SHOP}/p/ping-first`, ms: 1000, l: "pl" });
    const id = visitorOf(first.t!);
    expect(await countAt(siteId, "SELECT COUNT(*) AS n FROM visitors WHERE id = ? AND language = 'pl'", id)).toBe(1);
    await track({ k, t: first.t, e: "ping", u: `${SHOP}/p/ping-first`, ms: 2000, l: "fi" });
    expect(await countAt(siteId, "SELECT COUNT(*) AS n FROM visitors WHERE id = ? AND language = 'fi'", id)).toBe(1);
    expect((await json<VisitorDetailsResponse>(`/api/sites/${siteId}/visitors/${id}`)).profile.id).toBe(id);
  });

  it("loses no stored page view when the shard is evicted mid-visit; the next ping restores presence and time", async () => {
    const t = await visitPages(k, ["/e/1", "/e/2"]);
    const id = visitorOf(t);
    await track({ k, t, e: "ping", u: `${SHOP}/e/2`, ms: 15_000 });
    await evictShard(shardStub(id));
    expect(await liveIds(siteId)).not.toContain(id);
    const d = await json<VisitorDetailsResponse>(`/api/sites/${siteId}/visitors/${id}`);
    expect(d.currentVisit!.pages.map((p) => p.url)).toEqual([`${SHOP}/e/1`, `${SHOP}/e/2`]);
    // The ping carries the time on the page: nothing of it is lost for good.
    await track({ k, t, e: "ping", u: `${SHOP}/e/2`, ms: 30_000 });
    expect(await liveIds(siteId)).toContain(id);
    await track({ k, t, e: "leave", u: `${SHOP}/e/2`, ms: 31_000 });
    const rows = await trackingRows<{ duration_ms: number | null }>(
      "SELECT duration_ms FROM page_views WHERE visitor_id = ? ORDER BY id",
      id,
    );
    expect(rows.map((r) => r.duration_ms)).toEqual([expect.any(Number), 31_000]);
  });

  it("writes a ping's held state when the visitor goes quiet (the flush timer)", async () => {
    const t = await visitPages(k, ["/q"]);
    const id = visitorOf(t);
    await track({ k, t, e: "ping", u: `${SHOP}/q`, ms: 20_000 });
    const duration = async () => (await trackingRowsNoFlush(id)).map((r) => r.duration_ms);
    // Nothing is written while the visitor is still around…
    await runDurableObjectAlarm(shardStub(id));
    expect(await duration()).toEqual([null]);
    // …and once their last ping is older than the Live view's timeout, the timer writes it.
    await runInDurableObject(shardStub(id), (instance: VisitorShard) => {
      const p = (instance as unknown as { pending: Map<string, { lastSeenAt: number }> }).pending.get(id)!;
      p.lastSeenAt -= 60_000;
    });
    await runDurableObjectAlarm(shardStub(id));
    expect(await duration()).toEqual([20_000]);
    expect((await shardStub(id).stats()).pending).toBe(0);
  });

  it("merges visitors across shards: the trail moves to the profile's shard, a tombstone stays", async () => {
    const hash = await hmacHex(SECRET, "cust-sh");
    const t1 = await visitPages(k, ["/m/a", "/m/b"]);
    await track({ k, t: t1, e: "identify", id: { id: "cust-sh", email: "m@example.com", hash } });
    const profile = visitorOf(t1);
    // A second device in another shard whenever there is one.
    let t2 = await visitPages(k, ["/m/c"]);
    for (let i = 0; shards > 1 && shardOf(visitorOf(t2), shards) === shardOf(profile, shards) && i < 40; i++) {
      t2 = await visitPages(k, ["/m/c"]);
    }
    if (shards > 1) expect(shardOf(visitorOf(t2), shards)).not.toBe(shardOf(profile, shards));
    await visitPages(k, ["/m/d", "/m/c"], t2);
    await track({ k, t: t2, e: "purchase", d: { orderId: `SH-${shards}`, total: 20, currency: "EUR" } });
    const merged = await track({ k, t: t2, e: "identify", id: { id: "cust-sh", hash } });
    expect(visitorOf(merged.t!)).toBe(profile);

    const d = await json<VisitorDetailsResponse>(`/api/sites/${siteId}/visitors/${profile}`);
    expect(d.profile).toMatchObject({ visits: 2, pageViews: 5, verified: true, email: "m@example.com" });
    expect(d.orders.map((o) => o.id)).toEqual([`SH-${shards}`]);
    expect(d.interest.find((i) => i.url === `${SHOP}/m/c`)).toMatchObject({ views: 2, visits: 1 });
    // Nothing of the merged visitor's trail is left under its id; its tombstone points at the profile.
    expect(await countAt(siteId, "SELECT COUNT(*) AS n FROM page_views WHERE visitor_id = ?", visitorOf(t2))).toBe(0);
    expect(
      (await trackingRows<{ m: string }>("SELECT merged_into AS m FROM visitors WHERE id = ?", visitorOf(t2))).map((r) => r.m),
    ).toContain(profile);
    // The old id finds the customer, and its old token carries on as the customer.
    expect((await json<VisitorDetailsResponse>(`/api/sites/${siteId}/visitors/${visitorOf(t2)}`)).profile.id).toBe(profile);
    expect(visitorOf((await track({ k, t: t2, e: "view", u: `${SHOP}/m/e` })).t!)).toBe(profile);

    // Erase: nothing left in any shard or D1, and the ids stay dead.
    const ids = [profile, visitorOf(t2)];
    const r = await api(`/api/sites/${siteId}/visitors/${profile}`, { method: "DELETE", cookie: owner });
    expect(r.status).toBe(200);
    expect(((await r.json()) as { erased: { visitorIds: string[] } }).erased.visitorIds.sort()).toEqual([...ids].sort());
    for (const table of ["page_views", "visits", "visitor_events", "orders"]) {
      expect(
        await countAt(
          siteId,
          `SELECT COUNT(*) AS n FROM ${table} WHERE visitor_id IN (SELECT value FROM json_each(?))`,
          JSON.stringify(ids),
        ),
      ).toBe(0);
    }
    expect(
      await countAt(siteId, "SELECT COUNT(*) AS n FROM visitors WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(ids)),
    ).toBe(0);
    // A late directory flush brings nothing back.
    await flushDirectories();
    expect(
      await countAt(siteId, "SELECT COUNT(*) AS n FROM visitors WHERE id IN (SELECT value FROM json_each(?))", JSON.stringify(ids)),
    ).toBe(0);
    for (const t of [t1, t2]) expect(ids).not.toContain(visitorOf((await track({ k, t, e: "view", u: `${SHOP}/` })).t!));
  });

  it("writes the profiles that matter to D1's directory behind, in one statement, and never for pings", async () => {
    const t = await visitPages(k, ["/dir/1"]);
    const id = visitorOf(t);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM visitors WHERE id = ?").bind(id).first("n")).toBe(0);
    // A chat adopts the tracked visitor: into the directory at once.
    const chat = await visitorSession(k, undefined, t);
    expect(chat.visitorId).toBe(id);
    expect(await env.DB.prepare("SELECT in_shard FROM visitors WHERE id = ?").bind(id).first("in_shard")).toBe(1);
    await visitPages(k, ["/dir/2", "/dir/3"], t);
    await track({ k, t, e: "ping", u: `${SHOP}/dir/3`, ms: 5000 });
    expect(await env.DB.prepare("SELECT page_views FROM visitors WHERE id = ?").bind(id).first("page_views")).toBe(1);
    await flushDirectories();
    const row = await env.DB.prepare("SELECT page_views, chat_claimed_at FROM visitors WHERE id = ?")
      .bind(id)
      .first<{ page_views: number; chat_claimed_at: number | null }>();
    // The shard's counters, and D1's own column (the chat's claim) left as it was.
    expect(row).toMatchObject({ page_views: 3 });
    expect(row!.chat_claimed_at).not.toBeNull();
  });

  it("pages the visitor list over every shard with one cursor, and sums the audience", async () => {
    const cookie = owner;
    const made = new Set<string>();
    const from = Date.now() - 1000;
    for (let i = 0; i < 9; i++) made.add(visitorOf(await visitPages(k, [`/list/${i}?utm_source=news`])));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: VisitorListResponse = await json(
        `/api/sites/${siteId}/visitors?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      );
      expect(page.visitors.length).toBeLessThanOrEqual(4);
      seen.push(...page.visitors.map((v) => v.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of made) expect(seen).toContain(id);
    const last = seen.map((id) => id);
    expect(last.length).toBeGreaterThanOrEqual(made.size);
    const a = await json<AudienceResponse>(`/api/sites/${siteId}/audience?from=${from}&to=${Date.now() + 1000}`);
    expect(a.sources.find((s) => s.source === "news")?.visits).toBe(9);
    expect(a.visits).toBeGreaterThanOrEqual(9);
    expect((await api(`/api/sites/${siteId}/visitors?limit=4`, { cookie })).status).toBe(200);
  });
});
