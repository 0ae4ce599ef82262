/**
 * D1 writes of the shop API: verified customer profiles and orders (idempotent on the shop's
 * order id; an API order replaces a page-reported one with the same id). Site-scoped.
 */

import { type Attributes, MAX_ATTRIBUTES, type ShopOrder, type VisitorProfile } from "../../protocol";
import { newId } from "../lib/crypto";
import { getCanonicalVisitor, mergeAttributes, parseJson, type RawOrder, type RawVisitor, toProfile, toShopOrder } from "./profiles";
import { createVerifiedVisitor, findVerifiedCustomer } from "./tracking";

/** The verified profile of a customer id, created when missing. */
async function ensureCustomer(db: D1Database, siteId: string, externalId: string, now: number): Promise<{ id: string; created: boolean }> {
  const found = await findVerifiedCustomer(db, siteId, externalId);
  if (found) return { id: found, created: false };
  const id = newId("v");
  try {
    await createVerifiedVisitor(db, { siteId, id, externalId, email: null, name: null, now });
    return { id, created: true };
  } catch (err) {
    // Created at the same moment by another call (unique index): use that one.
    const winner = await findVerifiedCustomer(db, siteId, externalId);
    if (!winner) throw err;
    return { id: winner, created: false };
  }
}

export async function upsertCustomer(
  db: D1Database,
  siteId: string,
  externalId: string,
  patch: { email?: string | null | undefined; name?: string | null | undefined; attributes?: Attributes | undefined },
  now: number,
): Promise<{ customer: VisitorProfile; created: boolean; inShard: boolean }> {
  const { id, created } = await ensureCustomer(db, siteId, externalId, now);
  const row = (await db.prepare("SELECT * FROM visitors WHERE site_id = ? AND id = ?").bind(siteId, id).first<RawVisitor>())!;
  const attributes = patch.attributes ? mergeAttributes(parseJson<Attributes>(row.attributes, {}), patch.attributes, MAX_ATTRIBUTES) : null;
  const updated = await db
    .prepare(
      `UPDATE visitors SET email = CASE WHEN ?3 THEN ?4 ELSE email END, name = CASE WHEN ?5 THEN ?6 ELSE name END,
         attributes = COALESCE(?7, attributes) WHERE site_id = ?1 AND id = ?2 RETURNING *`,
    )
    .bind(
      siteId,
      id,
      patch.email !== undefined ? 1 : 0,
      patch.email ?? null,
      patch.name !== undefined ? 1 : 0,
      patch.name ?? null,
      attributes ? JSON.stringify(attributes) : null,
    )
    .first<RawVisitor>();
  const out = (updated ?? row) as RawVisitor & { in_shard?: number };
  return { customer: toProfile(out), created, inShard: out.in_shard === 1 };
}

export async function getCustomer(db: D1Database, siteId: string, externalId: string): Promise<VisitorProfile | null> {
  const row = await db
    .prepare("SELECT * FROM visitors WHERE site_id = ? AND external_id = ? AND verified = 1 AND merged_into IS NULL")
    .bind(siteId, externalId)
    .first<RawVisitor>();
  return row ? toProfile(row) : null;
}

export interface NewOrder {
  orderId: string;
  customerId?: string | undefined;
  visitorId?: string | undefined;
  items: unknown[];
  total: number;
  currency: string;
  createdAt?: number | undefined;
}

/** Null when `visitorId` names no visitor of the site. */
export async function recordApiOrder(
  db: D1Database,
  siteId: string,
  o: NewOrder,
  now: number,
): Promise<{ order: ShopOrder; created: boolean } | null> {
  let visitorId: string | null = null;
  if (o.visitorId) {
    const row = await getCanonicalVisitor(db, siteId, o.visitorId);
    if (!row) return null;
    visitorId = row.id;
  } else if (o.customerId) {
    visitorId = (await ensureCustomer(db, siteId, o.customerId, now)).id;
  }
  const [before, , after] = await db.batch([
    db.prepare("SELECT source FROM orders WHERE site_id = ? AND order_id = ?").bind(siteId, o.orderId),
    db
      .prepare(
        `INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'api')
         ON CONFLICT (site_id, order_id) DO UPDATE SET visitor_id = COALESCE(excluded.visitor_id, orders.visitor_id),
           customer_id = excluded.customer_id, total = excluded.total, currency = excluded.currency, items = excluded.items,
           created_at = excluded.created_at, recorded_at = excluded.recorded_at, source = 'api'
         WHERE orders.source = 'page'`,
      )
      .bind(siteId, o.orderId, visitorId, o.customerId ?? null, o.total, o.currency, JSON.stringify(o.items), o.createdAt ?? now, now),
    db.prepare("SELECT * FROM orders WHERE site_id = ? AND order_id = ?").bind(siteId, o.orderId),
  ]);
  const existed = (before!.results as { source: string }[])[0];
  const stored = (after!.results as RawOrder[])[0]!;
  return { order: toShopOrder(stored), created: !existed || existed.source === "page" };
}

export async function getOrder(db: D1Database, siteId: string, orderId: string): Promise<ShopOrder | null> {
  const r = await db.prepare("SELECT * FROM orders WHERE site_id = ? AND order_id = ?").bind(siteId, orderId).first<RawOrder>();
  return r ? toShopOrder(r) : null;
}
