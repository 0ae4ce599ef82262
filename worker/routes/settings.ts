/**
 * A site's settings: look of the widget, typing preview, re-assignment time, visitor topics.
 * Members read them; owners and admins change them. Mounted under
 * `/api/sites/:siteId/settings` behind `siteMember()`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { getSiteSettings, updateSiteSettings } from "../db/sites";
import { ApiError } from "../lib/api-error";
import { readJson } from "../lib/request-input";
import { SiteSettingsPatch } from "../protocol";

export const settingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await getSiteSettings(c.env.DB, c.var.site.id)))
  .patch("/", async (c) => {
    if (c.var.site.role === "agent") throw new ApiError("forbidden", "Only owners and admins change the site's settings.");
    const patch = await readJson(c, SiteSettingsPatch);
    return c.json(await updateSiteSettings(c.env.DB, c.var.site.id, patch));
  });
