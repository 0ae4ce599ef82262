// Team management: owners and admins add colleagues and set capacity and skills; routing
// follows the change at once (a raised cap drains the queue).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { TeamResponse } from "../../protocol";
import type { SiteHub } from "../../worker/do/site-hub";
import { api, login, mustOpen, seedSite } from "./helpers";
import { visitorWrites } from "./routing-helpers";

let owner: string;
let agent: string;

beforeAll(async () => {
  await seedSite({ id: "site_team", key: "pk_team" }, [
    { id: "op_boss", email: "boss@team.test", name: "Beata", role: "owner" },
    { id: "op_agent", email: "agent@team.test", name: "Adam", role: "agent" },
  ]);
  [owner, agent] = await Promise.all([login("boss@team.test"), login("agent@team.test")]);
});

const team = async () => ((await (await api("/api/sites/site_team/operators", { cookie: owner })).json()) as TeamResponse).operators;

describe("team", () => {
  it("lets an owner add an operator who can then sign in, with capacity and skills", async () => {
    const r = await api("/api/sites/site_team/operators", {
      method: "POST",
      cookie: owner,
      json: { email: "Kasia@Team.test", name: "Kasia", password: "first-password", maxChats: 3, skills: ["Returns", "pl"] },
    });
    expect(r.status).toBe(201);
    const kasia = (await team()).find((o) => o.email === "kasia@team.test")!;
    expect(kasia).toMatchObject({ name: "Kasia", role: "agent", maxChats: 3, skills: ["returns", "pl"], presence: "offline" });
    expect((await api("/api/auth/login", { method: "POST", json: { email: "kasia@team.test", password: "first-password" } })).status).toBe(
      200,
    );
    const again = await api("/api/sites/site_team/operators", {
      method: "POST",
      cookie: owner,
      json: { email: "kasia@team.test", name: "K", password: "whatever1" },
    });
    expect(again.status).toBe(409);
  });

  it("answers a new account with 201 added", async () => {
    const r = await api("/api/sites/site_team/operators", {
      method: "POST",
      cookie: owner,
      json: { email: "new@team.test", name: "Nowa", password: "first-password" },
    });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ status: "added", id: expect.stringMatching(/^op_/) });
  });

  it("refuses agents, bad values and other sites with coded errors", async () => {
    const byAgent = await api("/api/sites/site_team/operators", {
      method: "POST",
      cookie: agent,
      json: { email: "x@team.test", name: "X", password: "password1" },
    });
    expect(byAgent.status).toBe(403);
    for (const json of [{ maxChats: 0 }, { maxChats: 51 }, { skills: ["two words"] }, { role: "god" }]) {
      expect((await api("/api/sites/site_team/operators/op_agent", { method: "PATCH", cookie: owner, json })).status).toBe(422);
    }
    expect((await api("/api/sites/site_team/operators/op_nobody", { method: "PATCH", cookie: owner, json: { maxChats: 2 } })).status).toBe(
      404,
    );
  });

  it("drains the queue as soon as an operator's cap is raised", async () => {
    await api("/api/sites/site_team/operators/op_agent", { method: "PATCH", cookie: owner, json: { maxChats: 1 } });
    await api("/api/sites/site_team/operators/op_boss", { method: "PATCH", cookie: owner, json: { maxChats: 1 } });
    const dashboards = [
      await mustOpen("/ws/sites/site_team/inbox", { cookie: agent }),
      await mustOpen("/ws/sites/site_team/inbox", { cookie: owner }),
    ];
    // A conversation takes a seat once its visitor has written.
    for (let i = 0; i < 3; i++) await visitorWrites("pk_team");
    const queueLength = () =>
      runInDurableObject(env.SITE_HUB.getByName("site_team"), (_: SiteHub, s) =>
        Number(s.storage.sql.exec("SELECT COUNT(*) AS n FROM queue").one().n),
      );
    const deadline = Date.now() + 5000;
    while ((await queueLength()) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await queueLength()).toBe(1);
    expect((await api("/api/sites/site_team/operators/op_agent", { method: "PATCH", cookie: owner, json: { maxChats: 2 } })).status).toBe(
      200,
    );
    expect(await queueLength()).toBe(0);
    for (const s of dashboards) s.close();
  });
});
