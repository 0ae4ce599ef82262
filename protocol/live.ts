/**
 * The Live view (visitors on the shop now), its dashboard frames, and invitations.
 */
import * as v from "valibot";
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

/** Site-hub socket frames (operators): sent to every operator socket of the site. */
export interface LiveSnapshotFrame {
  type: "live.snapshot";
  visitors: LiveVisitor[];
}
export interface LiveUpdateFrame {
  type: "live.update";
  visitor: LiveVisitor;
}
export interface LiveGoneFrame {
  type: "live.gone";
  visitorId: string;
}

/** `POST /api/sites/:siteId/visitors/:visitorId/invite` → `{ conversationId }` */
export const InviteBody = v.object({ text: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(1000)) });
export interface InviteResponse {
  conversationId: string;
}
