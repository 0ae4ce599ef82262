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
import { nameVisitors } from "./identity";

export async function putCustomer(
  env: Env,
  siteId: string,
  externalId: string,
  body: v.InferOutput<typeof CustomerBody>,
): Promise<CustomerResponse> {
  const result = await upsertCustomer(env.DB, siteId, externalId, body, Date.now());
  if (body.name) await nameVisitors(env, siteId, [result.customer.id], body.name);
  return result;
}

export async function recordOrder(env: Env, siteId: string, body: v.InferOutput<typeof ShopOrderBody>): Promise<ShopOrderResponse> {
  const result = await recordApiOrder(env.DB, siteId, body, Date.now());
  if (!result) throw new ApiError("not_found", "No visitor with this visitorId on this site.");
  return result;
}
