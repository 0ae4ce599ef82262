// Triggers in the admin: CRUD with coded errors, the per-site limit, owners and admins edit,
// agents read, another shop's trigger is 404; every change bumps the rule-set version; a
// restarted holdout draws a new salt; the caps.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_TRIGGERS_PER_SITE, type TriggerCapsResponse, type TriggerListResponse, type TriggerResponse } from "../../protocol";
import { api, login, seedSite } from "./helpers";

let owner: string;
let admin: string;
let agent: string;
let other: string;

beforeAll(async () => {
  await seedSite({ id: "site_tr", key: "pk_tr", name: "Łyżka & Co" }, [
    { id: "op_tr_owner", email: "owner@tr.test", name: "Olga", role: "owner" },
    { id: "op_tr_admin", email: "admin@tr.test", name: "Anna", role: "admin" },
    { id: "op_tr_agent", email: "agent@tr.test", name: "Adam", role: "agent" },
  ]);
  await seedSite({ id: "site_tr2", key: "pk_tr2" }, [{ id: "op_tr2", email: "x@tr2.test", name: "X", role: "owner" }]);
  [owner, admin, agent, other] = await Promise.all([
    login("owner@tr.test"),
    login("admin@tr.test"),
    login("agent@tr.test"),
    login("x@tr2.test"),
  ]);
});

const CART_TRIGGER = {
  name: "Cart: hesitating",
  priority: 90,
  conditions: [
    { type: "page", match: "glob", value: "/cart*" },
    { type: "timeOnPage", seconds: 20 },
  ],
  action: {
    from: { type: "operator", operatorId: "op_tr_admin" },
    message: "Anything stopping you? Here is 10% off.",
    offer: { type: "discount", code: "WELCOME10" },
  },
};

const base = (site = "site_tr") => `/api/sites/${site}/triggers`;
const create = (cookie: string, json: unknown, site = "site_tr") => api(base(site), { method: "POST", cookie, json });
const list = async (cookie: string, site = "site_tr") => (await (await api(base(site), { cookie })).json()) as TriggerListResponse;

