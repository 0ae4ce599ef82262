/**
 * Saved replies: everyone on a site reads the shared ones and their own; owners and admins
 * manage the shared ones, every operator their own. Mounted under
 * `/api/sites/:siteId/saved-replies` behind `siteMember()`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { type SavedRepliesResponse, type SavedReply, SavedReplyBody } from "../../protocol";
import type { AppEnv } from "../app-env";
import { deleteSavedReply, getSavedReply, insertSavedReply, listSavedReplies, updateSavedReply } from "../db/saved-replies";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { SavedReplyId } from "../lib/ids";
import { atLeast } from "../lib/roles";
import { validate } from "../middleware/validate";

const reply = validate("param", v.object({ id: SavedReplyId }), { notFound: "No such saved reply." });

export const savedReplyRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const replies = await listSavedReplies(c.env.DB, c.var.site.id, c.var.session.operator.id);
    return c.json({ replies } satisfies SavedRepliesResponse);
  })
  .post("/", validate("json", SavedReplyBody), async (c) => {
    const body = c.req.valid("json");
    if (!body.personal && !atLeast(c.var.site.role, "admin")) {
      throw new ApiError("forbidden", "Only owners and admins can add shared replies; save it as personal instead.");
    }
    const id = newId("sr");
    const ownerId = body.personal ? c.var.session.operator.id : null;
    const now = Date.now();
    const ok = await insertSavedReply(c.env.DB, { id, siteId: c.var.site.id, ownerId, shortcut: body.shortcut, body: body.body, now });
    if (!ok) throw new ApiError("conflict", `The shortcut /${body.shortcut} is already taken.`);
    return c.json({ id, shortcut: body.shortcut, body: body.body, personal: body.personal, updatedAt: now } satisfies SavedReply, 201);
  })
  .put("/:id", reply, validate("json", SavedReplyBody), async (c) => {
    const body = c.req.valid("json");
    const { id } = c.req.valid("param");
    await mayChange(c.env.DB, c.var, id);
    const ok = await updateSavedReply(c.env.DB, { id, siteId: c.var.site.id, shortcut: body.shortcut, body: body.body, now: Date.now() });
    if (!ok) throw new ApiError("conflict", `The shortcut /${body.shortcut} is already taken.`);
    return c.json({ ok: true });
  })
  .delete("/:id", reply, async (c) => {
    const { id } = c.req.valid("param");
    await mayChange(c.env.DB, c.var, id);
    await deleteSavedReply(c.env.DB, c.var.site.id, id);
    return c.body(null, 204);
  });

/** Someone else's personal reply does not exist for you; shared ones need owner or admin. */
async function mayChange(db: D1Database, vars: AppEnv["Variables"], id: string): Promise<void> {
  const reply = await getSavedReply(db, vars.site.id, id);
  if (!reply || (reply.ownerId !== null && reply.ownerId !== vars.session.operator.id)) {
    throw new ApiError("not_found", "No such saved reply.");
  }
  if (reply.ownerId === null && !atLeast(vars.site.role, "admin")) {
    throw new ApiError("forbidden", "Only owners and admins can change shared replies.");
  }
}
