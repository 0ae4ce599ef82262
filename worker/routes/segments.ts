/**
 * Segments: saved filters of the visitor list, shared by the site's team. Everyone on the site
 * reads and saves them; a segment is deleted by whoever saved it, or by an owner or admin.
 * Mounted under `/api/sites/:siteId/segments` behind `siteMember()`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { MAX_SEGMENTS_PER_SITE, type Segment, SegmentBody, type SegmentListResponse, type SegmentResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { deleteSegment, getSegment, insertSegment, listSegments } from "../db/segments";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { SegmentId } from "../lib/ids";
import { atLeast } from "../lib/roles";
import { validate } from "../middleware/validate";

export const segmentRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ segments: await listSegments(c.env.DB, c.var.site.id) } satisfies SegmentListResponse))
  .post("/", validate("json", SegmentBody), async (c) => {
    const body = c.req.valid("json");
    const segment: Segment = {
      id: newId("sg"),
      name: body.name,
      filters: body.filters,
      createdAt: Date.now(),
      createdBy: c.var.session.operator.id,
    };
    const result = await insertSegment(c.env.DB, { ...segment, siteId: c.var.site.id });
    if (result === "taken") throw new ApiError("conflict", `A segment named "${body.name}" already exists.`);
    if (result === "full")
      throw new ApiError("validation_failed", `A site keeps at most ${MAX_SEGMENTS_PER_SITE} segments; delete one first.`);
    return c.json({ segment } satisfies SegmentResponse, 201);
  })
  .delete("/:id", validate("param", v.object({ id: SegmentId }), { notFound: "No such segment." }), async (c) => {
    const { id } = c.req.valid("param");
    const segment = await getSegment(c.env.DB, c.var.site.id, id);
    if (!segment) throw new ApiError("not_found", "No such segment.");
    if (!atLeast(c.var.site.role, "admin") && segment.createdBy !== c.var.session.operator.id) {
      throw new ApiError("forbidden", "Only whoever saved a segment, an owner or an admin can delete it.");
    }
    await deleteSegment(c.env.DB, c.var.site.id, id);
    return c.body(null, 204);
  });
