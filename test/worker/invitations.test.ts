// Defect 1: adding an email that already has an account (on another shop) never joins it
// silently, reveals nothing about that account, and lets no site write another site's view of
// the person: it is an invitation the person accepts or declines; managers see and revoke it.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AddOperatorResponse, MeResponse, TeamResponse } from "../../protocol";
import { api, login, seedSite } from "./helpers";

let ownerA: string;
let adminA: string;
let agentA: string;
let ownerB: string;

beforeAll(async () => {
  await seedSite({ id: "site_ia", key: "pk_ia", name: "Shop A" }, [
    { id: "op_ia_owner", email: "owner@a.test", name: "Ada", role: "owner" },
    { id: "op_ia_admin", email: "admin@a.test", name: "Adi", role: "admin" },
    { id: "op_ia_agent", email: "agent@a.test", name: "Aga", role: "agent" },
  ]);
  await seedSite({ id: "site_ib", key: "pk_ib", name: "Shop B" }, [
    { id: "op_ib_owner", email: "bea@b.test", name: "Bea Private", role: "owner" },
  ]);
  [ownerA, adminA, agentA, ownerB] = await Promise.all([
    login("owner@a.test"),
    login("admin@a.test"),
    login("agent@a.test"),
    login("bea@b.test"),
  ]);
});

const add = (cookie: string, json: object) => api("/api/sites/site_ia/operators", { method: "POST", cookie, json });
const team = async (cookie = ownerA) => (await (await api("/api/sites/site_ia/operators", { cookie })).json()) as TeamResponse;
const me = async (cookie: string) => (await (await api("/api/me", { cookie })).json()) as MeResponse;
const bea = () => env.DB.prepare("SELECT name, avatar_url, password_hash FROM operators WHERE id = 'op_ib_owner'").first();

