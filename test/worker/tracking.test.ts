// The tracking beacon: page views (multi-page and SPA), visits split after idleness, traffic
// source and device parsing, identify with good / wrong / missing hashes, consent mode, the
// tracking token's scope, and coded errors that leave stored data alone.
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { VisitorDetailsResponse } from "../../protocol";
import { CLOSE_CODES, VISIT_IDLE_MS } from "../../protocol";
import { cleanUrl, parseUserAgent, sourceLabel, trafficSource } from "../../worker/lib/traffic";
import { api, login, refusal, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";
import {
  count,
  footprint,
  SHOP,
  track,
  trackingExec,
  trackingRows,
  trackingValue,
  trackRaw,
  UA,
  visitorOf,
  visitPages,
} from "./tracking-helpers";

const SECRET = "is_test_identity_secret";
let owner: string;

async function hmacHex(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)));
  return [...sig].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function details(visitorId: string, cookie = owner, site = "site_t"): Promise<VisitorDetailsResponse> {
  const r = await api(`/api/sites/${site}/visitors/${visitorId}`, { cookie });
  if (r.status !== 200) throw new Error(`details ${r.status} ${await r.text()}`);
  return r.json();
}

/** Moves a visitor's activity `ms` into the past, as if they had been away that long. */
async function ageVisitor(visitorId: string, ms: number): Promise<void> {
  await trackingExec(
    "UPDATE visitors SET last_seen_at = last_seen_at - ?, first_seen_at = first_seen_at - ? WHERE id = ?",
    ms,
    ms,
    visitorId,
  );
  await trackingExec("UPDATE visits SET started_at = started_at - ?, last_at = last_at - ? WHERE visitor_id = ?", ms, ms, visitorId);
  await trackingExec("UPDATE page_views SET at = at - ? WHERE visitor_id = ?", ms, visitorId);
}

beforeAll(async () => {
  await seedSite({ id: "site_t", key: "pk_t" }, [{ id: "op_t_owner", email: "owner@t.test", name: "Tina", role: "owner" }]);
  await seedSite({ id: "site_t2", key: "pk_t2" }, [{ id: "op_t2_owner", email: "owner@t2.test", name: "Tom", role: "owner" }]);
  await seedSite({ id: "site_consent", key: "pk_consent" }, [
    { id: "op_c_owner", email: "owner@consent.test", name: "Cora", role: "owner" },
  ]);
  await env.DB.prepare("INSERT INTO site_secrets (site_id, identity_secret) VALUES ('site_t', ?)").bind(SECRET).run();
  owner = await login("owner@t.test");
});

describe("traffic parsing", () => {
  it("reads UTM parameters and external referrers, and ignores the shop's own pages as referrers", () => {
    const s = trafficSource(
      `${SHOP}/p/grinder?utm_source=Newsletter&utm_medium=email&utm_campaign=spring&color=red#top`,
      "https://www.google.com/search?q=x",
    );
    expect(s).toEqual({
      referrer: "https://www.google.com/search?q=x",
      utmSource: "Newsletter",
      utmMedium: "email",
      utmCampaign: "spring",
      utmTerm: null,
      utmContent: null,
      landingUrl: `${SHOP}/p/grinder?color=red`,
    });
    expect(sourceLabel(s)).toBe("newsletter");
    expect(sourceLabel(trafficSource(`${SHOP}/`, "https://www.google.com/"))).toBe("google.com");
    expect(sourceLabel(trafficSource(`${SHOP}/b`, `${SHOP}/a`))).toBe("direct");
    expect(trafficSource("javascript:alert(1)", "not a url").landingUrl).toBeNull();
    expect(cleanUrl(`${SHOP}/x?gclid=1&fbclid=2&q=3`)).toBe(`${SHOP}/x?q=3`);
  });

  it("tells device type, browser and OS from the User-Agent", () => {
    expect(parseUserAgent(UA.iphone)).toEqual({ type: "mobile", browser: "Safari", os: "iOS" });
    expect(parseUserAgent(UA.chromeWin)).toEqual({ type: "desktop", browser: "Chrome", os: "Windows" });
    expect(parseUserAgent(UA.ipad)).toEqual({ type: "tablet", browser: "Safari", os: "iOS" });
    expect(parseUserAgent(UA.androidTablet)).toEqual({ type: "tablet", browser: "Chrome", os: "Android" });
    expect(parseUserAgent(UA.firefoxMac)).toEqual({ type: "desktop", browser: "Firefox", os: "macOS" });
    expect(parseUserAgent(UA.edge)).toEqual({ type: "desktop", browser: "Edge", os: "Windows" });
    expect(parseUserAgent(UA.googlebot)?.type).toBe("bot");
    expect(parseUserAgent(null)).toBeNull();
  });
});

