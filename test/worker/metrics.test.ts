// The benchmark's counting instrumentation (worker/lib/metrics.ts): known operations on the real
// D1, Durable Objects and subtle crypto give known counts; the Worker's entry counts per request
// kind; the dev route reads and resets them and is refused unless counting is on in development.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import worker, { type SiteHub } from "../../worker/index";
import {
  type Counts,
  countedEnv,
  forceMetrics,
  METRICS_PATH,
  type MetricsSnapshot,
  metricsSnapshot,
  resetMetrics,
} from "../../worker/lib/metrics";
import { signToken, verifyToken } from "../../worker/lib/tokens";
import { ORIGIN, seedSite } from "./helpers";
import { SHOP } from "./tracking-helpers";

const kind = (name: string): Counts | undefined => metricsSnapshot().byKind[name];

beforeEach(() => {
  forceMetrics(true);
  resetMetrics();
});
afterAll(() => {
  forceMetrics(false);
  resetMetrics();
});

describe("counting", () => {
  it("counts D1 round trips (a batch is one), statements and rows written", async () => {
    const db = countedEnv("test d1", env).DB;
    await db.exec("CREATE TABLE IF NOT EXISTS metrics_probe (n INTEGER)");
    await db.prepare("INSERT INTO metrics_probe (n) VALUES (?)").bind(1).run();
    await db.batch([2, 3, 4].map((n) => db.prepare("INSERT INTO metrics_probe (n) VALUES (?)").bind(n)));
    expect(await db.prepare("SELECT COUNT(*) AS c FROM metrics_probe").first("c")).toBe(4);
    expect(await db.prepare("SELECT n FROM metrics_probe WHERE n > ?").bind(9).first()).toBeNull();
    expect((await db.prepare("SELECT n FROM metrics_probe ORDER BY n").all<{ n: number }>()).results.map((r) => r.n)).toEqual([1, 2, 3, 4]);
    await db.prepare("UPDATE metrics_probe SET n = n + 10 WHERE n >= 3").run();
    await db.exec("DROP TABLE metrics_probe");
    expect(kind("test d1")?.d1).toMatchObject({ roundTrips: 8, statements: 10, rowsWritten: 1 + 3 + 2 });
    // The uncounted binding saw nothing.
    expect(metricsSnapshot().total.d1.roundTrips).toBe(8);
  });

  it("counts Durable Object calls by class and method", async () => {
    const e = countedEnv("test do", env);
    const hub = e.SITE_HUB.getByName("s_metrics_calls");
    expect(await hub.operatorsOnline()).toEqual([]);
    await hub.operatorsOnline();
    const other = e.SITE_HUB.getByName("s_metrics_calls_2");
    await other.operatorsOnline();
    expect(kind("test do")?.doCalls).toEqual({ "SiteHub.operatorsOnline": 3 });
  });

  it("counts an object's own SQLite statements and rows written, under its class", async () => {
    const hub = env.SITE_HUB.getByName("s_metrics_sql");
    await hub.operatorsOnline(); // constructed with counting on: its schema statements are counted
    const before = kind("DO SiteHub")!;
    expect(before.events).toBe(1);
    const built = before.doSql.SiteHub!.statements;
    await runInDurableObject(hub, (instance: SiteHub) => {
      const sql = (instance as unknown as { ctx: DurableObjectState }).ctx.storage.sql;
      sql.exec("CREATE TABLE metrics_probe (n INTEGER)");
      sql.exec("INSERT INTO metrics_probe (n) VALUES (1), (2), (3)");
      expect(sql.exec("SELECT COUNT(*) AS c FROM metrics_probe").one().c).toBe(3);
      sql.exec("DROP TABLE metrics_probe");
    });
    const after = kind("DO SiteHub")!.doSql.SiteHub!;
    expect(after.statements - built).toBe(4);
    // SQLite's own count: the three inserted rows, and the schema's row created and deleted.
    expect(after.rowsWritten - before.doSql.SiteHub!.rowsWritten).toBe(3 + 2);
  });

  it("counts HMAC signs and verifies (outside a request: unattributed)", async () => {
    const { token } = await signToken("secret", "track", { siteId: "s_1", visitorId: "v_1" });
    expect(await verifyToken("secret", "track", token)).not.toBeNull();
    expect(await verifyToken("secret", "track", `${token.slice(0, -2)}xx`)).toBeNull();
    // Not HMAC: not counted.
    await crypto.subtle.digest("SHA-256", new Uint8Array(1));
    expect(kind("unattributed")?.hmac).toEqual({ sign: 1, verify: 2 });
  });
});

