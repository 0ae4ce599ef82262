/**
 * The shop API's writes as use cases: a customer pushed by the shop's server becomes (or
 * updates) a verified profile, and a name given reaches the inbox rows of their conversations;
 * an order is recorded idempotently on the shop's order id.
 */
import type * as v from "valibot";
import type { CustomerBody, CustomerResponse, ShopOrderBody, ShopOrderResponse } from "../../protocol";
import { recordApiOrder, upsertCustomer } from "../db/shop";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { promoteToDirectory } from "./directory";
import { nameVisitors } from "./identity";
import { locateProfile } from "./visitor-reads";
import { shardFor, siteLayout } from "./visitor-shards";

export async function putCustomer(
  env: Env,
  siteId: string,
  externalId: string,
  body: v.InferOutput<typeof CustomerBody>,
): Promise<CustomerResponse> {
  const result = await upsertCustomer(env.DB, siteId, externalId, body, Date.now());
  if (result.inShard) {
    const home = shardFor(env, await siteLayout(env, siteId), result.customer.id);
    const c = result.customer;
    await home.stub.setProfile(siteId, home.shard, c.id, { email: c.email, name: c.name, attributes: JSON.stringify(c.attributes ?? {}) });
  }
  if (body.name) await nameVisitors(env, siteId, [result.customer.id], body.name);
  return { customer: result.customer, created: result.created };
}

export async function recordOrder(env: Env, siteId: string, body: v.InferOutput<typeof ShopOrderBody>): Promise<ShopOrderResponse> {
  const layout = await siteLayout(env, siteId);
  let visitorId = body.visitorId;
  if (visitorId) {
    // A visitor only their shard knows: into D1's directory (a buyer matters beyond one visit).
    const found = await locateProfile(env, layout, visitorId);
    if (!found) throw new ApiError("not_found", "No visitor with this visitorId on this site.");
    visitorId = found.row.id;
    if (found.where === "shard") await promoteToDirectory(env, layout, visitorId);
  }
  const now = Date.now();
  const result = await recordApiOrder(env.DB, siteId, { ...body, visitorId }, now);
  if (!result) throw new ApiError("not_found", "No visitor with this visitorId on this site.");
  const o = result.order;
  if (o.visitorId) {
    const home = shardFor(env, layout, o.visitorId);
    await home.stub.putOrder(siteId, home.shard, {
      order_id: o.id,
      visitor_id: o.visitorId,
      customer_id: o.customerId,
      total: o.total,
      currency: o.currency,
      items: JSON.stringify(o.items),
      created_at: o.createdAt,
      recorded_at: now,
      source: o.source,
    });
  }
  return result;
}
