// The shop's server API (secret key) and the owner's secrets: keys shown once and compared by
// hash, coded 401s, verified customers, idempotent orders, and no reach into another shop.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiKeyResponse, CustomerResponse, ShopOrderResponse, SiteSecretsResponse, VisitorDetailsResponse } from "../../protocol";
import { api, login, seedSite } from "./helpers";
import { SHOP, track, visitorOf, visitPages } from "./tracking-helpers";

let owner: string;
let admin: string;
let agent: string;
let key: string;
let otherKey: string;

function v1(path: string, init: { method?: string; key?: string | null; json?: unknown; body?: string } = {}): Promise<Response> {
  const headers = new Headers({ "content-type": "application/json" });
  if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? key}`);
  const body = init.body ?? (init.json === undefined ? undefined : JSON.stringify(init.json));
  return exports.default.fetch(new Request(`https://gadka.test/api/v1${path}`, { method: init.method ?? "GET", headers, body }));
}

async function code(r: Response): Promise<string> {
  return ((await r.json()) as { error: { code: string } }).error.code;
}

beforeAll(async () => {
  await seedSite({ id: "site_s", key: "pk_s" }, [
    { id: "op_s_owner", email: "owner@s.test", name: "Sara", role: "owner" },
    { id: "op_s_admin", email: "admin@s.test", name: "Adam", role: "admin" },
    { id: "op_s_agent", email: "agent@s.test", name: "Ewa", role: "agent" },
  ]);
  await seedSite({ id: "site_s2", key: "pk_s2" }, [{ id: "op_s2_owner", email: "owner@s2.test", name: "Olek", role: "owner" }]);
  [owner, admin, agent] = await Promise.all([login("owner@s.test"), login("admin@s.test"), login("agent@s.test")]);
  const other = await login("owner@s2.test");
  otherKey = (
    (await (await api("/api/sites/site_s2/settings/secrets/api-key", { method: "POST", cookie: other })).json()) as ApiKeyResponse
  ).apiKey;
});

describe("site secrets (owners)", () => {
  it("shows the identify secret and the API key once, rotates both, and refuses everyone else", async () => {
    const first = (await (await api("/api/sites/site_s/settings/secrets", { cookie: owner })).json()) as SiteSecretsResponse;
    expect(first.identitySecret).toMatch(/^is_/);
    expect(first.apiKey).toBeNull();
    const made = await api("/api/sites/site_s/settings/secrets/api-key", { method: "POST", cookie: owner });
    expect(made.status).toBe(200);
    const created = (await made.json()) as ApiKeyResponse;
    expect(created.apiKey).toMatch(/^sk_[A-Za-z0-9_-]{40,}$/);
    key = created.apiKey;
    const later = (await (await api("/api/sites/site_s/settings/secrets", { cookie: owner })).json()) as SiteSecretsResponse;
    expect(later.identitySecret).toBe(first.identitySecret);
    expect(later.apiKey).toEqual({ prefix: key.slice(0, 10), createdAt: created.createdAt });
    expect(JSON.stringify(later)).not.toContain(key);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM site_secrets WHERE api_key_hash = ?").bind(key).first("n")).toBe(0);

    const rotated = (await (await api("/api/sites/site_s/settings/secrets/identity", { method: "POST", cookie: owner })).json()) as {
      identitySecret: string;
    };
    expect(rotated.identitySecret).not.toBe(first.identitySecret);

    for (const cookie of [admin, agent]) {
      expect((await api("/api/sites/site_s/settings/secrets", { cookie })).status).toBe(403);
      expect((await api("/api/sites/site_s/settings/secrets/api-key", { method: "POST", cookie })).status).toBe(403);
    }
    // Another shop's owner, and a cross-site write, get nothing.
    const other = await login("owner@s2.test");
    expect((await api("/api/sites/site_s/settings/secrets", { cookie: other })).status).toBe(404);
    expect(
      (
        await api("/api/sites/site_s/settings/secrets/api-key", {
          method: "POST",
          cookie: owner,
          headers: { origin: "https://evil.example" },
        })
      ).status,
    ).toBe(403);
  });

  it("lets only owners set consent mode and retention, with validated values", async () => {
    expect((await api("/api/sites/site_s/settings", { method: "PATCH", cookie: admin, json: { retentionDays: 30 } })).status).toBe(403);
    expect((await api("/api/sites/site_s/settings", { method: "PATCH", cookie: admin, json: { welcomeText: "Hej" } })).status).toBe(200);
    for (const json of [{ retentionDays: 0 }, { retentionDays: 1.5 }, { consentRequired: "yes" }]) {
      expect((await api("/api/sites/site_s/settings", { method: "PATCH", cookie: owner, json })).status).toBe(422);
    }
    const r = await api("/api/sites/site_s/settings", { method: "PATCH", cookie: owner, json: { retentionDays: 400 } });
    expect(await r.json()).toMatchObject({ retentionDays: 400, consentRequired: false, welcomeText: "Hej" });
    await api("/api/sites/site_s/settings", { method: "PATCH", cookie: owner, json: { retentionDays: null } });
  });
});

