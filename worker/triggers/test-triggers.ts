/**
 * A realistic shop's ten triggers (every condition type and offer appears at least once), as the
 * admin would send them, parsed by the protocol's schema so the defaults are the real ones.
 * Shared by the trigger tests; not imported by production code.
 */
import * as v from "valibot";
import { type Trigger, TriggerDefinition } from "../../protocol/triggers";
import type { RuleSetInput } from "./compile";

export const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

const definitions: unknown[] = [
  {
    name: "Cart: hesitating",
    priority: 90,
    conditions: [
      { type: "page", match: "glob", value: "/cart*" },
      { type: "timeOnPage", seconds: 20 },
    ],
    action: {
      from: { type: "operator", operatorId: "op_anna" },
      message: "Anything stopping you? Here is 10% off your first order.",
      offer: { type: "discount", code: "WELCOME10", description: "10% off your first order" },
    },
  },
  {
    name: "Product page: longer than usual",
    priority: 60,
    conditions: [
      { type: "page", match: "contains", value: "/products/" },
      { type: "longerThanUsual", minSeconds: 15 },
    ],
    action: { from: { type: "operator", operatorId: "op_piotr" }, message: "Hi! Can I help you choose the right size?" },
  },
  {
    name: "Leaving with a cart",
    priority: 80,
    conditions: [{ type: "cartItems", min: 1 }, { type: "exitIntent" }],
    action: {
      from: { type: "team" },
      message: "Before you go: your cart is saved.",
      offer: { type: "freeDelivery", threshold: 50, currency: "EUR" },
    },
    frequencyDays: 3,
  },
  {
    name: "Almost free delivery",
    priority: 70,
    conditions: [
      { type: "page", match: "equals", value: "https://shop.example/Cart/" },
      { type: "cartValue", min: 30, currency: "EUR" },
    ],
    action: {
      from: { type: "team" },
      message: "You are close to free delivery!",
      offer: { type: "freeDelivery", threshold: 50, currency: "EUR" },
    },
  },
  {
    name: "Regulars",
    priority: 20,
    conditions: [
      { type: "visitor", is: "returning" },
      { type: "visits", min: 3 },
    ],
    action: { from: { type: "team" }, message: "Welcome back! New arrivals are in." },
    frequencyDays: 30,
  },
  {
    name: "Ads visitors: bestseller",
    priority: 40,
    conditions: [
      { type: "source", field: "medium", match: "equals", value: "CPC" },
      { type: "timeOnPage", seconds: 10 },
    ],
    action: {
      from: { type: "operator", operatorId: "op_anna" },
      message: "Our bestseller this week:",
      offer: {
        type: "product",
        title: "Hand grinder",
        url: "https://shop.example/products/grinder",
        imageUrl: "https://cdn.shop.example/grinder.jpg",
        price: 129,
        currency: "EUR",
      },
    },
  },
  {
    name: "Polish speakers after hours",
    priority: 30,
    conditions: [
      { type: "language", match: "in", values: ["pl"] },
      { type: "businessHours", inside: false },
    ],
    action: { from: { type: "team" }, message: "Jesteśmy teraz offline — zostaw wiadomość, odpiszemy rano." },
  },
  {
    name: "VIPs while someone is in",
    priority: 95,
    conditions: [
      { type: "segment", segmentId: "seg_vip", match: "in" },
      { type: "operators", available: true },
    ],
    action: { from: { type: "operator", operatorId: "op_left" }, message: "Good to see you again — I'm here if you need anything." },
    holdoutPercent: 20,
  },
  {
    name: "Checkout on a phone",
    priority: 85,
    conditions: [
      { type: "device", in: ["mobile"] },
      { type: "page", match: "glob", value: "/checkout/*" },
      { type: "timeOnPage", seconds: 45 },
    ],
    action: { from: { type: "operator", operatorId: "op_piotr" }, message: "Stuck at checkout? I can help." },
  },
  {
    name: "Abroad, not signed in",
    priority: 10,
    enabled: false,
    conditions: [
      { type: "country", match: "notIn", values: ["pl"] },
      { type: "identified", is: false },
      { type: "page", match: "equals", value: "/" },
    ],
    action: { from: { type: "team" }, message: "We ship to 30 countries." },
  },
];

export const shopTriggers: Trigger[] = definitions.map((d, i) => ({
  ...v.parse(TriggerDefinition, d),
  id: `trg_${i + 1}`,
  salt: `salt${i + 1}`,
  createdAt: T0 + i * 1000,
  updatedAt: T0 + i * 1000,
}));

export const shopInput = (over: Partial<RuleSetInput> = {}): RuleSetInput => ({
  triggers: shopTriggers,
  operators: new Map([
    ["op_anna", { name: "Anna", avatarUrl: "/api/files/avatars/op_anna.webp" }],
    ["op_piotr", { name: "Piotr", avatarUrl: null }],
  ]),
  team: { name: "Demo Shop", avatarUrl: null },
  caps: { perVisit: 1, perDay: 2 },
  usual: { "/products/grinder": 42, "/products/mug": 35, "*": 28 },
  ...over,
});
