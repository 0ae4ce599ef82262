/**
 * The shop's server API (`/api/v1`, secret key): customers and orders.
 */
import * as v from "valibot";
import type { OrderInfo, VisitorProfile } from "./profiles";
import { Attributes, CartItem, Currency, MAX_CART_ITEMS, Money } from "./tracking";

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