describe("shop API", () => {
  it("refuses a missing, malformed, wrong or rotated key with a coded 401", async () => {
    for (const k of [null, "", "sk_wrong_key_but_well_formed_0000000000", "pk_s", "Basic abc"]) {
      const r = await v1("/orders/X", { key: k });
      expect(r.status).toBe(401);
      expect(await code(r)).toBe("unauthorized");
    }
    const oldKey = key;
    key = ((await (await api("/api/sites/site_s/settings/secrets/api-key", { method: "POST", cookie: owner })).json()) as ApiKeyResponse)
      .apiKey;
    expect((await v1("/orders/X", { key: oldKey })).status).toBe(401);
    expect((await v1("/orders/X")).status).toBe(404);
  });

  it("creates and updates a verified customer profile", async () => {
    const r = await v1("/customers/cust%2F9", {
      method: "PUT",
      json: { email: "jan@example.com", name: "Jan", attributes: { tier: "gold" } },
    });
    expect(r.status).toBe(201);
    const created = (await r.json()) as CustomerResponse;
    expect(created.customer).toMatchObject({
      externalId: "cust/9",
      verified: true,
      email: "jan@example.com",
      name: "Jan",
      attributes: { tier: "gold" },
    });
    const again = await v1("/customers/cust%2F9", { method: "PUT", json: { name: "Jan Kowalski", attributes: { orders: 3 } } });
    expect(again.status).toBe(200);
    expect(((await again.json()) as CustomerResponse).customer).toMatchObject({
      id: created.customer.id,
      name: "Jan Kowalski",
      email: "jan@example.com",
      attributes: { tier: "gold", orders: 3 },
    });
    expect((await v1("/customers/cust%2F9", { method: "PUT", json: { email: "not an email" } })).status).toBe(422);
    expect((await v1("/customers/cust%2F9", { method: "PUT", body: "{oops" })).status).toBe(400);
    expect((await v1("/customers/cust%2F9", { key: otherKey })).status).toBe(404);
  });

  it("records orders idempotently, for a customer or a tracked visitor, and shows them on the profile", async () => {
    const order = {
      orderId: "1001",
      customerId: "cust/9",
      items: [{ id: "sku", name: "Beans", price: 20, quantity: 2 }],
      total: 40,
      currency: "eur",
      createdAt: 1_700_000_000_000,
    };
    const first = await v1("/orders", { method: "POST", json: order });
    expect(first.status).toBe(201);
    const body = (await first.json()) as ShopOrderResponse;
    expect(body.order).toMatchObject({
      id: "1001",
      total: 40,
      currency: "EUR",
      source: "api",
      customerId: "cust/9",
      createdAt: 1_700_000_000_000,
    });
    const repeat = await v1("/orders", { method: "POST", json: { ...order, total: 999 } });
    expect(repeat.status).toBe(200);
    expect((await repeat.json()) as ShopOrderResponse).toEqual({ order: body.order, created: false });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE site_id = 'site_s' AND order_id = '1001'").first("n")).toBe(1);

    // A page-reported purchase is replaced by the shop's own record of it.
    const t = await visitPages("pk_s", ["/thanks"]);
    await track({ k: "pk_s", t, e: "purchase", d: { orderId: "1002", total: 1, currency: "EUR" } });
    const upgraded = await v1("/orders", {
      method: "POST",
      json: { orderId: "1002", visitorId: visitorOf(t), total: 55.5, currency: "EUR" },
    });
    expect(upgraded.status).toBe(201);
    expect(((await upgraded.json()) as ShopOrderResponse).order).toMatchObject({ source: "api", total: 55.5, visitorId: visitorOf(t) });
    const d = (await (await api(`/api/sites/site_s/visitors/${visitorOf(t)}`, { cookie: agent })).json()) as VisitorDetailsResponse;
    expect(d.orders).toEqual([expect.objectContaining({ id: "1002", total: 55.5, source: "api" })]);

    expect((await v1("/orders/1001")).status).toBe(200);
    // Another shop's key sees none of it, and cannot attach orders to this shop's visitors.
    expect((await v1("/orders/1001", { key: otherKey })).status).toBe(404);
    expect(
      (await v1("/orders", { method: "POST", key: otherKey, json: { orderId: "x", visitorId: visitorOf(t), total: 1, currency: "EUR" } }))
        .status,
    ).toBe(404);
    for (const json of [
      { orderId: "y", total: 1, currency: "EUR" },
      { orderId: "y", customerId: "c", total: -1, currency: "EUR" },
      { orderId: "y", customerId: "c", total: 1, currency: "euro" },
    ]) {
      const r = await v1("/orders", { method: "POST", json });
      expect(r.status).toBe(422);
      expect(await code(r)).toBe("validation_failed");
    }
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE order_id IN ('x', 'y')").first("n")).toBe(0);
  });

  it("a verified identify on the page joins the customer the shop API created", async () => {
    const { identitySecret } = (await (await api("/api/sites/site_s/settings/secrets", { cookie: owner })).json()) as SiteSecretsResponse;
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(identitySecret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    const hash = [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode("cust/9")))]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const t = await visitPages("pk_s", ["/account"]);
    const a = await track({ k: "pk_s", t, e: "identify", id: { id: "cust/9", hash } });
    const d = (await (await api(`/api/sites/site_s/visitors/${visitorOf(a.t!)}`, { cookie: agent })).json()) as VisitorDetailsResponse;
    expect(d.profile).toMatchObject({ externalId: "cust/9", name: "Jan Kowalski", pageViews: 1 });
    expect(d.orders.map((o) => o.id)).toEqual(["1001"]);
    expect(d.currentVisit!.pages[0]!.url).toBe(`${SHOP}/account`);
  });
});
