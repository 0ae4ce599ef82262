// Triggers made live: `r` and `g` on the beacon's answer, the rule set at
// /api/widget/triggers/:siteKey (cache headers, invalidation on edit), trigger events stored in the
// visitor's shard (arm checked, scoped by site, counted in the admin list), and the usual time
// on page merged over several shards.
import { beforeAll, describe, expect, it } from "vitest";
import {
  type CompactRuleSet,
  MIN_USUAL_PAGE_VIEWS,
  type TriggerListResponse,
  type TriggerRecord,
  type TriggerResponse,
} from "../../protocol";
import { inHoldout } from "../../protocol/holdout";
import { usualTimeOnPage } from "../../worker/triggers/usual-time";
import { api, login, ORIGIN, seedSite } from "./helpers";
import { countAt, SHOP, track, trackRaw, visitorOf } from "./tracking-helpers";

let owner: string;
let owner2: string;

beforeAll(async () => {
  await seedSite({ id: "site_td", key: "pk_td", name: "Delivery shop" }, [
    { id: "op_td", email: "o@td.test", name: "Olga", role: "owner" },
  ]);
  await seedSite({ id: "site_td2", key: "pk_td2" }, [{ id: "op_td2", email: "o@td2.test", name: "Other", role: "owner" }]);
  [owner, owner2] = await Promise.all([login("o@td.test"), login("o@td2.test")]);
});

const TEAM = { from: { type: "team" }, message: "Need a hand?" };
const create = async (cookie: string, json: unknown, site = "site_td") => {
  const r = await api(`/api/sites/${site}/triggers`, { method: "POST", cookie, json });
  expect(r.status).toBe(201);
  return ((await r.json()) as TriggerResponse).trigger;
};
const rules = (key: string, v?: string) => fetchRules(`/api/widget/triggers/${key}${v === undefined ? "" : `?v=${v}`}`);
async function fetchRules(path: string) {
  const { exports } = await import("cloudflare:workers");
  const r = await exports.default.fetch(new Request(ORIGIN + path));
  return r;
}
const stats = async (id: string, cookie = owner, site = "site_td") =>
  ((await (await api(`/api/sites/${site}/triggers`, { cookie })).json()) as TriggerListResponse).triggers.find((t) => t.id === id)!.stats;

/** A new visitor on `site` whose holdout arm for `t` is `control` (true) or visible (false). */
async function visitorInArm(k: string, t: TriggerRecord, control: boolean): Promise<{ token: string; id: string }> {
  for (let i = 0; i < 60; i++) {
    const a = await track({ k, e: "view", u: `${SHOP}/cart`, ti: "Cart", pv: "pv1" });
    const id = visitorOf(a.t!);
    if (inHoldout(id, t.id, t.salt, t.holdoutPercent / 100) === control) return { token: a.t!, id };
  }
  throw new Error("no visitor in that arm");
}

describe("triggers: rule delivery", () => {
  it("no r and no g for a site without enabled triggers; r on every answer once it has one, g on a page view", async () => {
    const before = await track({ k: "pk_td", e: "view", u: `${SHOP}/`, ti: "Home", pv: "a1" });
    expect(before.r).toBeUndefined();
    expect(before.g).toBeUndefined();
    const off = await create(owner, { name: "Off", enabled: false, conditions: [], action: TEAM });
    expect((await track({ k: "pk_td", t: before.t, e: "view", u: `${SHOP}/`, pv: "a2" })).r).toBeUndefined();

    const fi = await create(owner, { name: "Finns", conditions: [{ type: "country", match: "in", values: ["fi"] }], action: TEAM });
    const all = await create(owner, { name: "All", conditions: [{ type: "timeOnPage", seconds: 5 }], action: TEAM });
    const view = await track({ k: "pk_td", t: before.t, e: "view", u: `${SHOP}/`, pv: "a3" }, { cf: { country: "FI" } });
    expect(view.r).toMatch(/^[0-9]+$/);
    expect(view.g).toMatchObject({ id: visitorOf(before.t!) });
    expect(view.g!.q).toEqual([fi.id, all.id]);
    expect(view.g!.q).not.toContain(off.id);
    expect(view.g!.h).toBeTypeOf("number");

    const pl = await track({ k: "pk_td", e: "view", u: `${SHOP}/`, pv: "b1" }, { cf: { country: "PL" } });
    expect(pl.g!.q).toEqual([all.id]);

    // A ping: the version, no facts — unless the page runs another version.
    const ping = await track({ k: "pk_td", t: view.t, e: "ping", u: `${SHOP}/`, pv: "a3", ms: 15_000, rv: view.r });
    expect(ping.r).toBe(view.r);
    expect(ping.g).toBeUndefined();
    const stale = await track(
      { k: "pk_td", t: view.t, e: "ping", u: `${SHOP}/`, pv: "a3", ms: 30_000, rv: "0" },
      { cf: { country: "FI" } },
    );
    expect(stale.g?.q).toEqual([fi.id, all.id]);
  });

  it("serves the compact rule set: immutable for the current version, short without one; an edit makes a new version at once", async () => {
    const v1 = (await track({ k: "pk_td", e: "view", u: `${SHOP}/`, pv: "c1" })).r!;
    const r = await rules("pk_td", v1);
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(r.headers.get("access-control-allow-origin")).toBe("*");
    const set = (await r.json()) as CompactRuleSet;
    expect(set.v).toBe(1);
    expect(set.r.map((x) => x.a.n)).toContain("Delivery shop");
    expect((await rules("pk_td")).headers.get("cache-control")).toBe("public, max-age=60");

    const t = await create(owner, {
      name: "Cart",
      priority: 99,
      conditions: [{ type: "page", match: "glob", value: "/cart*" }],
      action: TEAM,
    });
    const v2 = (await track({ k: "pk_td", e: "view", u: `${SHOP}/`, pv: "c2" })).r!;
    expect(Number(v2)).toBeGreaterThan(Number(v1));
    const set2 = (await (await rules("pk_td", v2)).json()) as CompactRuleSet;
    expect(set2.r[0]).toMatchObject({ i: t.id, s: t.salt, h: 0.1, w: [["u", "*", "/cart*"]] });
    // The old version's URL answers the current set, uncached.
    const old = await rules("pk_td", v1);
    expect(old.headers.get("cache-control")).toBe("no-store");
    expect(((await old.json()) as CompactRuleSet).r[0]!.i).toBe(t.id);

    // Disabled: gone from the rules at once.
    await api(`/api/sites/site_td/triggers/${t.id}`, {
      method: "PUT",
      cookie: owner,
      json: { name: "Cart", enabled: false, conditions: [], action: TEAM },
    });
    const set3 = (await (await rules("pk_td")).json()) as CompactRuleSet;
    expect(set3.r.map((x) => x.i)).not.toContain(t.id);

    expect((await rules("pk_nope")).status).toBe(404);
  });
});

