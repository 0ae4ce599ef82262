/**
 * The site's operators with their capacity, skills and live presence (for transfers and the
 * team list). Mounted under `/api/sites/:siteId/operators` behind `siteMember()`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { siteRoster } from "../db/operators";
import type { TeamResponse } from "../protocol";

export const teamRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const [roster, online] = await Promise.all([
    siteRoster(c.env.DB, c.var.site.id),
    c.env.SITE_HUB.getByName(c.var.site.id).operatorsOnline(),
  ]);
  const live = new Map(online.map((o) => [o.id, o]));
  return c.json({
    operators: roster.map((r) => ({
      ...r,
      presence: live.get(r.id)?.status ?? "offline",
      load: live.get(r.id)?.load ?? 0,
    })),
  } satisfies TeamResponse);
});
