/**
 * `/api/deploy/*`: the deployment operator's jobs over visitor shards (services/tracking-jobs.ts),
 * behind the deploy token (`Authorization: Bearer <token>`, its SHA-256 in DEPLOY_TOKEN_HASH).
 * No operator session or shop role opens them: a shop owner cannot reshard or migrate. Each call
 * is one bounded step; repeat until `done` (scripts/tracking-jobs.mjs).
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";
import { verifyDeployToken } from "../lib/deploy-token";
import { validate } from "../middleware/validate";
import { migrateTracking, reshard } from "../services/tracking-jobs";

const SiteParam = v.object({ siteId: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "siteId is an id")) });
const ReshardBody = v.object({ shards: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024)) });

export const deployRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    const auth = c.req.header("authorization");
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
    if (!(await verifyDeployToken(c.env.DEPLOY_TOKEN_HASH, token))) {
      throw new ApiError("unauthorized", "The deployment jobs need the deploy token (Authorization: Bearer …).");
    }
    await next();
  })
  .get("/sites", async (c) => {
    const { results } = await c.env.DB.prepare(
      `SELECT s.id, s.visitor_shards AS shards, s.visitor_shards_from AS shardsFrom, m.done_at AS migratedAt
       FROM sites s LEFT JOIN tracking_migration m ON m.site_id = s.id ORDER BY s.id`,
    ).all();
    return c.json({ sites: results });
  })
  .post("/sites/:siteId/migrate-tracking", validate("param", SiteParam), async (c) => {
    const { siteId } = c.req.valid("param");
    await requireSite(c.env.DB, siteId);
    return c.json(await migrateTracking(c.env, siteId));
  })
  .post("/sites/:siteId/reshard", validate("param", SiteParam), validate("json", ReshardBody), async (c) => {
    const { siteId } = c.req.valid("param");
    await requireSite(c.env.DB, siteId);
    return c.json(await reshard(c.env, siteId, c.req.valid("json").shards));
  });

async function requireSite(db: D1Database, siteId: string): Promise<void> {
  if (!(await db.prepare("SELECT 1 AS x FROM sites WHERE id = ?").bind(siteId).first("x"))) {
    throw new ApiError("not_found", "No such site.");
  }
}
