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

// ---- extensions (backend, issue 5) ---------------------------------------------------------

/** A Live view entry leaves this long after the visitor's tab said "leave", unless a view or ping comes first. */
export const LEAVE_GRACE_MS = 10_000;
/** An invitation the visitor's loader has not picked up within this long is dropped. */
export const INVITE_TTL_MS = VISIT_IDLE_MS;

const Digits = (name: string, max = 15) => v.pipe(v.string(), v.regex(new RegExp(`^\\d{1,${max}}$`), `${name} must be a whole number`), v.transform(Number));
const Flag = (name: string) => v.pipe(v.string(), v.picklist(["0", "1", "true", "false"], `${name} is 1 or 0`), v.transform((s) => s === "1" || s === "true"));

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

/** `GET /api/sites/:siteId/audience?from=&to=` (ms since epoch; default the last 30 days; at most 366 days). */
export const AudienceQuery = v.object({
  from: v.optional(Digits("from")),
  to: v.optional(Digits("to")),
});
export interface AudienceResponse {
  from: number;
  to: number;
  /** Visits (sessions) that started in the period. */
  visits: number;
  /** Distinct visitors with a visit in the period; new = their first visit ever was in it. */
  visitors: number;
  newVisitors: number;
  returningVisitors: number;
  pageViews: number;
  /** Counted in visits, biggest first (top 20 each). Source: utm_source, else referrer host, else "direct". */
  sources: { source: string; visits: number }[];
  devices: { type: DeviceInfo["type"] | "unknown"; visits: number }[];
  browsers: { browser: string; visits: number }[];
  countries: { country: string; visits: number }[];
}

/** `PUT /api/v1/customers/:externalId` (shop API, secret key): a verified profile, created if needed. */
export const CustomerBody = v.object({
  email: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(254), v.email()))),
  name: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(120)))),
  attributes: v.optional(Attributes),
});
export const ExternalId = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
export interface CustomerResponse {
  customer: VisitorProfile;
  created: boolean;
}

/**
 * `POST /api/v1/orders` (shop API): idempotent on `orderId` (a repeat answers 200 with the stored
 * order; a first one 201). `customerId` (the shop's id; its verified profile is created if
 * needed) or `visitorId` (Gadka's) names the buyer. `createdAt` ms since epoch, default now.
 */
export const ShopOrderBody = v.pipe(
  v.object({
    orderId: v.pipe(v.string(), v.minLength(1), v.maxLength(128)),
    customerId: v.optional(ExternalId),
    visitorId: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "visitorId is not a Gadka visitor id"))),
    items: v.optional(v.pipe(v.array(CartItem), v.maxLength(MAX_CART_ITEMS)), []),
    total: Money,
    currency: Currency,
    createdAt: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(8.64e15))),
  }),
  v.check((o) => o.customerId !== undefined || o.visitorId !== undefined, "give customerId or visitorId"),
);
export interface ShopOrder extends OrderInfo {
  visitorId: string | null;
  customerId: string | null;
}
export interface ShopOrderResponse {
  order: ShopOrder;
  created: boolean;
}

/** `GET /api/sites/:siteId/settings/secrets` (owners): the identify secret, and which API key is active. */
export interface SiteSecretsResponse {
  /** Sign `hash` = hex HMAC-SHA256(customer id) with it, on the shop's server. */
  identitySecret: string;
  /** The active secret API key, shown only by its start; null when none was created yet. */
  apiKey: { prefix: string; createdAt: number } | null;
}
/** `POST …/settings/secrets/api-key` (owners): a new key replaces the old one; shown this once. */
export interface ApiKeyResponse {
  apiKey: string;
  prefix: string;
  createdAt: number;
}
/** `POST …/settings/secrets/identity` (owners): a new identify secret; old hashes stop verifying. */
export interface IdentitySecretResponse {
  identitySecret: string;
}

/** `GET /api/sites/:siteId/visitors/:visitorId/export` (owners, admins): every trace of one person. */
export interface VisitorExport {
  exportedAt: number;
  siteId: string;
  profile: VisitorProfile;
  /** This profile and the anonymous ones merged into it. */
  visitorIds: string[];
  visits: (VisitSummary & { visitorId: string; device: DeviceInfo | null; country: string | null; city: string | null })[];
  pageViews: (PageView & { visitorId: string; visitId: string | null })[];
  events: { visitorId: string; type: string; data: unknown; at: number }[];
  orders: ShopOrder[];
  cart: CartInfo | null;
  conversations: { id: string; visitorId: string; createdAt: number; status: string; messages: { seq: number; kind: string; role: string; authorName: string | null; text: string; createdAt: number }[] }[];
}

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
