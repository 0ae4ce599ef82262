/**
 * The shop's server-to-server API, authenticated by the site's secret key
 * (`Authorization: Bearer sk_…`, compared by its SHA-256): customers become verified profiles,
 * orders are recorded idempotently. Mounted under `/api/v1`. Path parameters arrive decoded
 * once (by Hono; malformed percent-encoding is refused for every path in index.ts).
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { CustomerBody, ExternalId, ShopOrderBody } from "../../protocol";
import type { AppEnv } from "../app-env";
import { siteByApiKey } from "../db/secrets";
import { getCustomer, getOrder } from "../db/shop";
import { ApiError } from "../lib/api-error";
import { validate } from "../middleware/validate";
import { putCustomer, recordOrder } from "../services/shop";

const secretKey = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const key = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  if (!key) throw new ApiError("unauthorized", "Send the site's secret API key as Authorization: Bearer sk_….");
  const siteId = /^sk_[A-Za-z0-9_-]{10,100}$/.test(key) ? await siteByApiKey(c.env.DB, key) : null;
  if (!siteId) throw new ApiError("unauthorized", "This API key is not valid (it may have been rotated).");
  c.set("apiSiteId", siteId);
  await next();
});

const customer = validate("param", v.object({ externalId: ExternalId }));
const order = validate("param", v.object({ orderId: ExternalId }));

export const shopApiRoutes = new Hono<AppEnv>()
  .use(secretKey)
  .put("/customers/:externalId", customer, validate("json", CustomerBody, { emptyAs: {} }), async (c) => {
    const result = await putCustomer(c.env, c.var.apiSiteId, c.req.valid("param").externalId, c.req.valid("json"));
    return c.json(result, result.created ? 201 : 200);
  })
  .get("/customers/:externalId", customer, async (c) => {
    const found = await getCustomer(c.env.DB, c.var.apiSiteId, c.req.valid("param").externalId);
    if (!found) throw new ApiError("not_found", "No customer with this id.");
    return c.json({ customer: found });
  })
  .post("/orders", validate("json", ShopOrderBody), async (c) => {
    const result = await recordOrder(c.env, c.var.apiSiteId, c.req.valid("json"));
    return c.json(result, result.created ? 201 : 200);
  })
  .get("/orders/:orderId", order, async (c) => {
    const found = await getOrder(c.env.DB, c.var.apiSiteId, c.req.valid("param").orderId);
    if (!found) throw new ApiError("not_found", "No order with this id.");
    return c.json({ order: found });
  });
