/**
 * Visitor profiles as operators read them: the profile, its visits, page views, orders, cart
 * and repeat interest; the visitor list with its filters.
 */
import * as v from "valibot";
import { Digits, Flag } from "./fields";
import type { Attributes, CartItem } from "./tracking";

export interface TrafficSource {
  referrer: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
  landingUrl: string | null;
}

export interface DeviceInfo {
  type: "desktop" | "mobile" | "tablet" | "bot";
  browser: string | null;
  os: string | null;
}

export interface VisitorProfile {
  id: string;
  name: string | null;
  email: string | null;
  /** The shop's own customer id, from identify or the shop API. */
  externalId: string | null;
  /** True when the external id came with a valid HMAC (or from the shop API). */
  verified: boolean;
  firstSeenAt: number;
  lastSeenAt: number;
  visits: number;
  pageViews: number;
  timeOnSiteMs: number;
  firstSource: TrafficSource | null;
  lastSource: TrafficSource | null;
  device: DeviceInfo | null;
  country: string | null;
  city: string | null;
  language: string | null;
  returning: boolean;
  attributes: Attributes;
}

export interface PageView {
  url: string;
  title: string | null;
  at: number;
  /** Time on the page; null while the visitor is still on it. */
  durationMs: number | null;
}

export interface VisitSummary {
  id: string;
  startedAt: number;
  lastAt: number;
  pageViews: number;
  source: TrafficSource;
}

export interface OrderInfo {
  id: string;
  total: number;
  currency: string;
  items: CartItem[];
  createdAt: number;
  source: "api" | "page";
}

export interface CartInfo {
  items: CartItem[];
  total: number;
  currency: string;
  updatedAt: number;
}

/** "Viewed this product 4 times in 3 visits". */
export interface InterestSignal {
  url: string;
  title: string | null;
  views: number;
  visits: number;
}

/** `GET /api/sites/:siteId/visitors/:visitorId` */
export interface VisitorDetailsResponse {
  profile: VisitorProfile;
  currentVisit: { visit: VisitSummary; pages: PageView[] } | null;
  previousVisits: VisitSummary[];
  conversations: { id: string; status: string; createdAt: number; lastMessageAt: number | null; lastMessagePreview: string | null }[];
  orders: OrderInfo[];
  totalSpent: { amount: number; currency: string }[];
  cart: CartInfo | null;
  interest: InterestSignal[];
}

/**
 * `GET /api/sites/:siteId/visitors?…` (members): newest activity first. Filters combine (AND):
 * `returning=1|0`, `hasOrders=1|0`, `verified=1|0`, `country=PL`, `source=google` (first or latest
 * visit's source: utm_source, else the referrer's host, else "direct"), `q` (name, email or the
 * shop's customer id). `cursor` is `nextCursor` of the previous page.
 */
export const VisitorListQuery = v.object({
  returning: v.optional(Flag("returning")),
  hasOrders: v.optional(Flag("hasOrders")),
  verified: v.optional(Flag("verified")),
  country: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, "country is a 2-letter code"), v.toUpperCase())),
  source: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200), v.toLowerCase())),
  q: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(200))),
  limit: v.optional(v.pipe(Digits("limit", 3), v.minValue(1), v.maxValue(100)), "50"),
  cursor: v.optional(v.pipe(v.string(), v.regex(/^\d{1,15}~[A-Za-z0-9_-]{1,64}$/, "cursor is not one this API gave"))),
});
/** A row of the visitor list: the profile and how many orders the visitor has placed. */
export interface VisitorListEntry extends VisitorProfile {
  orders: number;
}

export interface VisitorListResponse {
  visitors: VisitorListEntry[];
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}
