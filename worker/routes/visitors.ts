/**
 * Operators' view of visitors: the list with filters, one visitor's profile sidebar, inviting a
 * visitor into a chat from the Live view, and (owners, admins) export and erasure of everything
 * stored about a person. Mounted under `/api/sites/:siteId/visitors` behind `siteMember()`;
 * the audience summary under `/api/sites/:siteId/audience`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { AudienceQuery, InviteBody, VisitorListQuery, type VisitorListResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";
import { VisitorId } from "../lib/ids";
import { requireRole } from "../middleware/require-role";
import { validate } from "../middleware/validate";
import { inviteVisitor } from "../services/conversations";
import { eraseVisitor, exportVisitor } from "../services/privacy";
import { listSiteVisitors, siteAudience, visitorDetails } from "../services/visitor-reads";

const managers = requireRole("admin", "export or erase a visitor's data");
const visitor = validate("param", v.object({ visitorId: VisitorId }), { notFound: "No such visitor on this site." });

export const visitorRoutes = new Hono<AppEnv>()
  .get("/", validate("query", VisitorListQuery), async (c) => {
    return c.json((await listSiteVisitors(c.env, c.var.site.id, c.req.valid("query"))) satisfies VisitorListResponse);
  })
  .get("/:visitorId", visitor, async (c) => {
    const details = await visitorDetails(c.env, c.var.site.id, c.req.valid("param").visitorId, Date.now());
    if (!details) throw new ApiError("not_found", "No such visitor on this site.");
    return c.json(details);
  })
  .post("/:visitorId/invite", visitor, validate("json", InviteBody), async (c) => {
    const { id, name, avatarUrl } = c.var.session.operator;
    return c.json(
      await inviteVisitor(c.env, c.var.site.id, c.req.valid("param").visitorId, { id, name, avatarUrl }, c.req.valid("json").text),
    );
  })
  .get("/:visitorId/export", managers, visitor, async (c) => {
    const out = await exportVisitor(c.env, c.var.site.id, c.req.valid("param").visitorId);
    c.header("Content-Disposition", `attachment; filename="visitor-${out.profile.id}.json"`);
    return c.json(out);
  })
  .delete("/:visitorId", managers, visitor, async (c) => {
    return c.json({ erased: await eraseVisitor(c.env, c.var.site.id, c.req.valid("param").visitorId) });
  });

const DAY_MS = 86_400_000;

export const audienceRoutes = new Hono<AppEnv>().get("/", validate("query", AudienceQuery), async (c) => {
  const q = c.req.valid("query");
  const to = q.to ?? Date.now();
  const from = q.from ?? to - 30 * DAY_MS;
  if (from >= to) throw new ApiError("validation_failed", "from must be before to.");
  if (to - from > 366 * DAY_MS) throw new ApiError("validation_failed", "The period is at most 366 days.");
  return c.json(await siteAudience(c.env, c.var.site.id, from, to));
});