describe("triggers: CRUD", () => {
  it("creates with the defaults filled in, reads it back, lists it with zero counters, and bumps the version", async () => {
    const before = (await list(owner)).version;
    const r = await create(admin, CART_TRIGGER);
    expect(r.status).toBe(201);
    const { trigger } = (await r.json()) as TriggerResponse;
    expect(trigger).toMatchObject({
      name: "Cart: hesitating",
      enabled: true,
      priority: 90,
      frequencyDays: 7,
      holdoutPercent: 10,
      createdBy: "op_tr_admin",
    });
    expect(trigger.id).toMatch(/^tr_/);
    expect(trigger.salt.length).toBeGreaterThanOrEqual(8);

    const got = (await (await api(`${base()}/${trigger.id}`, { cookie: agent })).json()) as TriggerResponse;
    expect(got.trigger).toEqual(trigger);
    const l = await list(agent);
    expect(l.version).toBe(before + 1);
    expect(l.caps).toEqual({ perVisit: 1, perDay: 2 });
    expect(l.triggers.find((t) => t.id === trigger.id)?.stats).toEqual({
      shown: 0,
      control: 0,
      dismissed: 0,
      clicked: 0,
      conversations: 0,
    });
  });

  it("refuses bad input with coded errors: the schema, another site's operator or segment, malformed JSON", async () => {
    for (const json of [
      {},
      { ...CART_TRIGGER, name: "" },
      { ...CART_TRIGGER, conditions: [{ type: "nope" }] },
      { ...CART_TRIGGER, action: { ...CART_TRIGGER.action, from: { type: "operator", operatorId: "op_tr2" } } },
      { ...CART_TRIGGER, conditions: [{ type: "segment", segmentId: "sg_nothere", match: "in" }] },
      { ...CART_TRIGGER, action: { ...CART_TRIGGER.action, offer: { type: "product", title: "X", url: "javascript:alert(1)" } } },
    ]) {
      const r = await create(owner, json);
      expect(r.status, JSON.stringify(json)).toBe(422);
      const body = (await r.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.message).not.toMatch(/at .*\.ts/);
    }
    const raw = await api(base(), { method: "POST", cookie: owner, body: "{not json", headers: { "content-type": "application/json" } });
    expect(raw.status).toBe(400);
  });

  it("agents read but cannot create, edit, delete or restart; another site's members see 404", async () => {
    const { trigger } = (await (await create(owner, { ...CART_TRIGGER, name: "Scoped" })).json()) as TriggerResponse;
    expect((await create(agent, CART_TRIGGER)).status).toBe(403);
    expect((await api(`${base()}/${trigger.id}`, { method: "PUT", cookie: agent, json: CART_TRIGGER })).status).toBe(403);
    expect((await api(`${base()}/${trigger.id}`, { method: "DELETE", cookie: agent })).status).toBe(403);
    expect((await api(`${base()}/${trigger.id}/restart-holdout`, { method: "POST", cookie: agent })).status).toBe(403);
    expect((await api(`/api/sites/site_tr/trigger-caps`, { method: "PUT", cookie: agent, json: { perVisit: 2, perDay: 3 } })).status).toBe(
      403,
    );
    // Another shop: its owner is no member here (404), and the id under their own site is no trigger of theirs.
    expect((await api(`${base()}/${trigger.id}`, { cookie: other })).status).toBe(404);
    for (const init of [{}, { method: "PUT", json: CART_TRIGGER }, { method: "DELETE" }]) {
      expect((await api(`${base("site_tr2")}/${trigger.id}`, { ...init, cookie: other })).status).toBe(404);
    }
    expect((await api(`${base("site_tr2")}/${trigger.id}/restart-holdout`, { method: "POST", cookie: other })).status).toBe(404);
    expect((await list(other, "site_tr2")).triggers).toEqual([]);
    // Still there, unchanged.
    expect(((await (await api(`${base()}/${trigger.id}`, { cookie: owner })).json()) as TriggerResponse).trigger).toEqual(trigger);
    expect((await api(`${base()}/not-an-id`, { cookie: owner })).status).toBe(404);
  });

  it("replaces, restarts the holdout with a new salt, deletes; each bumps the version", async () => {
    const { trigger } = (await (await create(owner, { ...CART_TRIGGER, name: "Edit me" })).json()) as TriggerResponse;
    const v0 = (await list(owner)).version;
    const put = await api(`${base()}/${trigger.id}`, {
      method: "PUT",
      cookie: admin,
      json: { ...CART_TRIGGER, name: "Edited", enabled: false, holdoutPercent: 20 },
    });
    expect(put.status).toBe(200);
    const edited = ((await put.json()) as TriggerResponse).trigger;
    expect(edited).toMatchObject({
      id: trigger.id,
      name: "Edited",
      enabled: false,
      holdoutPercent: 20,
      salt: trigger.salt,
      createdAt: trigger.createdAt,
    });
    expect(edited.updatedAt).toBeGreaterThanOrEqual(trigger.updatedAt);

    const restarted = (
      (await (await api(`${base()}/${trigger.id}/restart-holdout`, { method: "POST", cookie: owner })).json()) as TriggerResponse
    ).trigger;
    expect(restarted.salt).not.toBe(trigger.salt);
    expect(restarted.name).toBe("Edited");

    expect((await api(`${base()}/${trigger.id}`, { method: "DELETE", cookie: owner })).status).toBe(204);
    expect((await api(`${base()}/${trigger.id}`, { cookie: owner })).status).toBe(404);
    expect((await api(`${base()}/${trigger.id}`, { method: "DELETE", cookie: owner })).status).toBe(404);
    expect((await list(owner)).version).toBe(v0 + 3);
  });

  it("keeps the caps, validated, and bumps the version", async () => {
    const v0 = (await list(owner)).version;
    const bad = await api(`/api/sites/site_tr/trigger-caps`, { method: "PUT", cookie: owner, json: { perVisit: 0, perDay: 3 } });
    expect(bad.status).toBe(422);
    const r = await api(`/api/sites/site_tr/trigger-caps`, { method: "PUT", cookie: admin, json: { perVisit: 2, perDay: 5 } });
    expect(((await r.json()) as TriggerCapsResponse).caps).toEqual({ perVisit: 2, perDay: 5 });
    expect(((await (await api(`/api/sites/site_tr/trigger-caps`, { cookie: agent })).json()) as TriggerCapsResponse).caps).toEqual({
      perVisit: 2,
      perDay: 5,
    });
    const l = await list(owner);
    expect(l.caps).toEqual({ perVisit: 2, perDay: 5 });
    expect(l.version).toBe(v0 + 1);
    // The other site keeps the defaults.
    expect(((await (await api(`/api/sites/site_tr2/trigger-caps`, { cookie: other })).json()) as TriggerCapsResponse).caps).toEqual({
      perVisit: 1,
      perDay: 2,
    });
  });

  it(`keeps at most ${MAX_TRIGGERS_PER_SITE} triggers per site, even when created at once`, async () => {
    await seedSite({ id: "site_trmax", key: "pk_trmax" }, [{ id: "op_trmax", email: "o@trmax.test", name: "O", role: "owner" }]);
    const cookie = await login("o@trmax.test");
    const json = { ...CART_TRIGGER, action: { from: { type: "team" }, message: "Hi" } };
    const results = await Promise.all(Array.from({ length: MAX_TRIGGERS_PER_SITE + 5 }, () => create(cookie, json, "site_trmax")));
    expect(results.filter((r) => r.status === 201)).toHaveLength(MAX_TRIGGERS_PER_SITE);
    expect(results.filter((r) => r.status === 422)).toHaveLength(5);
    const n = await env.DB.prepare("SELECT COUNT(*) AS n FROM triggers WHERE site_id = 'site_trmax'").first<number>("n");
    expect(n).toBe(MAX_TRIGGERS_PER_SITE);
  });
});
