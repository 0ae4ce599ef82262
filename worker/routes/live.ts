/**
 * The Live view's list: `GET /api/sites/:siteId/live?sort&limit&cursor&q&chatting&cart&returning&country`,
 * one page of the visitors on the shop now merged from every visitor shard of the site, with the
 * exact counts. Every member may read it. Mounted under `/api/sites/:siteId/live` behind
 * `siteMember()`; the use case is `listLive` (services/live.ts).
 */
import { Hono } from "hono";
import { LiveListQuery, type LiveListResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validate";
import { listLive } from "../services/live";

export const liveRoutes = new Hono<AppEnv>().get("/", validate("query", LiveListQuery), async (c) => {
  return c.json((await listLive(c.env, c.var.site.id, c.req.valid("query"))) satisfies LiveListResponse);
});
