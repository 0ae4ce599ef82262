/**
 * The site's operators: everyone sees the team with capacity, skills and live presence (for
 * transfers); owners and admins add colleagues and set roles, capacity and skills. Mounted under
 * `/api/sites/:siteId/operators` behind `siteMember()`.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { AddOperatorBody, type TeamResponse, UpdateOperatorBody } from "../../protocol";
import type { AppEnv } from "../app-env";
import { addOperatorToSite, siteRoster, updateMember } from "../db/operators";
import { ApiError } from "../lib/api-error";
import { hashPassword, newId } from "../lib/crypto";
import { readJson } from "../lib/request-input";

const managers = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.site.role === "agent") throw new ApiError("forbidden", "Only owners and admins manage the team.");
  await next();
});

export const teamRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const [roster, online] = await Promise.all([
      siteRoster(c.env.DB, c.var.site.id),
      c.env.SITE_HUB.getByName(c.var.site.id).operatorsOnline(),
    ]);
    const live = new Map(online.map((o) => [o.id, o]));
    return c.json({
      invitations: [],
      operators: roster.map((r) => ({ ...r, presence: live.get(r.id)?.status ?? "offline", load: live.get(r.id)?.load ?? 0 })),
    } satisfies TeamResponse);
  })
  .post("/", managers, async (c) => {
    const body = await readJson(c, AddOperatorBody);
    if (body.role === "owner" && c.var.site.role !== "owner") throw new ApiError("forbidden", "Only owners can add owners.");
    const id = await addOperatorToSite(c.env.DB, {
      siteId: c.var.site.id,
      newId: newId("op"),
      email: body.email,
      name: body.name,
      passwordHash: await hashPassword(body.password),
      avatarUrl: body.avatarUrl,
      role: body.role,
      maxChats: body.maxChats,
      skills: body.skills,
      now: Date.now(),
    });
    if (!id) throw new ApiError("conflict", `${body.email} is already on this site's team.`);
    await c.env.SITE_HUB.getByName(c.var.site.id).rosterChanged();
    return c.json({ id }, 201);
  })
  .patch("/:operatorId", managers, async (c) => {
    const body = await readJson(c, UpdateOperatorBody);
    if (body.role === "owner" && c.var.site.role !== "owner") throw new ApiError("forbidden", "Only owners can make someone an owner.");
    if (!(await updateMember(c.env.DB, c.var.site.id, c.req.param("operatorId"), body))) {
      throw new ApiError("not_found", "No such operator on this site.");
    }
    await c.env.SITE_HUB.getByName(c.var.site.id).rosterChanged();
    return c.json({ ok: true });
  });
