/**
 * Visitor intelligence: the loader's tracking beacon, visitor profiles, the Live view and
 * invitations. The Worker validates with these schemas; the loader, chat and admin type their
 * calls with the types. (Contract shared by worker/, widget/ and admin/.)
 */
import * as v from "valibot";

export const MAX_URL_CHARS = 2048;
export const MAX_TITLE_CHARS = 300;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_KEY_CHARS = 64;
export const MAX_ATTRIBUTE_VALUE_CHARS = 500;
export const MAX_CART_ITEMS = 100;
/** A visit (session) ends after this long without a page view or ping. */
export const VISIT_IDLE_MS = 30 * 60_000;
/** The loader pings this often while its tab is visible; the Live view drops a visitor after LIVE_TIMEOUT_MS. */
export const PING_INTERVAL_MS = 15_000;
export const LIVE_TIMEOUT_MS = 45_000;

const Str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Url = Str(MAX_URL_CHARS);
const Money = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1e12));
const Currency = v.pipe(v.string(), v.regex(/^[A-Za-z]{3}$/, "currency must be a 3-letter ISO code"), v.toUpperCase());

export const CartItem = v.object({
  id: Str(128),
  name: v.optional(Str(300)),
  price: v.optional(Money),
  quantity: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1e6))),
  url: v.optional(Url),
});
export type CartItem = v.InferOutput<typeof CartItem>;

export const CartData = v.object({
  items: v.pipe(v.array(CartItem), v.maxLength(MAX_CART_ITEMS)),
  total: Money,
  currency: Currency,
});
export const PurchaseData = v.object({
  orderId: Str(128),
  items: v.optional(v.pipe(v.array(CartItem), v.maxLength(MAX_CART_ITEMS))),
  total: Money,
  currency: Currency,
});

export const AttributeValue = v.nullable(v.union([Str(MAX_ATTRIBUTE_VALUE_CHARS), v.number(), v.boolean()]));
export const Attributes = v.pipe(
  v.record(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_ATTRIBUTE_KEY_CHARS)), AttributeValue),
  v.check((r) => Object.keys(r).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`),
);
export type Attributes = v.InferOutput<typeof Attributes>;

/** `Gadka('identify', {...})`: `hash` = hex HMAC-SHA256 of `id` under the site's identity secret. */
export const IdentifyData = v.object({
  id: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
  email: v.optional(v.pipe(v.string(), v.maxLength(254), v.email())),
  name: v.optional(Str(120)),
  hash: v.optional(v.pipe(v.string(), v.maxLength(128))),
});

/**
 * `POST /api/track` from the loader on the shop's page. Sent as text/plain JSON (no CORS
 * preflight; `fetch(..., {keepalive: true})`, or `navigator.sendBeacon` for "leave"); the answer
 * carries `Access-Control-Allow-Origin: *`. Short keys: the loader has a 1.5 KB budget.
 *   e: "view"   a page view (also each SPA navigation): u, ti, r
 *      "ping"   still on the page (every PING_INTERVAL_MS while visible): u, ms
 *      "leave"  page hidden / unloaded: u, ms (time on page)
 *      "identify" id: IdentifyData      "attributes" a: Attributes
 *      "cart" / "purchase"  d: CartData / PurchaseData
 *      "consent" c: boolean (Gadka('consent', true|false))
 */
export const TRACK_EVENTS = ["view", "ping", "leave", "identify", "attributes", "cart", "purchase", "consent"] as const;
export const TrackBody = v.object({
  k: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
  /**
   * The visitor's tracking token from an earlier answer (kept in the shop's localStorage). It
   * names the visitor for tracking and the unread count only — never the chat token, which
   * reads the conversation and stays inside the chat iframe.
   */
  t: v.optional(Str(512)),
  e: v.picklist(TRACK_EVENTS),
  u: v.optional(Url),
  ti: v.optional(Str(MAX_TITLE_CHARS)),
  r: v.optional(Url),
  /** Milliseconds on the current page (ping, leave). */
  ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86_400_000))),
  /** Whether the shop has recorded the visitor's consent (Gadka('consent', true)). */
  c: v.optional(v.boolean()),
  /** navigator.language */
  l: v.optional(Str(35)),
  id: v.optional(IdentifyData),
  a: v.optional(Attributes),
  d: v.optional(v.unknown()), // validated per event with CartData / PurchaseData
});
export type TrackBody = v.InferOutput<typeof TrackBody>;

export interface TrackResponse {
  /** The tracking token to keep (new, the same, or another after a verified identify merged profiles). */
  t?: string;
  /** Peek token of the visitor's conversation, if there is one (for the unread badge). */
  p?: string;
  /** Operator messages the visitor has not read. */
  n?: number;
  /** 1: an operator invited this visitor: open the chat now. */
  o?: 1;
  /** 1: the site requires consent and the shop has not given it: nothing was stored; send nothing more until consent. */
  x?: 1;
}

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
