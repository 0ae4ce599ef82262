// Segments: saved filters of the visitor list, shared by a site's team; coded errors for bad
// names and filters, a name taken, the per-site limit; deletion by the creator or a manager;
// nothing visible or deletable from another site.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_SEGMENTS_PER_SITE, type SegmentListResponse, type SegmentResponse, type VisitorListResponse } from "../../protocol";
import { api, login, seedSite } from "./helpers";
import { SHOP, track, visitorOf } from "./tracking-helpers";

let owner: string;
let agent: string;
let agent2: string;
let other: string;

beforeAll(async () => {
  await seedSite({ id: "site_sg", key: "pk_sg" }, [
    { id: "op_sg_owner", email: "owner@sg.test", name: "Olga", role: "owner" },
    { id: "op_sg_agent", email: "agent@sg.test", name: "Adam", role: "agent" },
    { id: "op_sg_agent2", email: "agent2@sg.test", name: "Ada", role: "agent" },
  ]);
  await seedSite({ id: "site_sg2", key: "pk_sg2" }, [{ id: "op_sg2", email: "x@sg2.test", name: "X", role: "owner" }]);
  [owner, agent, agent2, other] = await Promise.all([
    login("owner@sg.test"),
    login("agent@sg.test"),
    login("agent2@sg.test"),
    login("x@sg2.test"),
  ]);
});

const save = (cookie: string, json: unknown, site = "site_sg") => api(`/api/sites/${site}/segments`, { method: "POST", cookie, json });
const list = async (cookie: string, site = "site_sg") =>
  ((await (await api(`/api/sites/${site}/segments`, { cookie })).json()) as SegmentListResponse).segments;

describe("segments", () => {
  it("saves the list's filters under a name, and the saved filters select the same visitors", async () => {
    const fi = (await track({ k: "pk_sg", e: "view", u: `${SHOP}/?utm_source=newsletter`, ti: "Home" }, { cf: { country: "FI" } })).t!;
    await track({ k: "pk_sg", e: "view", u: `${SHOP}/`, ti: "Home" }, { cf: { country: "PL" } });

    const r = await save(agent, { name: "  Finns from the newsletter ", filters: { country: "fi", source: "Newsletter" } });
    expect(r.status).toBe(201);
    const { segment } = (await r.json()) as SegmentResponse;
    expect(segment).toMatchObject({
      name: "Finns from the newsletter",
      filters: { country: "FI", source: "newsletter" },
      createdBy: "op_sg_agent",
    });
    expect(segment.id).toMatch(/^sg_/);
    // The whole team sees it.
    expect((await list(owner)).map((s) => s.id)).toContain(segment.id);

    // Its filters are the list's query: applied as they are, they find the Finnish visitor only.
    const query = new URLSearchParams(segment.filters as Record<string, string>).toString();
    const found = (await (await api(`/api/sites/site_sg/visitors?${query}`, { cookie: owner })).json()) as VisitorListResponse;
    expect(found.visitors.map((v) => v.id)).toEqual([visitorOf(fi)]);
  });

  it("refuses bad input with coded errors and keeps names unique per site", async () => {
    for (const json of [
      {},
      { name: "", filters: {} },
      { name: "x".repeat(61), filters: {} },
      { name: "A", filters: { country: "Finland" } },
      { name: "A", filters: { returning: "maybe" } },
      { name: "A" },
    ]) {
      const r = await save(owner, json);
      expect(r.status, JSON.stringify(json)).toBe(422);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
    const bad = await api("/api/sites/site_sg/segments", {
      method: "POST",
      cookie: owner,
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(bad.status).toBe(400);

    expect((await save(owner, { name: "Buyers", filters: { hasOrders: "1" } })).status).toBe(201);
    const dup = await save(agent, { name: "BUYERS", filters: {} });
    expect(dup.status).toBe(409);
    expect(((await dup.json()) as { error: { code: string } }).error.code).toBe("conflict");
    // Another site may use the same name; neither sees the other's.
    expect((await save(other, { name: "Buyers", filters: {} }, "site_sg2")).status).toBe(201);
    expect((await list(other, "site_sg2")).map((s) => s.name)).toEqual(["Buyers"]);
    expect((await save(other, { name: "Sneaky", filters: {} }, "site_sg")).status).toBe(404);
    expect((await api("/api/sites/site_sg/segments", {})).status).toBe(401);
  });

  it("lets the creator, owners and admins delete a segment, nobody else, and nothing across sites", async () => {
    const mine = ((await (await save(agent, { name: "Mine", filters: { verified: "1" } })).json()) as SegmentResponse).segment;
    const del = (cookie: string, id: string, site = "site_sg") => api(`/api/sites/${site}/segments/${id}`, { method: "DELETE", cookie });
    expect((await del(agent2, mine.id)).status).toBe(403);
    expect((await del(other, mine.id, "site_sg2")).status).toBe(404);
    expect((await del(other, mine.id)).status).toBe(404);
    expect((await del(agent, "sg_nope")).status).toBe(404);
    expect((await del(agent, "../x")).status).toBe(404);
    expect((await del(agent, mine.id)).status).toBe(204);
    expect((await list(owner)).map((s) => s.id)).not.toContain(mine.id);

    const theirs = ((await (await save(agent2, { name: "Theirs", filters: {} })).json()) as SegmentResponse).segment;
    expect((await del(owner, theirs.id)).status).toBe(204);
  });

  it("keeps at most MAX_SEGMENTS_PER_SITE per site", async () => {
    await seedSite({ id: "site_sg3", key: "pk_sg3" }, [{ id: "op_sg3", email: "o@sg3.test", name: "O", role: "owner" }]);
    const o = await login("o@sg3.test");
    const rows = Array.from({ length: MAX_SEGMENTS_PER_SITE }, (_, i) =>
      env.DB.prepare(
        "INSERT INTO segments (id, site_id, name, filters, created_by, created_at) VALUES (?, 'site_sg3', ?, '{}', NULL, ?)",
      ).bind(`sg_fill${i}`, `S${i}`, i),
    );
    await env.DB.batch(rows);
    const r = await save(o, { name: "One too many", filters: {} }, "site_sg3");
    expect(r.status).toBe(422);
    expect((await list(o, "site_sg3")).length).toBe(MAX_SEGMENTS_PER_SITE);
  });
});
