/**
 * The loader's tracking beacon (`POST /api/track`): the body, its parts (cart, purchase,
 * attributes, identify) and the answer. Shared by the Worker, the presence module and tests.
 */
import * as v from "valibot";
import type { TriggerFacts } from "./triggers";

export const MAX_URL_CHARS = 2048;
export const MAX_TITLE_CHARS = 300;
export const MAX_ATTRIBUTES = 50;
export const MAX_ATTRIBUTE_KEY_CHARS = 64;
export const MAX_ATTRIBUTE_VALUE_CHARS = 500;
export const MAX_CART_ITEMS = 100;
/** A visit (session) ends after this long without a page view or ping. */
export const VISIT_IDLE_MS = 30 * 60_000;

const Str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Url = Str(MAX_URL_CHARS);
export const Money = v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1e12));
export const Currency = v.pipe(v.string(), v.regex(/^[A-Za-z]{3}$/, "currency must be a 3-letter ISO code"), v.toUpperCase());

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
 *   e: "view"   a page view (also each SPA navigation): u, ti, r, pv
 *      "ping"   still on the page (every PING_INTERVAL_MS while visible): u, ms, pv
 *      "leave"  page hidden / unloaded: u, ms (time on page), pv
 *      "identify" id: IdentifyData      "attributes" a: Attributes
 *      "cart" / "purchase"  d: CartData / PurchaseData
 *      "consent" c: boolean (Gadka('consent', true|false))
 *      "trigger" d: TriggerEvent (protocol/triggers.ts): a trigger shown, held out, dismissed, clicked
 */
export const TRACK_EVENTS = ["view", "ping", "leave", "identify", "attributes", "cart", "purchase", "consent", "trigger"] as const;
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
  /**
   * The presence module's name for this page view, sent with its view and each ping and leave:
   * two open tabs of one visitor each time their own page, and a ping never creates a view.
   */
  pv: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{1,16}$/, "pv is a page-view key of letters and digits"))),
  /** Milliseconds on the current page (ping, leave). */
  ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(7 * 86_400_000))),
  /** Whether the shop has recorded the visitor's consent (Gadka('consent', true)). */
  c: v.optional(v.boolean()),
  /** navigator.language */
  l: v.optional(Str(35)),
  id: v.optional(IdentifyData),
  a: v.optional(Attributes),
  d: v.optional(v.unknown()), // validated per event with CartData / PurchaseData / TriggerEvent
  /** The rule-set version the page runs (the last `r` it got): an answer to a beacon with another `rv` brings `g` again. */
  rv: v.optional(v.pipe(v.string(), v.regex(/^[0-9]{1,12}$/, "rv is a rule-set version"))),
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
  /**
   * The site's rule-set version, only when it has at least one enabled trigger: fetch
   * `GET /api/widget/triggers/:siteKey?v=<r>` (cacheable for ever) and start the trigger chunk.
   */
  r?: string;
  /** This visitor's facts for the trigger engine: on a page view's answer, and when `rv` differs from `r`. */
  g?: TriggerFacts;
  /** On a view's answer: the launcher's look (issue 12), which the loader keeps for the next pages. */
  b?: LauncherLook;
}

/**
 * The branding the loader needs to draw the launcher, short for its budget: accent colour, text
 * colour, side ("l" or "r"), offsets x and y (px), label ("" none), hide on phones (1), the shop's
 * own button opens the chat (1, no launcher), forced language ("" the browser's).
 */
export type LauncherLook = [string, string, "l" | "r", number, number, string, 0 | 1, 0 | 1, string];