describe("triggers: facts the server cannot decide", () => {
  it("a trigger with a segment condition is never eligible (no guess either way)", async () => {
    const seg = await api("/api/sites/site_td/segments", {
      method: "POST",
      cookie: owner,
      json: { name: "Finns", filters: { country: "FI" } },
    });
    const segmentId = ((await seg.json()) as { segment: { id: string } }).segment.id;
    const notIn = await create(owner, { name: "Not Finns", conditions: [{ type: "segment", segmentId, match: "notIn" }], action: TEAM });
    const isIn = await create(owner, { name: "Finns only", conditions: [{ type: "segment", segmentId, match: "in" }], action: TEAM });
    const view = await track({ k: "pk_td", e: "view", u: `${SHOP}/`, pv: "g1" }, { cf: { country: "PL" } });
    expect(view.g!.q.length).toBeGreaterThan(0);
    expect(view.g!.q).not.toContain(notIn.id);
    expect(view.g!.q).not.toContain(isIn.id);
  });
});

describe("triggers: events", () => {
  it("stores shown, dismissed, clicked in the visitor's shard, one row per visitor and trigger; refuses the wrong arm", async () => {
    const t = await create(owner, { name: "Half", holdoutPercent: 50, conditions: [], action: TEAM });
    const seen = await visitorInArm("pk_td", t, false);
    const held = await visitorInArm("pk_td", t, true);
    const ev = (v: { token: string }, e: string, x?: string) =>
      track({ k: "pk_td", t: v.token, e: "trigger", d: { e, t: t.id, ...(x ? { x } : {}) } });

    await ev(seen, "shown");
    await ev(seen, "shown");
    await ev(seen, "control"); // refused: this visitor sees the trigger
    await ev(seen, "dismissed");
    await ev(seen, "clicked", "code");
    await ev(held, "control");
    await ev(held, "shown"); // refused: this visitor is held out
    await ev(held, "clicked", "reply"); // refused too

    const rows = await countAt("site_td", "SELECT COUNT(*) AS n FROM trigger_exposures WHERE trigger_id = ?", t.id);
    expect(rows).toBe(2);
    expect(
      await countAt(
        "site_td",
        "SELECT shows AS n FROM trigger_exposures WHERE trigger_id = ? AND visitor_id = ? AND arm = 'shown'",
        t.id,
        seen.id,
      ),
    ).toBe(2);
    expect(
      await countAt(
        "site_td",
        "SELECT COUNT(*) AS n FROM trigger_exposures WHERE trigger_id = ? AND visitor_id = ? AND arm = 'control'",
        t.id,
        held.id,
      ),
    ).toBe(1);
    expect(await stats(t.id)).toEqual({ shown: 1, control: 1, dismissed: 1, clicked: 1, conversations: 0 });

    // A restarted holdout is a new experiment: the counters start again.
    const restarted = (
      (await (
        await api(`/api/sites/site_td/triggers/${t.id}/restart-holdout`, { method: "POST", cookie: owner })
      ).json()) as TriggerResponse
    ).trigger;
    expect(restarted.salt).not.toBe(t.salt);
    expect(await stats(t.id)).toEqual({ shown: 0, control: 0, dismissed: 0, clicked: 0, conversations: 0 });
  });

  it("is scoped by site: another shop's trigger id, a disabled or unknown trigger records nothing; bad events are 422", async () => {
    const theirs = await create(owner2, { name: "Theirs", holdoutPercent: 0, conditions: [], action: TEAM }, "site_td2");
    const v = await track({ k: "pk_td", e: "view", u: `${SHOP}/`, pv: "s1" });
    await track({ k: "pk_td", t: v.t, e: "trigger", d: { e: "shown", t: theirs.id } });
    await track({ k: "pk_td", t: v.t, e: "trigger", d: { e: "shown", t: "tr_unknown" } });
    const off = await create(owner, { name: "Off2", enabled: false, holdoutPercent: 0, conditions: [], action: TEAM });
    await track({ k: "pk_td", t: v.t, e: "trigger", d: { e: "shown", t: off.id } });
    expect(await countAt("site_td", "SELECT COUNT(*) AS n FROM trigger_exposures WHERE visitor_id = ?", visitorOf(v.t!))).toBe(0);
    expect(await countAt("site_td2", "SELECT COUNT(*) AS n FROM trigger_exposures")).toBe(0);
    expect(await stats(theirs.id, owner2, "site_td2")).toEqual({ shown: 0, control: 0, dismissed: 0, clicked: 0, conversations: 0 });

    for (const d of [
      undefined,
      {},
      { e: "shown" },
      { e: "nope", t: "tr_x" },
      { e: "clicked", t: "tr_x", x: "elsewhere" },
      { e: "shown", t: "a b" },
    ]) {
      const r = await trackRaw(JSON.stringify({ k: "pk_td", t: v.t, e: "trigger", d }));
      expect(r.status, JSON.stringify(d)).toBe(422);
      const body = (await r.json()) as { error: { code: string } };
      expect(body.error.code).toBe("validation_failed");
    }
  });
});

