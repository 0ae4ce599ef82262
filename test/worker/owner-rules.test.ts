// Defect 5: an admin cannot demote an owner, make one, or change an owner's membership; the last
// owner cannot stop being one; the rule holds in the statement that writes, so two owners
// demoting themselves at once leave one owner.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { api, login, seedSite } from "./helpers";

let owner: string;
let admin: string;

beforeAll(async () => {
  await seedSite({ id: "site_or", key: "pk_or" }, [
    { id: "op_or_owner", email: "owner@or.test", name: "Olek", role: "owner" },
    { id: "op_or_admin", email: "admin@or.test", name: "Ala", role: "admin" },
    { id: "op_or_agent", email: "agent@or.test", name: "Ewa", role: "agent" },
  ]);
  [owner, admin] = await Promise.all([login("owner@or.test"), login("admin@or.test")]);
});

const patch = (cookie: string, operatorId: string, json: object) =>
  api(`/api/sites/site_or/operators/${operatorId}`, { method: "PATCH", cookie, json });
const roleOf = (id: string) =>
  env.DB.prepare("SELECT role FROM memberships WHERE site_id = 'site_or' AND operator_id = ?").bind(id).first("role");
const owners = () => env.DB.prepare("SELECT COUNT(*) AS n FROM memberships WHERE site_id = 'site_or' AND role = 'owner'").first("n");

describe("owner rules", () => {
  it("refuse an admin changing an owner or making one", async () => {
    for (const json of [{ role: "agent" }, { maxChats: 1 }, { skills: ["x"] }]) {
      const r = await patch(admin, "op_or_owner", json);
      expect(r.status, JSON.stringify(json)).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    }
    expect((await patch(admin, "op_or_agent", { role: "owner" })).status).toBe(403);
    expect((await patch(admin, "op_or_admin", { role: "owner" })).status).toBe(403);
    expect([await roleOf("op_or_owner"), await roleOf("op_or_agent"), await roleOf("op_or_admin")]).toEqual(["owner", "agent", "admin"]);
    // What an admin may do still works.
    expect((await patch(admin, "op_or_agent", { role: "admin", maxChats: 4 })).status).toBe(200);
    expect((await patch(admin, "op_or_agent", { role: "agent" })).status).toBe(200);
  });

  it("keep the last owner an owner", async () => {
    const r = await patch(owner, "op_or_owner", { role: "admin" });
    expect(r.status).toBe(409);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("conflict");
    expect(await roleOf("op_or_owner")).toBe("owner");
    expect((await patch(owner, "op_or_owner", { maxChats: 2 })).status).toBe(200);
  });

  it("let an owner make another owner, and of two owners demoting themselves at once only one succeeds", async () => {
    expect((await patch(owner, "op_or_admin", { role: "owner" })).status).toBe(200);
    const second = await login("admin@or.test"); // the session's role is read per request
    const results = await Promise.all([patch(owner, "op_or_owner", { role: "admin" }), patch(second, "op_or_admin", { role: "admin" })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await owners()).toBe(1);
  });
});