describe("page views and visits", () => {
  it("records a multi-page visit with its source, device, place and the time on each page", async () => {
    const first = await track(
      {
        k: "pk_t",
        e: "view",
        u: `${SHOP}/?utm_source=google&utm_medium=cpc&utm_campaign=grinders`,
        ti: "Home",
        r: "https://www.google.com/",
        l: "pl-PL",
      },
      { ua: UA.iphone, cf: { country: "PL", city: "Kraków" } },
    );
    expect(first.t).toMatch(/^track\.[0-9a-z]+\.site_t\./);
    const t = first.t!;
    await visitPages("pk_t", ["/c/grinders", "/p/comandante"], t, { ua: UA.iphone });
    const d = await details(visitorOf(t));
    expect(d.profile).toMatchObject({
      visits: 1,
      pageViews: 3,
      returning: false,
      language: "pl-PL",
      device: { type: "mobile", browser: "Safari", os: "iOS" },
    });
    expect(d.profile.firstSource).toMatchObject({
      utmSource: "google",
      utmMedium: "cpc",
      utmCampaign: "grinders",
      referrer: "https://www.google.com/",
      landingUrl: `${SHOP}/`,
    });
    expect(d.profile.country).toBe("PL");
    expect(d.profile.city).toBe("Kraków");
    expect(d.currentVisit!.pages.map((p) => p.url)).toEqual([`${SHOP}/`, `${SHOP}/c/grinders`, `${SHOP}/p/comandante`]);
    expect(d.currentVisit!.pages[0]!.title).toBe("Home");
    // Earlier pages got their time from the next view; the one the visitor is on has none yet.
    expect(d.currentVisit!.pages[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(d.currentVisit!.pages[1]!.durationMs).not.toBeNull();
    expect(d.currentVisit!.pages[2]!.durationMs).toBeNull();
    expect(d.previousVisits).toEqual([]);
  });

  it("records single-page-app navigations, pings and the leave as page views with their time", async () => {
    const t = await visitPages("pk_t", ["/app"]);
    await track({ k: "pk_t", t, e: "ping", u: `${SHOP}/app`, ms: 15_000 });
    // pushState navigations arrive as views without a referrer.
    await track({ k: "pk_t", t, e: "view", u: `${SHOP}/app/product/7#reviews`, ti: "Product 7" });
    await track({ k: "pk_t", t, e: "leave", u: `${SHOP}/app/product/7`, ms: 42_000 });
    // A ping from a URL the loader never reported as viewed invents no page view.
    await track({ k: "pk_t", t, e: "ping", u: `${SHOP}/app/cart`, ms: 1000 });
    const d = await details(visitorOf(t));
    const pages = d.currentVisit!.pages;
    expect(pages.map((p) => p.url)).toEqual([`${SHOP}/app`, `${SHOP}/app/product/7`]);
    expect(pages[0]!.durationMs).toBeGreaterThanOrEqual(15_000);
    // Still the current page (shown without a duration), its time so far is stored.
    expect(pages[1]!.durationMs).toBeNull();
    expect(
      await trackingValue(
        "SELECT duration_ms FROM page_views WHERE visitor_id = ? AND url = ?",
        "duration_ms",
        visitorOf(t),
        `${SHOP}/app/product/7`,
      ),
    ).toBe(42_000);
    expect(d.profile.pageViews).toBe(2);
    expect(d.profile.timeOnSiteMs).toBeGreaterThanOrEqual(57_000);
  });

  it("starts a new visit after the idle time, keeps both, and finds repeated interest", async () => {
    const t = await visitPages("pk_t", ["/p/kettle", "/p/scale", "/p/kettle"]);
    const id = visitorOf(t);
    await ageVisitor(id, VISIT_IDLE_MS + 60_000);
    await track({ k: "pk_t", t, e: "view", u: `${SHOP}/p/kettle?utm_source=newsletter`, r: "https://mail.example/" });
    await track({ k: "pk_t", t, e: "view", u: `${SHOP}/p/kettle` });
    const d = await details(id);
    expect(d.profile).toMatchObject({ visits: 2, pageViews: 5, returning: true });
    expect(d.previousVisits).toHaveLength(1);
    expect(d.previousVisits[0]!.pageViews).toBe(3);
    expect(d.currentVisit!.visit.source.utmSource).toBe("newsletter");
    expect(d.currentVisit!.pages).toHaveLength(2);
    expect(d.profile.firstSource!.utmSource).toBeNull();
    expect(d.profile.lastSource!.utmSource).toBe("newsletter");
    expect(d.interest[0]).toEqual({ url: `${SHOP}/p/kettle`, title: "Title /p/kettle", views: 4, visits: 2 });
    expect(d.interest.some((i) => i.url.endsWith("/p/scale"))).toBe(false);
  });

  it("keeps attributes, the latest cart and a purchase from the page", async () => {
    const t = await visitPages("pk_t", ["/checkout"]);
    await track({ k: "pk_t", t, e: "attributes", a: { plan: "gold", visits: 3, vip: true } });
    await track({ k: "pk_t", t, e: "attributes", a: { visits: 4, plan: null } });
    await track({
      k: "pk_t",
      t,
      e: "cart",
      d: { items: [{ id: "sku1", name: "Grinder", price: 199, quantity: 1 }], total: 199, currency: "pln" },
    });
    let d = await details(visitorOf(t));
    expect(d.profile.attributes).toEqual({ visits: 4, vip: true });
    expect(d.cart).toMatchObject({ total: 199, currency: "PLN", items: [{ id: "sku1" }] });
    await track({ k: "pk_t", t, e: "purchase", d: { orderId: "A-1", total: 199, currency: "PLN", items: [{ id: "sku1" }] } });
    await track({ k: "pk_t", t, e: "purchase", d: { orderId: "A-1", total: 1, currency: "PLN" } }); // a reload of the thank-you page
    d = await details(visitorOf(t));
    expect(d.cart).toBeNull();
    expect(d.orders).toEqual([expect.objectContaining({ id: "A-1", total: 199, currency: "PLN", source: "page" })]);
    expect(d.totalSpent).toEqual([{ amount: 199, currency: "PLN" }]);
  });
});

describe("identify", () => {
  it("merges an anonymous visitor into the customer's profile only with a good hash", async () => {
    const hash = await hmacHex(SECRET, "cust-42");
    // Device 1: browses, then signs in (good hash): becomes the verified profile.
    const t1 = await visitPages("pk_t", ["/a", "/b"]);
    const a1 = await track({ k: "pk_t", t: t1, e: "identify", id: { id: "cust-42", email: "ola@example.com", name: "Ola", hash } });
    expect(visitorOf(a1.t!)).toBe(visitorOf(t1));
    let d = await details(visitorOf(t1));
    expect(d.profile).toMatchObject({ externalId: "cust-42", verified: true, email: "ola@example.com", name: "Ola" });

    // Device 2: browses, a conversation, an order; then signs in as the same customer: merged.
    const t2 = await visitPages("pk_t", ["/c", "/d", "/e"], undefined, { ua: UA.chromeWin });
    await track({ k: "pk_t", t: t2, e: "purchase", d: { orderId: "M-1", total: 50, currency: "EUR" } });
    const a2 = await track({ k: "pk_t", t: t2, e: "identify", id: { id: "cust-42", hash: hash.toUpperCase() } });
    expect(visitorOf(a2.t!)).toBe(visitorOf(t1));
    d = await details(visitorOf(t1));
    expect(d.profile).toMatchObject({ visits: 2, pageViews: 5, verified: true, email: "ola@example.com" });
    expect(d.orders.map((o) => o.id)).toEqual(["M-1"]);
    expect(await count("SELECT COUNT(*) AS n FROM page_views WHERE visitor_id = ?", visitorOf(t2))).toBe(0);
    expect(await trackingValue("SELECT merged_into FROM visitors WHERE id = ?", "merged_into", visitorOf(t2))).toBe(visitorOf(t1));
    // The old profile's id still finds the customer; its old token carries on as the customer.
    expect((await details(visitorOf(t2))).profile.id).toBe(visitorOf(t1));
    const again = await track({ k: "pk_t", t: t2, e: "view", u: `${SHOP}/f` });
    expect(visitorOf(again.t!)).toBe(visitorOf(t1));
  });

  it("stores a wrong or missing hash as unverified and never merges it into the verified profile", async () => {
    const hash = await hmacHex(SECRET, "cust-77");
    const verifiedT = await visitPages("pk_t", ["/x"]);
    await track({ k: "pk_t", t: verifiedT, e: "identify", id: { id: "cust-77", hash } });

    for (const bad of [{ hash: "0".repeat(64) }, { hash: "not-hex" }, {}]) {
      const t = await visitPages("pk_t", ["/y"]);
      const before = await footprint("site_t");
      const a = await track({ k: "pk_t", t, e: "identify", id: { id: "cust-77", email: "attacker@example.com", name: "Mallory", ...bad } });
      expect(visitorOf(a.t!)).toBe(visitorOf(t)); // still their own anonymous profile
      const d = await details(visitorOf(t));
      expect(d.profile).toMatchObject({
        externalId: "cust-77",
        verified: false,
        email: "attacker@example.com",
        name: "Mallory",
        pageViews: 1,
      });
      const after = await footprint("site_t");
      expect(after.page_views).toBe(before.page_views);
      expect(after.visitor_events).toBe(before.visitor_events! + 1);
    }
    const v = await details(visitorOf(verifiedT));
    expect(v.profile).toMatchObject({ verified: true, pageViews: 1, email: null });
    expect(await count("SELECT COUNT(*) AS n FROM visitors WHERE site_id = 'site_t' AND merged_into = ?", visitorOf(verifiedT))).toBe(0);
    // A verified profile is not overwritten by a later unverified claim.
    await track({ k: "pk_t", t: verifiedT, e: "identify", id: { id: "someone-else", email: "x@example.com" } });
    expect((await details(visitorOf(verifiedT))).profile).toMatchObject({ externalId: "cust-77", verified: true, email: null });
  });
});

describe("consent mode", () => {
  it("stores nothing until the shop says the visitor consented", async () => {
    const r = await api("/api/sites/site_consent/settings", {
      method: "PATCH",
      cookie: await login("owner@consent.test"),
      json: { consentRequired: true },
    });
    expect((await r.json()) as object).toMatchObject({ consentRequired: true, retentionDays: null });
    const before = await footprint("site_consent");
    for (const e of ["view", "ping", "identify", "cart", "consent"]) {
      expect(await track({ k: "pk_consent", e, u: `${SHOP}/`, id: { id: "1" }, c: e === "consent" ? false : undefined })).toEqual({ x: 1 });
    }
    expect(await footprint("site_consent")).toEqual(before);
    const ok = await track({ k: "pk_consent", e: "view", u: `${SHOP}/`, c: true });
    expect(ok.t).toBeTruthy();
    expect((await footprint("site_consent")).page_views).toBe(before.page_views! + 1);
  });
});

describe("tokens and errors", () => {
  it("keeps the tracking token and the chat token apart, and lets the chat adopt the tracked visitor", async () => {
    const t = await visitPages("pk_t", ["/p/1"]);
    // The chat (no token of its own) adopts the tracked visitor; the answer names it for tracking too.
    const chat = await visitorSession("pk_t", undefined, t);
    expect(chat.visitorId).toBe(visitorOf(t));
    expect(visitorOf(chat.trackToken)).toBe(visitorOf(t));
    // A tracking token opens no conversation and no socket...
    expect((await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
    const conversationId = await startConversation(chat.token);
    expect(await refusal(visitorSocketPath(conversationId, t))).toEqual({ close: CLOSE_CODES.unauthorized, code: "unauthorized" });
    // ...and a chat token is not a tracking token: the beacon starts someone new with it.
    const a = await track({ k: "pk_t", t: chat.token, e: "view", u: `${SHOP}/` });
    expect(visitorOf(a.t!)).not.toBe(chat.visitorId);
    // When the chat has its own visitor, it wins; the loader learns to track that one.
    const other = await visitorSession("pk_t", chat.token, a.t);
    expect(other.visitorId).toBe(chat.visitorId);
    expect(visitorOf(other.trackToken)).toBe(chat.visitorId);
    // The tracked visitor's answer carries the conversation's peek token.
    const withChat = await track({ k: "pk_t", t, e: "ping", u: `${SHOP}/p/1`, ms: 100 });
    expect(withChat.p).toMatch(/^peek\.[0-9a-z]+\.site_t\./);
    // Another site's tracking token is not honoured.
    const foreign = await track({ k: "pk_t2", t, e: "view", u: `${SHOP}/` });
    expect(foreign.t).toMatch(/^track\.[0-9a-z]+\.site_t2\./);
  });

  it("answers malformed beacons with coded errors and CORS headers, and stores nothing from them", async () => {
    const t = await visitPages("pk_t", ["/z"]);
    const before = await footprint("site_t");
    const cases: [string, number, string][] = [
      ["{not json", 400, "bad_json"],
      ["[]", 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", e: "explode" }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "view" }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "view", u: "javascript:alert(1)" }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "view", u: `${SHOP}/${"x".repeat(3000)}` }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "cart", d: { items: "many", total: 1, currency: "PLN" } }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "purchase", d: { orderId: "x", total: -5, currency: "PLN" } }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "identify" }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_t", t, e: "attributes", a: { ["k".repeat(65)]: 1 } }), 422, "validation_failed"],
      [JSON.stringify({ k: "pk_nope", e: "view", u: `${SHOP}/` }), 404, "not_found"],
      ["x".repeat(20_000), 413, "too_large"],
    ];
    for (const [body, status, code] of cases) {
      const r = await trackRaw(body);
      expect(r.status, body.slice(0, 80)).toBe(status);
      expect(r.headers.get("access-control-allow-origin")).toBe("*");
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe(code);
    }
    expect(await footprint("site_t")).toEqual(before);
    const pre = await exportsFetchOptions();
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("beacon fuzzing", () => {
  it("answers 400 random and half-valid beacons with 200 or a coded 4xx; a rejected one changes nothing", async () => {
    const t = await visitPages("pk_t", ["/fuzz"]);
    // Over D1 and every shard; the profile's own columns from its shard (D1 has no row for it).
    const fingerprint = async () =>
      (
        await trackingRows<{ f: string | null }>(
          `SELECT (SELECT COUNT(*) FROM visitors WHERE site_id = 'site_t') || ':' || (SELECT COUNT(*) FROM visits WHERE site_id = 'site_t') || ':' ||
           (SELECT COUNT(*) FROM page_views WHERE site_id = 'site_t') || ':' || (SELECT COUNT(*) FROM visitor_events WHERE site_id = 'site_t') || ':' ||
           (SELECT COUNT(*) FROM orders WHERE site_id = 'site_t') || ':' || (SELECT COALESCE(SUM(duration_ms), 0) FROM page_views WHERE site_id = 'site_t') || ':' ||
           COALESCE((SELECT last_seen_at || attributes || COALESCE(cart, '') || COALESCE(external_id, '') || COALESCE(language, '') FROM visitors WHERE id = ?), '') AS f`,
          visitorOf(t),
        )
      )
        .map((r) => r.f)
        .join("|");
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 3 }),
    );
    const beacon = fc.record(
      {
        k: fc.oneof(fc.constant("pk_t"), field),
        t: fc.oneof(fc.constant(t), field),
        e: fc.oneof(fc.constantFrom("view", "ping", "leave", "identify", "attributes", "cart", "purchase", "consent"), field),
        u: field,
        ms: field,
        l: field,
        id: field,
        a: field,
        d: field,
        c: field,
      },
      { requiredKeys: ["k", "e"] },
    );
    let rejected = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          beacon.map((b) => JSON.stringify(b)),
          fc.string(),
        ),
        async (body) => {
          const before = await fingerprint();
          const r = await trackRaw(body);
          expect(r.status === 200 || (r.status >= 400 && r.status < 500), `${r.status} for ${body}`).toBe(true);
          if (r.status === 200) return void (await r.arrayBuffer());
          rejected++;
          expect(((await r.json()) as { error: { code: string } }).error.code).toMatch(/^[a-z_]+$/);
          expect(await fingerprint(), body).toBe(before);
        },
      ),
      { numRuns: 400 },
    );
    expect(rejected).toBeGreaterThan(300);
    // 800+ sequential D1 round trips: more than the default 5 s on a shared machine.
  }, 60_000);
});

async function exportsFetchOptions(): Promise<Response> {
  return exports.default.fetch(
    new Request("https://gadka.test/api/track", { method: "OPTIONS", headers: { origin: SHOP, "access-control-request-method": "POST" } }),
  );
}
