// The deployment operator's jobs (issue 10): moving a site's tracking rows from D1 into its
// visitor shards (resumable, idempotent), and raising a site's shard count by copying whole
// slots while beacons carry on. Both only with the deploy token, never a shop owner's session.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { VisitorDetailsResponse, VisitorListResponse } from "../../protocol";
import { shardName, shardOf } from "../../worker/lib/shards";
import { signToken } from "../../worker/lib/tokens";
import { api, login, seedSite } from "./helpers";
import { countAt, SHOP, track, visitorOf, visitPages } from "./tracking-helpers";

const TOKEN = "gdt_test_deploy_token_not_for_production_0123";
const auth = { authorization: `Bearer ${TOKEN}` };

async function step<T>(path: string, json?: unknown): Promise<T> {
  const r = await api(path, { method: "POST", headers: auth, ...(json ? { json } : {}) });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return r.json() as Promise<T>;
}

async function untilDone(path: string, json?: unknown): Promise<number> {
  for (let i = 0; i < 100; i++) if ((await step<{ done: boolean }>(path, json)).done) return i + 1;
  throw new Error("job never finished");
}

let owner: string;

/** Every visitor id of the site's list, page by page. */
async function everyListed(siteId: string): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const r = await api(`/api/sites/${siteId}/visitors?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, {
      cookie: owner,
    });
    if (r.status !== 200) throw new Error(`list ${r.status} ${await r.text()}`);
    const page = (await r.json()) as VisitorListResponse;
    out.push(...page.visitors.map((v) => v.id));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  await seedSite({ id: "site_mig", key: "pk_mig", shards: 4 }, [{ id: "op_mig", email: "o@mig.test", name: "O", role: "owner" }]);
  await seedSite({ id: "site_rs", key: "pk_rs", shards: 1 }, [{ id: "op_rs", email: "o@rs.test", name: "R", role: "owner" }]);
  await env.DB.prepare("INSERT INTO memberships (site_id, operator_id, role, created_at) VALUES ('site_rs', 'op_mig', 'owner', 0)").run();
  owner = await login("o@mig.test");
});

describe("deployment jobs", () => {
  it("refuse anyone without the deploy token, shop owners included", async () => {
    for (const headers of [{}, { authorization: "Bearer nope" }, { authorization: `Bearer ${TOKEN}x` }] as Record<string, string>[]) {
      const r = await api("/api/deploy/sites/site_mig/migrate-tracking", { method: "POST", headers });
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    expect((await api("/api/deploy/sites/site_mig/reshard", { method: "POST", cookie: owner, json: { shards: 8 } })).status).toBe(401);
    expect((await api("/api/deploy/sites/site_mig/reshard", { method: "POST", headers: auth, json: { shards: 3 } })).status).toBe(422);
    expect((await api("/api/deploy/sites/nope/migrate-tracking", { method: "POST", headers: auth })).status).toBe(404);
  });

  it("moves D1's tracking rows into the shards, resumably and without duplicates", async () => {
    // 120 visitors as the store before the shards kept them: a visit and two page views each.
    const now = Date.now();
    const rows: D1PreparedStatement[] = [];
    for (let i = 0; i < 120; i++) {
      const id = `v_legacy${String(i).padStart(3, "0")}`;
      rows.push(
        env.DB.prepare(
          "INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at, visits, page_views, current_visit_id, email) VALUES ('site_mig', ?, ?, ?, 1, 2, ?, ?)",
        ).bind(id, now - 5000, now - 1000, `vs_${id}`, i === 7 ? "seven@example.com" : null),
        env.DB.prepare(
          "INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, page_views, source_label) VALUES (?, 'site_mig', ?, ?, ?, 2, 'direct')",
        ).bind(`vs_${id}`, id, now - 5000, now - 1000),
        env.DB.prepare(
          "INSERT INTO page_views (site_id, visitor_id, visit_id, url, at, duration_ms) VALUES ('site_mig', ?, ?, ?, ?, 3000)",
        ).bind(id, `vs_${id}`, `${SHOP}/old/a`, now - 5000),
        env.DB.prepare("INSERT INTO page_views (site_id, visitor_id, visit_id, url, at) VALUES ('site_mig', ?, ?, ?, ?)").bind(
          id,
          `vs_${id}`,
          `${SHOP}/old/b`,
          now - 2000,
        ),
      );
    }
    await env.DB.batch(rows);
    const steps = await untilDone("/api/deploy/sites/site_mig/migrate-tracking");
    expect(steps).toBe(4); // 50 + 50 + 20, then done
    const shardViews = async () => {
      let n = 0;
      for (let s = 0; s < 4; s++) {
        const stub = env.VISITOR_SHARD.getByName(shardName("site_mig", s));
        n += (await stub.listPage("site_mig", s, { limit: 200 })).visitors.reduce((sum, v) => sum + v.pageViews, 0);
      }
      return n;
    };
    expect(await shardViews()).toBe(240);
    // Run again from the start (a job that stopped before saving its cursor): nothing twice.
    await env.DB.prepare("UPDATE tracking_migration SET after_id = '', done_at = NULL WHERE site_id = 'site_mig'").run();
    await untilDone("/api/deploy/sites/site_mig/migrate-tracking");
    const d = (await (await api("/api/sites/site_mig/visitors/v_legacy007", { cookie: owner })).json()) as VisitorDetailsResponse;
    expect(d.currentVisit!.pages.map((p) => p.url)).toEqual([`${SHOP}/old/a`, `${SHOP}/old/b`]);
    expect(d.profile.email).toBe("seven@example.com");
    // Each page view once, in the visitor's own shard.
    expect(await countAt("site_mig", "SELECT COUNT(*) AS n FROM page_views WHERE visitor_id = 'v_legacy007'")).toBe(2 + 2); // D1 + shard
    const shard = env.VISITOR_SHARD.getByName(shardName("site_mig", shardOf("v_legacy007", 4)));
    expect((await shard.trail("site_mig", shardOf("v_legacy007", 4), "v_legacy007", Date.now()))!.currentVisit!.pages).toHaveLength(2);
    // The list reads the shards: each visitor once (their D1 rows are marked as living in a shard).
    const listed = await everyListed("site_mig");
    expect(listed.filter((id) => id.startsWith("v_legacy"))).toHaveLength(120);
    expect(new Set(listed).size).toBe(listed.length);
    // A legacy visitor's token carries on in their shard.
    const t = (await signToken(env.TOKEN_SECRET, "track", { siteId: "site_mig", visitorId: "v_legacy042" })).token;
    expect(visitorOf((await track({ k: "pk_mig", t, e: "view", u: `${SHOP}/new` })).t!)).toBe("v_legacy042");
  }, 30_000);

  it("reshards 1 → 4 by copying whole slots while beacons carry on", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 24; i++) tokens.push(await visitPages("pk_rs", [`/r/${i}`, `/r/${i}/x`]));
    const ids = tokens.map(visitorOf);
    const first = await step<{ done: boolean; waiting?: string }>("/api/deploy/sites/site_rs/reshard", { shards: 4 });
    expect(first).toMatchObject({ done: false, waiting: expect.any(String) });
    // Before any copy: a visitor whose new shard is another is handed over on their next beacon.
    const mover = ids.findIndex((id) => shardOf(id, 4) !== 0);
    await track({ k: "pk_rs", t: tokens[mover], e: "view", u: `${SHOP}/r/moved` });
    // As if the isolates' caches had expired.
    await env.DB.prepare("UPDATE reshards SET started_at = started_at - 60000 WHERE site_id = 'site_rs'").run();
    await untilDone("/api/deploy/sites/site_rs/reshard", { shards: 4 });
    expect(await env.DB.prepare("SELECT visitor_shards, visitor_shards_from FROM sites WHERE id = 'site_rs'").first()).toEqual({
      visitor_shards: 4,
      visitor_shards_from: null,
    });
    for (const [i, id] of ids.entries()) {
      const home = shardOf(id, 4);
      for (let s = 0; s < 4; s++) {
        const row = await env.VISITOR_SHARD.getByName(shardName("site_rs", s)).profileRow("site_rs", s, id);
        expect(row !== null, `${id} in shard ${s}`).toBe(s === home);
      }
      const d = (await (await api(`/api/sites/site_rs/visitors/${id}`, { cookie: owner })).json()) as VisitorDetailsResponse;
      expect(d.currentVisit!.pages.length).toBe(i === mover ? 3 : 2);
    }
    expect((await everyListed("site_rs")).sort()).toEqual([...ids].sort());
    // The next beacon of any of them lands in their new shard with the same id.
    expect(visitorOf((await track({ k: "pk_rs", t: tokens[3], e: "view", u: `${SHOP}/after` })).t!)).toBe(ids[3]);
  }, 60_000);
});
