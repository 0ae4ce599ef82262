/**
 * Operators' view of visitors: the list with filters, one visitor's profile sidebar, inviting a
 * visitor into a chat from the Live view, and (owners, admins) export and erasure of everything
 * stored about a person. Mounted under `/api/sites/:siteId/visitors` behind `siteMember()`;
 * the audience summary under `/api/sites/:siteId/audience`.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import {
  AudienceQuery,
  InviteBody,
  type InviteResponse,
  type VisitorExport,
  VisitorListQuery,
  type VisitorListResponse,
} from "../../protocol";
import type { AppEnv } from "../app-env";
import { createOrGetConversation } from "../db/conversations";
import { exportRows, visitorGroup } from "../db/privacy";
import { cartOf, deviceOf, parseJson, sourceOfVisit, toProfile, toShopOrder } from "../db/profiles";
import { audience, listVisitors, visitorDetails } from "../db/visitor-reads";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { eraseVisitors } from "../lib/erase";
import { isConversationId } from "../lib/ids";
import { readJson, readQuery } from "../lib/request-input";

const managers = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.site.role === "agent") throw new ApiError("forbidden", "Only owners and admins export or erase a visitor's data.");
  await next();
});

const VISITOR_ID = /^[A-Za-z0-9_-]{1,64}$/;
const notFound = () => new ApiError("not_found", "No such visitor on this site.");

function visitorParam(id: string | undefined): string {
  if (!id || !VISITOR_ID.test(id)) throw notFound();
  return id;
}

export const visitorRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const q = readQuery(c, VisitorListQuery);
    return c.json((await listVisitors(c.env.DB, c.var.site.id, q)) satisfies VisitorListResponse);
  })
  .get("/:visitorId", async (c) => {
    const details = await visitorDetails(c.env.DB, c.var.site.id, visitorParam(c.req.param("visitorId")), Date.now());
    if (!details) throw notFound();
    return c.json(details);
  })
  .post("/:visitorId/invite", async (c) => {
    const body = await readJson(c, InviteBody);
    const siteId = c.var.site.id;
    const group = await visitorGroup(c.env.DB, siteId, visitorParam(c.req.param("visitorId")));
    if (!group) throw notFound();
    const visitorId = group.canonical.id;
    const { operator } = c.var.session;
    // An operator's action is not the visitor's activity: their last-seen time stays as it is.
    const { id, createdAt } = await createOrGetConversation(
      c.env.DB,
      { id: newId("c"), siteId, visitorId, now: Date.now() },
      { touch: false },
    );
    await c.env.CONVERSATION.getByName(id).invite(
      { id, siteId, visitorId, createdAt, skill: null },
      { id: operator.id, name: operator.name, avatarUrl: operator.avatarUrl },
      body.text,
    );
    await c.env.SITE_HUB.getByName(siteId).invite(siteId, visitorId);
    return c.json({ conversationId: id } satisfies InviteResponse);
  })
  .get("/:visitorId/export", managers, async (c) => {
    const siteId = c.var.site.id;
    const group = await visitorGroup(c.env.DB, siteId, visitorParam(c.req.param("visitorId")));
    if (!group) throw notFound();
    const rows = await exportRows(c.env.DB, siteId, group.ids);
    const histories = await Promise.all(
      rows.conversations
        .filter((r) => isConversationId(r.id))
        .map(async (r) => ({ row: r, room: await c.env.CONVERSATION.getByName(r.id).exportMessages(siteId) })),
    );
    const out: VisitorExport = {
      exportedAt: Date.now(),
      siteId,
      profile: toProfile(group.canonical),
      visitorIds: group.ids,
      visits: rows.visits.map((r) => ({
        ...sourceOfVisitSummary(r),
        visitorId: r.visitor_id,
        device: deviceOf(r),
        country: r.country,
        city: r.city,
      })),
      pageViews: rows.pageViews.map((p) => ({
        visitorId: p.visitor_id,
        visitId: p.visit_id,
        url: p.url,
        title: p.title,
        at: p.at,
        durationMs: p.duration_ms,
      })),
      events: rows.events.map((e) => ({ visitorId: e.visitor_id, type: e.type, data: parseJson(e.data, null), at: e.at })),
      orders: rows.orders.map(toShopOrder),
      cart: cartOf(group.canonical),
      conversations: histories.map(({ row, room }) => ({
        id: row.id,
        visitorId: row.visitor_id,
        createdAt: row.created_at,
        status: row.status,
        messages: (room?.messages ?? []).map((m) => ({
          seq: m.seq,
          kind: m.kind,
          role: m.role,
          authorName: m.authorName,
          text: m.text,
          createdAt: m.createdAt,
        })),
      })),
    };
    c.header("Content-Disposition", `attachment; filename="visitor-${group.canonical.id}.json"`);
    return c.json(out);
  })
  .delete("/:visitorId", managers, async (c) => {
    const siteId = c.var.site.id;
    const group = await visitorGroup(c.env.DB, siteId, visitorParam(c.req.param("visitorId")));
    if (!group) throw notFound();
    const { conversations } = await eraseVisitors(c.env, siteId, group.ids);
    return c.json({ erased: { visitorIds: group.ids, conversations } });
  });

const DAY_MS = 86_400_000;

export const audienceRoutes = new Hono<AppEnv>().get("/", async (c) => {
  const q = readQuery(c, AudienceQuery);
  const to = q.to ?? Date.now();
  const from = q.from ?? to - 30 * DAY_MS;
  if (from >= to) throw new ApiError("validation_failed", "from must be before to.");
  if (to - from > 366 * DAY_MS) throw new ApiError("validation_failed", "The period is at most 366 days.");
  return c.json(await audience(c.env.DB, c.var.site.id, from, to));
});

function sourceOfVisitSummary(
  r: Parameters<typeof sourceOfVisit>[0] & { id: string; started_at: number; last_at: number; page_views: number },
) {
  return { id: r.id, startedAt: r.started_at, lastAt: r.last_at, pageViews: r.page_views, source: sourceOfVisit(r) };
}
