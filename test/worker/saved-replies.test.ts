// Saved replies: shared and personal, who may change which, unique shortcuts, site scoping.
import { beforeAll, describe, expect, it } from "vitest";
import type { SavedRepliesResponse, SavedReply } from "../../protocol";
import { api, login, seedSite } from "./helpers";

let owner: string;
let agent: string;
let stranger: string;

beforeAll(async () => {
  await seedSite({ id: "site_sr", key: "pk_sr" }, [
    { id: "op_owner", email: "owner@sr.test", name: "Olga", role: "owner" },
    { id: "op_agent", email: "agent@sr.test", name: "Adam", role: "agent" },
  ]);
  await seedSite({ id: "site_x", key: "pk_x" }, [{ id: "op_x", email: "x@x.test", name: "X", role: "owner" }]);
  [owner, agent, stranger] = await Promise.all([login("owner@sr.test"), login("agent@sr.test"), login("x@x.test")]);
});

const list = async (cookie: string) =>
  ((await (await api("/api/sites/site_sr/saved-replies", { cookie })).json()) as SavedRepliesResponse).replies.map((r) => r.shortcut);
const create = (cookie: string, json: unknown) => api("/api/sites/site_sr/saved-replies", { method: "POST", cookie, json });

describe("saved replies", () => {
  it("lets owners share replies and everyone keep personal ones only they see", async () => {
    expect((await create(owner, { shortcut: "Hello", body: "Hi {visitor.name}!" })).status).toBe(201);
    expect((await create(agent, { shortcut: "mine", body: "Adam's own words", personal: true })).status).toBe(201);
    expect(await list(agent)).toEqual(["hello", "mine"]);
    expect(await list(owner)).toEqual(["hello"]);
  });

  it("refuses shared replies from agents, taken shortcuts and bad input with coded errors", async () => {
    const shared = await create(agent, { shortcut: "nope", body: "x" });
    expect(shared.status).toBe(403);
    const taken = await create(owner, { shortcut: "hello", body: "again" });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { error: { code: string } }).error.code).toBe("conflict");
    for (const json of [{ shortcut: "two words", body: "x" }, { shortcut: "ok", body: "   " }, { shortcut: "", body: "x" }, {}]) {
      expect((await create(owner, json)).status).toBe(422);
    }
    // The same shortcut may exist once shared and once personal.
    expect((await create(agent, { shortcut: "hello", body: "my hello", personal: true })).status).toBe(201);
  });

  it("lets only the right people change or delete a reply", async () => {
    const all = ((await (await api("/api/sites/site_sr/saved-replies", { cookie: agent })).json()) as SavedRepliesResponse).replies;
    const sharedId = all.find((r: SavedReply) => !r.personal)!.id;
    const personalId = all.find((r: SavedReply) => r.personal && r.shortcut === "mine")!.id;
    expect(
      (
        await api(`/api/sites/site_sr/saved-replies/${sharedId}`, {
          method: "PUT",
          cookie: agent,
          json: { shortcut: "hello", body: "changed" },
        })
      ).status,
    ).toBe(403);
    expect((await api(`/api/sites/site_sr/saved-replies/${personalId}`, { method: "DELETE", cookie: owner })).status).toBe(404);
    expect(
      (
        await api(`/api/sites/site_sr/saved-replies/${sharedId}`, {
          method: "PUT",
          cookie: owner,
          json: { shortcut: "hi", body: "Hello there" },
        })
      ).status,
    ).toBe(200);
    expect((await api(`/api/sites/site_sr/saved-replies/${personalId}`, { method: "DELETE", cookie: agent })).status).toBe(204);
    expect(await list(agent)).toEqual(["hello", "hi"]);
  });

  it("keeps each site's replies to itself", async () => {
    expect((await api("/api/sites/site_sr/saved-replies", { cookie: stranger })).status).toBe(404);
    const own = ((await (await api("/api/sites/site_x/saved-replies", { cookie: stranger })).json()) as SavedRepliesResponse).replies;
    expect(own).toEqual([]);
  });
});
