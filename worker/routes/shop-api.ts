/**
 * The shop's server-to-server API, authenticated by the site's secret key
 * (`Authorization: Bearer sk_…`, compared by its SHA-256): customers become verified profiles,
 * orders are recorded idempotently. Mounted under `/api/v1`.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { CustomerBody, type CustomerResponse, ExternalId, ShopOrderBody, type ShopOrderResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { siteByApiKey } from "../db/secrets";
import { getCustomer, getOrder, recordApiOrder, upsertCustomer } from "../db/shop";
import { ApiError } from "../lib/api-error";
import { parse, readJson } from "../lib/request-input";

const secretKey = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header("authorization") ?? "";
  const key = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
  if (!key) throw new ApiError("unauthorized", "Send the site's secret API key as Authorization: Bearer sk_….");
  const siteId = /^sk_[A-Za-z0-9_-]{10,100}$/.test(key) ? await siteByApiKey(c.env.DB, key) : null;
  if (!siteId) throw new ApiError("unauthorized", "This API key is not valid (it may have been rotated).");
  c.set("apiSiteId", siteId);
  await next();
});

const customerParam = (raw: string | undefined) => parse(ExternalId, decodeURIComponent(raw ?? ""));

export const shopApiRoutes = new Hono<AppEnv>()
  .use(secretKey)
  .put("/customers/:externalId", async (c) => {
    const externalId = customerParam(c.req.param("externalId"));
    const body = await readJson(c, CustomerBody, { emptyAs: {} });
    const result = await upsertCustomer(c.env.DB, c.var.apiSiteId, externalId, body, Date.now());
    return c.json(result satisfies CustomerResponse, result.created ? 201 : 200);
  })
  .get("/customers/:externalId", async (c) => {
    const customer = await getCustomer(c.env.DB, c.var.apiSiteId, customerParam(c.req.param("externalId")));
    if (!customer) throw new ApiError("not_found", "No customer with this id.");
    return c.json({ customer });
  })
  .post("/orders", async (c) => {
    const body = await readJson(c, ShopOrderBody);
    const result = await recordApiOrder(c.env.DB, c.var.apiSiteId, body, Date.now());
    if (!result) throw new ApiError("not_found", "No visitor with this visitorId on this site.");
    return c.json(result satisfies ShopOrderResponse, result.created ? 201 : 200);
  })
  .get("/orders/:orderId", async (c) => {
    const order = await getOrder(c.env.DB, c.var.apiSiteId, decodeURIComponent(c.req.param("orderId")));
    if (!order) throw new ApiError("not_found", "No order with this id.");
    return c.json({ order });
  });