describe("adding an existing account", () => {
  it("creates an invitation (202) and changes nothing about the person", async () => {
    const before = await bea();
    const r = await add(ownerA, { email: "BEA@b.test", name: "Renamed", password: "taken-over-1", avatarUrl: "/evil.png", role: "admin" });
    expect(r.status).toBe(202);
    const body = (await r.json()) as AddOperatorResponse;
    expect(body).toEqual({ status: "invited", invitationId: expect.stringMatching(/^inv_/) });
    // Nothing about the account in the answer, nothing joined, nothing written.
    expect(JSON.stringify(body)).not.toMatch(/Bea Private|op_ib_owner/);
    expect(await bea()).toEqual(before);
    expect((await team()).operators.map((o) => o.id)).not.toContain("op_ib_owner");
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM memberships WHERE operator_id = 'op_ib_owner'").first("n")).toBe(1);
    // Managers see the open invitation (email and role only); agents see none.
    expect((await team()).invitations).toEqual([
      {
        id: body.status === "invited" ? body.invitationId : "",
        email: "bea@b.test",
        role: "admin",
        createdAt: expect.any(Number),
        expiresAt: expect.any(Number),
      },
    ]);
    expect((await team(agentA)).invitations).toEqual([]);
    // Inviting again refreshes the one open invitation.
    const again = (await (
      await add(ownerA, { email: "bea@b.test", name: "X", password: "whatever-1", role: "agent" })
    ).json()) as AddOperatorResponse;
    expect(again).toEqual(body);
    expect((await team()).invitations.map((i) => i.role)).toEqual(["agent"]);
  });

  it("lists it for the invited person, who accepts and becomes a member with the invited role", async () => {
    const pending = (await me(ownerB)).invitations;
    expect(pending).toEqual([
      expect.objectContaining({ siteName: "Shop A", role: "agent", invitedByName: "Ada", expiresAt: expect.any(Number) }),
    ]);
    // Nobody else can answer it.
    expect((await api(`/api/me/invitations/${pending[0]!.id}/accept`, { method: "POST", cookie: agentA })).status).toBe(404);
    const accepted = await api(`/api/me/invitations/${pending[0]!.id}/accept`, { method: "POST", cookie: ownerB });
    expect(accepted.status).toBe(200);
    const after = (await accepted.json()) as MeResponse;
    expect(after.sites.map((s) => [s.id, s.role])).toEqual([
      ["site_ia", "agent"],
      ["site_ib", "owner"],
    ]);
    expect(after.invitations).toEqual([]);
    expect((await team()).operators.find((o) => o.id === "op_ib_owner")).toMatchObject({ name: "Bea Private", role: "agent" });
    expect((await api(`/api/me/invitations/${pending[0]!.id}/accept`, { method: "POST", cookie: ownerB })).status).toBe(404);
    // Already a member now: adding again is a conflict, not another invitation.
    expect((await add(ownerA, { email: "bea@b.test", name: "B", password: "whatever-1" })).status).toBe(409);
  });

  it("can be declined, revoked by managers (owner invitations by owners only), and expires", async () => {
    await seedSite({ id: "site_ic", key: "pk_ic", name: "Shop C" }, [{ id: "op_ic", email: "cy@c.test", name: "Cy", role: "owner" }]);
    const cy = await login("cy@c.test");
    const invite = async (role: string) =>
      ((await (await add(ownerA, { email: "cy@c.test", name: "Cy", password: "whatever-1", role })).json()) as { invitationId: string })
        .invitationId;

    const declined = await invite("agent");
    expect((await api(`/api/me/invitations/${declined}/decline`, { method: "POST", cookie: cy })).status).toBe(204);
    expect((await me(cy)).invitations).toEqual([]);
    expect((await api(`/api/me/invitations/${declined}/accept`, { method: "POST", cookie: cy })).status).toBe(404);

    const asOwner = await invite("owner");
    expect((await api(`/api/sites/site_ia/invitations/${asOwner}`, { method: "DELETE", cookie: adminA })).status).toBe(403);
    expect((await api(`/api/sites/site_ia/invitations/${asOwner}`, { method: "DELETE", cookie: agentA })).status).toBe(403);
    expect((await api(`/api/sites/site_ib/invitations/${asOwner}`, { method: "DELETE", cookie: ownerB })).status).toBe(404);
    expect((await api(`/api/sites/site_ia/invitations/${asOwner}`, { method: "DELETE", cookie: ownerA })).status).toBe(204);
    expect((await me(cy)).invitations).toEqual([]);
    expect((await api(`/api/me/invitations/${asOwner}/accept`, { method: "POST", cookie: cy })).status).toBe(404);

    const late = await invite("agent");
    await env.DB.prepare("UPDATE invitations SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, late)
      .run();
    expect((await me(cy)).invitations).toEqual([]);
    expect((await team()).invitations.map((i) => i.id)).not.toContain(late);
    expect((await api(`/api/me/invitations/${late}/accept`, { method: "POST", cookie: cy })).status).toBe(404);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM memberships WHERE operator_id = 'op_ic'").first("n")).toBe(1);
  });

  it("only lets admins invite, and only owners invite owners", async () => {
    expect((await add(agentA, { email: "someone@x.test", name: "S", password: "whatever-1" })).status).toBe(403);
    expect((await add(adminA, { email: "cy@c.test", name: "Cy", password: "whatever-1", role: "owner" })).status).toBe(403);
  });
});

describe("a person's name and photo are their own", () => {
  it("cannot be changed by a site's managers, only by the person (PATCH /api/me)", async () => {
    const before = await bea();
    // The membership PATCH has no name or photo: such fields are ignored, nothing about the person changes.
    const r = await api("/api/sites/site_ia/operators/op_ib_owner", {
      method: "PATCH",
      cookie: ownerA,
      json: { maxChats: 3, name: "Hijacked", avatarUrl: "/evil.png" },
    });
    expect(r.status).toBe(200);
    expect(await bea()).toEqual(before);
    const own = await api("/api/me", { method: "PATCH", cookie: ownerB, json: { name: "Bea", avatarUrl: "https://cdn.example/bea.png" } });
    expect(own.status).toBe(200);
    expect(await bea()).toMatchObject({ name: "Bea", avatar_url: "https://cdn.example/bea.png" });
    for (const json of [{ name: "" }, { avatarUrl: "javascript:alert(1)" }]) {
      expect((await api("/api/me", { method: "PATCH", cookie: ownerB, json })).status).toBe(422);
    }
    // Cross-site writes to /api/me are refused (CSRF).
    expect(
      (await api("/api/me", { method: "PATCH", cookie: ownerB, json: { name: "X" }, headers: { origin: "https://evil.example" } })).status,
    ).toBe(403);
  });
});