describe("triggers: exposures follow the visitor", () => {
  it("an erased visitor's exposure rows go with them", async () => {
    const t = await create(owner, { name: "Erase me", holdoutPercent: 0, conditions: [], action: TEAM });
    const v = await track({ k: "pk_td", e: "view", u: `${SHOP}/`, pv: "e1" });
    await track({ k: "pk_td", t: v.t, e: "trigger", d: { e: "shown", t: t.id } });
    const id = visitorOf(v.t!);
    expect(await countAt("site_td", "SELECT COUNT(*) AS n FROM trigger_exposures WHERE visitor_id = ?", id)).toBe(1);
    const r = await api(`/api/sites/site_td/visitors/${id}`, { method: "DELETE", cookie: owner });
    expect(r.status).toBeLessThan(300);
    expect(await countAt("site_td", "SELECT COUNT(*) AS n FROM trigger_exposures WHERE visitor_id = ?", id)).toBe(0);
  });
});

describe("triggers: usual time on page", () => {
  it("ships each page's p75 over the visitors of four shards, merged, and the site's under *", async () => {
    await seedSite({ id: "site_tp", key: "pk_tp", shards: 4 }, [{ id: "op_tp", email: "o@tp.test", name: "P", role: "owner" }]);
    const cookie = await login("o@tp.test");
    await create(cookie, { name: "Longer", conditions: [{ type: "longerThanUsual", minSeconds: 5 }], action: TEAM }, "site_tp");
    const product: number[] = [];
    const cart: number[] = [];
    const visitors: string[] = [];
    for (let i = 0; i < MIN_USUAL_PAGE_VIEWS + 4; i++) {
      const a = await track({ k: "pk_tp", e: "view", u: `${SHOP}/products/mug?ref=${i}`, pv: `p${i}` });
      visitors.push(visitorOf(a.t!));
      const ms = 1000 + i * 1500;
      product.push(ms);
      await track({ k: "pk_tp", t: a.t, e: "leave", u: `${SHOP}/products/mug?ref=${i}`, pv: `p${i}`, ms });
      if (i < 5) {
        const b = await track({ k: "pk_tp", t: a.t, e: "view", u: `${SHOP}/cart`, pv: `c${i}` });
        cart.push(90_000);
        await track({ k: "pk_tp", t: b.t, e: "leave", u: `${SHOP}/cart`, pv: `c${i}`, ms: 90_000 });
      }
    }
    const { shardOf } = await import("../../worker/lib/shards");
    expect(new Set(visitors.map((v) => shardOf(v, 4))).size).toBeGreaterThan(1);
    const expected = usualTimeOnPage([
      { key: "/products/mug", durations: product },
      { key: "/cart", durations: cart },
    ]);
    expect(expected["/products/mug"]).toBeGreaterThan(0);
    expect(expected["/cart"]).toBeUndefined(); // five views: too few for a p75 of its own
    const set = (await (await rules("pk_tp")).json()) as CompactRuleSet;
    expect(set.p).toEqual(expected);
    expect(set.r[0]!.w).toEqual([["p", 5]]);
  });
});
