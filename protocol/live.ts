/**
 * The Live view (visitors on the shop now), its dashboard frames, and invitations. Orders,
 * filters and the cursor are in live-order.ts.
 */
import * as v from "valibot";
import { Digits, Flag } from "./fields";
import type { DeviceInfo, TrafficSource } from "./profiles";
import { VISIT_IDLE_MS } from "./tracking";

/** The loader pings this often while its tab is visible; the Live view drops a visitor after LIVE_TIMEOUT_MS. */
export const PING_INTERVAL_MS = 15_000;
export const LIVE_TIMEOUT_MS = 45_000;
/** A Live view entry leaves this long after the visitor's tab said "leave", unless a view or ping comes first. */
export const LEAVE_GRACE_MS = 10_000;
/** An invitation the visitor's loader has not picked up within this long is dropped. */
export const INVITE_TTL_MS = VISIT_IDLE_MS;

/** One visitor on the site now, as the Live view shows it. */
export interface LiveVisitor {
  visitorId: string;
  name: string | null;
  email: string | null;
  verified: boolean;
  url: string;
  title: string | null;
  pageSince: number;
  visitStartedAt: number;
  lastSeenAt: number;
  source: TrafficSource | null;
  returning: boolean;
  cart: { total: number; currency: string } | null;
  conversationId: string | null;
  chatting: boolean;
  country: string | null;
  device: DeviceInfo | null;
}

/**
 * How many visitors are on the shop now. Summed over a site's visitor shards (each visitor lives
 * in exactly one), so the sums are exact.
 */
export interface LiveCounts {
  visitors: number;
  chatting: number;
  withCart: number;
  returning: number;
}

/** Orders of the Live view's list: most recent activity, largest cart, chatting first. */
export const LIVE_SORTS = ["recent", "cart", "chatting"] as const;
export type LiveSort = (typeof LIVE_SORTS)[number];
/** Entries a shard sends the hub for each order; the hub's merged first page is built from them. */
export const LIVE_TOP_K = 50;

/**
 * A visitor shard's Live view, sent to the site hub (`SiteHub.liveAggregate`) at most once a
 * second and only after something a dashboard shows changed: its counts and the union of its
 * best LIVE_TOP_K entries by each LIVE_SORTS order. A ping that changes nothing shown sends nothing.
 */
export interface LiveAggregate {
  shard: number;
  at: number;
  /** When the shard's presence started: a new epoch means it restarted and lost the hub's chat states. */
  epoch: number;
  counts: LiveCounts;
  top: LiveVisitor[];
}

/**
 * Dashboard frame (site hub): the merged counts and the first LIVE_TOP_K entries in the order the
 * dashboard chose (`live.watch`; "chatting" until it chooses), on connect and whenever they change —
 * never one frame per visitor event. The same entries as the REST list's first page, unfiltered.
 */
export interface LiveSummaryFrame {
  type: "live.summary";
  sort: LiveSort;
  counts: LiveCounts;
  visitors: LiveVisitor[];
}

/** Dashboard → hub: the order of the Live view's first entries this dashboard wants in `live.summary`. */
export const LiveWatchFrame = v.object({ type: v.literal("live.watch"), sort: v.picklist(LIVE_SORTS) });
export type LiveWatchFrame = v.InferOutput<typeof LiveWatchFrame>;
/** The order a dashboard gets until it sends `live.watch`: chats first, as the inbox wants them. */
export const DEFAULT_DASHBOARD_SORT: LiveSort = "chatting";

/**
 * `GET /api/sites/:siteId/live?…` (members): one page of the visitors on the shop now, from every
 * shard of the site (scatter-gather). Filters combine (AND); `q` matches name, email, page URL or
 * title; `cursor` is `nextCursor` of the previous page with the same sort and filters.
 */
export const LiveListQuery = v.object({
  sort: v.optional(v.picklist(LIVE_SORTS), "recent"),
  limit: v.optional(v.pipe(Digits("limit", 3), v.minValue(1), v.maxValue(200)), "50"),
  cursor: v.optional(v.pipe(v.string(), v.maxLength(200))),
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
  chatting: v.optional(Flag("chatting")),
  cart: v.optional(Flag("cart")),
  returning: v.optional(Flag("returning")),
  country: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, "country is a 2-letter code"), v.toUpperCase())),
});
export type LiveListQuery = v.InferOutput<typeof LiveListQuery>;

export interface LiveListResponse {
  visitors: LiveVisitor[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
  counts: LiveCounts;
}

/** `POST /api/sites/:siteId/visitors/:visitorId/invite` → `{ conversationId }` */
export const InviteBody = v.object({ text: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(1000)) });
export interface InviteResponse {
  conversationId: string;
}
