/**
 * `GET /api/sites/:siteId/sent-mail?cursor=` (members): what a local deployment would have
 * emailed, newest first, 50 a page; 404 outside development. Mounted under
 * `/api/sites/:siteId/sent-mail` behind `operatorSession()` + `siteMember()`.
 */
import { Hono } from "hono";
import { SentMailQuery } from "../../protocol";
import type { AppEnv } from "../app-env";
import { validate } from "../middleware/validate";
import { sentMail } from "../services/offline";

export const sentMailRoutes = new Hono<AppEnv>().get("/", validate("query", SentMailQuery), async (c) => {
  return c.json(await sentMail(c.env, c.var.site.id, c.req.valid("query").cursor));
});