describe("the Worker's entry", () => {
  const site = { id: "s_metrics", key: "pk_metrics_site" };
  const beacon = (body: Record<string, unknown>) =>
    exports.default.fetch(
      new Request(`${ORIGIN}/api/track`, {
        method: "POST",
        headers: { "content-type": "text/plain;charset=UTF-8", origin: SHOP },
        body: JSON.stringify(body),
      }),
    );

  it("counts a known request per kind: a beacon without consent reads the site once and nothing else", async () => {
    await seedSite(site, []);
    await env.DB.prepare("UPDATE sites SET allowed_origins = ? WHERE id = ?")
      .bind(JSON.stringify([SHOP]), site.id)
      .run();
    resetMetrics();
    const r = await beacon({ k: site.key, e: "view", u: `${SHOP}/`, c: false });
    expect(await r.json()).toEqual({ x: 1 });
    const counts = kind("POST /api/track view");
    expect(counts).toEqual({
      events: 1,
      d1: { roundTrips: 1, statements: 1, rowsWritten: 0, rowsRead: expect.any(Number) },
      doCalls: {},
      hmac: { sign: 0, verify: 0 },
      doSql: {},
    });
    expect(metricsSnapshot().total.events).toBe(1);
  });

  it("attributes a request's HMAC and object calls to its kind, and answers as without counting", async () => {
    const r = await beacon({ k: site.key, e: "view", u: `${SHOP}/a`, pv: "p1" });
    expect(r.status).toBe(200);
    const { t } = (await r.json()) as { t: string };
    const ping = await beacon({ k: site.key, t, e: "ping", u: `${SHOP}/a`, pv: "p1", ms: 15_000 });
    expect(ping.status).toBe(200);
    const view = kind("POST /api/track view")!;
    const pinged = kind("POST /api/track ping")!;
    expect(view.hmac.sign).toBeGreaterThanOrEqual(1); // the new visitor's tracking token
    expect(pinged.hmac.verify).toBe(1); // the presented token, checked once
    // The visitor-shard path (issue 10): a ping is one verify and one shard call, no D1, no hub.
    expect(pinged.hmac).toEqual({ sign: 0, verify: 1 });
    expect(pinged.d1.roundTrips).toBe(0);
    expect(Object.keys(pinged.doCalls)).toEqual([expect.stringMatching(/^VisitorShard\./)]);
    expect(Object.values(pinged.doCalls)).toEqual([1]);
    expect(kind("unattributed")).toBeUndefined();
  });

  it("reads and resets the counters on the dev route, only in development with counting on", async () => {
    await beacon({ k: "pk_nobody", e: "view", u: `${SHOP}/` });
    const read = await exports.default.fetch(`${ORIGIN}${METRICS_PATH}`);
    expect(read.status).toBe(200);
    const snapshot = (await read.json()) as MetricsSnapshot;
    expect(snapshot.byKind["POST /api/track view"]?.events).toBe(1);
    expect(snapshot.byKind[`GET ${METRICS_PATH}`]).toBeUndefined(); // reading is not counted

    expect((await exports.default.fetch(`${ORIGIN}${METRICS_PATH}`, { method: "DELETE" })).status).toBe(204);
    expect(metricsSnapshot().total.events).toBe(0);

    const call = async (vars: Record<string, string>) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(`${ORIGIN}${METRICS_PATH}`), { ...env, ...vars } as typeof env, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
    forceMetrics(false);
    const off = await call({});
    expect(off.status).toBe(404);
    expect(((await off.json()) as { error: { code: string } }).error.code).toBe("not_found");
    expect((await call({ GADKA_METRICS: "1" })).status).toBe(200);
    const production = await call({ GADKA_METRICS: "1", ENVIRONMENT: "production" });
    expect(production.status).toBe(404);
    expect(((await production.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
