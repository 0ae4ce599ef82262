/**
 * D1 rows of visitor profiles and their mapping to the protocol's shapes. Shared by the tracking
 * writes, the operator reads, the shop API and privacy (export, erase, retention).
 */
import type { Attributes, CartInfo, DeviceInfo, OrderInfo, ShopOrder, TrafficSource, VisitorProfile, VisitSummary } from "../../protocol";

export interface RawVisitor {
  site_id: string;
  id: string;
  name: string | null;
  email: string | null;
  external_id: string | null;
  verified: number;
  merged_into: string | null;
  first_seen_at: number;
  last_seen_at: number;
  visits: number;
  page_views: number;
  time_on_site_ms: number;
  first_source: string | null;
  last_source: string | null;
  first_source_label: string | null;
  last_source_label: string | null;
  device_type: string | null;
  browser: string | null;
  os: string | null;
  country: string | null;
  city: string | null;
  language: string | null;
  attributes: string;
  cart: string | null;
  current_visit_id: string | null;
  current_view_id: number | null;
  /** When a chat first took this visitor (migration 0009); null: no chat ever did. */
  chat_claimed_at: number | null;
}

export function parseJson<T>(json: string | null | undefined, fallback: T): T {
  if (json == null) return fallback;
  try {
    return JSON.parse(json) as T;
  } catch {
    return fallback;
  }
}

export function deviceOf(r: { device_type: string | null; browser: string | null; os: string | null }): DeviceInfo | null {
  if (!r.device_type) return null;
  return { type: r.device_type as DeviceInfo["type"], browser: r.browser, os: r.os };
}

export function toProfile(r: RawVisitor): VisitorProfile {
  return {
    id: r.id,
    name: r.name,
    email: r.email,
    externalId: r.external_id,
    verified: r.verified === 1,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    visits: r.visits,
    pageViews: r.page_views,
    timeOnSiteMs: r.time_on_site_ms,
    firstSource: parseJson<TrafficSource | null>(r.first_source, null),
    lastSource: parseJson<TrafficSource | null>(r.last_source, null),
    device: deviceOf(r),
    country: r.country,
    city: r.city,
    language: r.language,
    returning: r.visits > 1,
    attributes: parseJson<Attributes>(r.attributes, {}),
  };
}

export function cartOf(r: { cart: string | null }): CartInfo | null {
  return parseJson<CartInfo | null>(r.cart, null);
}

/** A visit's source columns (visits table; also read with the visitor for the beacon). */
export interface SourceColumns {
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  landing_url: string | null;
}

export interface RawVisit extends SourceColumns {
  id: string;
  visitor_id: string;
  started_at: number;
  last_at: number;
  page_views: number;
  device_type: string | null;
  browser: string | null;
  os: string | null;
  country: string | null;
  city: string | null;
}

export function sourceOfVisit(r: SourceColumns): TrafficSource {
  return {
    referrer: r.referrer,
    utmSource: r.utm_source,
    utmMedium: r.utm_medium,
    utmCampaign: r.utm_campaign,
    utmTerm: r.utm_term,
    utmContent: r.utm_content,
    landingUrl: r.landing_url,
  };
}

export function toVisit(r: RawVisit): VisitSummary {
  return { id: r.id, startedAt: r.started_at, lastAt: r.last_at, pageViews: r.page_views, source: sourceOfVisit(r) };
}

export interface RawOrder {
  order_id: string;
  visitor_id: string | null;
  customer_id: string | null;
  total: number;
  currency: string;
  items: string;
  created_at: number;
  source: "api" | "page";
}

export function toOrder(r: RawOrder): OrderInfo {
  return { id: r.order_id, total: r.total, currency: r.currency, items: parseJson(r.items, []), createdAt: r.created_at, source: r.source };
}

export function toShopOrder(r: RawOrder): ShopOrder {
  return { ...toOrder(r), visitorId: r.visitor_id, customerId: r.customer_id };
}

/** This visitor and the anonymous profiles merged into it (a verified identify folds them). */
export const GROUP = (alias = "visitor_id") =>
  `(${alias} = ?2 OR ${alias} IN (SELECT id FROM visitors WHERE site_id = ?1 AND merged_into = ?2))`;

/** The visitor row, following a merge to the profile it was folded into. */
export async function getCanonicalVisitor(db: D1Database, siteId: string, visitorId: string): Promise<RawVisitor | null> {
  let row = await db.prepare("SELECT * FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, visitorId).first<RawVisitor>();
  for (let hops = 0; row?.merged_into && hops < 3; hops++) {
    row = await db.prepare("SELECT * FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, row.merged_into).first<RawVisitor>();
  }
  return row && !row.merged_into ? row : null;
}

/** Merges an attribute patch: null removes a key; new keys only while under the limit. */
export function mergeAttributes(current: Attributes, patch: Attributes, max: number): Attributes {
  const next: Attributes = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else if (key in next || Object.keys(next).length < max) next[key] = value;
  }
  return next;
}
