/**
 * Segments: saved filters of the visitor list, shared by a site's team.
 */
import * as v from "valibot";

/** A segment's filters: the visitor list's query parameters, kept as the list takes them. */
export const SegmentFilters = v.object({
  returning: v.optional(v.picklist(["1", "0"])),
  hasOrders: v.optional(v.picklist(["1", "0"])),
  verified: v.optional(v.picklist(["1", "0"])),
  country: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, "country is a 2-letter code"), v.toUpperCase())),
  source: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200), v.toLowerCase())),
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
});
export type SegmentFilters = v.InferOutput<typeof SegmentFilters>;

export const MAX_SEGMENTS_PER_SITE = 50;

/** `POST /api/sites/:siteId/segments` (members): save the visitor list's filters under a name. */
export const SegmentBody = v.object({
  name: v.pipe(v.string(), v.trim(), v.minLength(1, "name is required"), v.maxLength(60)),
  filters: SegmentFilters,
});
export type SegmentBody = v.InferOutput<typeof SegmentBody>;

/** A saved filter of the visitor list ("Returning buyers from Poland"), shared by the site's team. */
export interface Segment {
  id: string;
  name: string;
  filters: SegmentFilters;
  createdAt: number;
  createdBy: string | null;
}

/**
 * `GET /api/sites/:siteId/segments` → `{ segments }` (oldest first); `POST` → 201 `{ segment }`
 * (409 `conflict` when the name is taken, 422 past MAX_SEGMENTS_PER_SITE); `DELETE …/:id` → 204
 * (its creator, owners and admins).
 */
export interface SegmentListResponse {
  segments: Segment[];
}
export interface SegmentResponse {
  segment: Segment;
}
