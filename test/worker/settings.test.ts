// Site settings: owners and admins change them, visitors see the public part, and a topic the
// visitor picks routes the conversation to an operator with its skill.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { SiteHub } from "../../worker/do/site-hub";
import { api, login, mustOpen, seedSite, visitorSession, visitorSocketPath } from "./helpers";

let owner: string;
let agent: string;

beforeAll(async () => {
  await seedSite({ id: "site_cfg", key: "pk_cfg" }, [
    { id: "op_cfg_owner", email: "owner@cfg.test", name: "Olga", role: "owner" },
    { id: "op_cfg_agent", email: "agent@cfg.test", name: "Adam", role: "agent" },
  ]);
  await env.DB.prepare(`UPDATE memberships SET skills = '["payments"]' WHERE operator_id = 'op_cfg_agent'`).run();
  [owner, agent] = await Promise.all([login("owner@cfg.test"), login("agent@cfg.test")]);
});

describe("site settings", () => {
  it("lets owners change settings, refuses agents and bad values", async () => {
    const r = await api("/api/sites/site_cfg/settings", {
      method: "PATCH",
      cookie: owner,
      json: {
        accentColor: "#0f766e",
        typingPreview: false,
        reassignAfterSeconds: 120,
        topics: [{ label: "Payments & invoices", skill: "payments" }],
      },
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ accentColor: "#0f766e", typingPreview: false, reassignAfterSeconds: 120, welcomeText: "" });
    expect((await api("/api/sites/site_cfg/settings", { method: "PATCH", cookie: agent, json: { typingPreview: true } })).status).toBe(403);
    for (const json of [
      { accentColor: "red" },
      { reassignAfterSeconds: 5 },
      { topics: [{ label: "", skill: "x" }] },
      { typingPreview: "yes" },
    ]) {
      expect((await api("/api/sites/site_cfg/settings", { method: "PATCH", cookie: owner, json })).status).toBe(422);
    }
    const visitor = await visitorSession("pk_cfg");
    expect(visitor.settings).toEqual({
      siteName: "site_cfg",
      accentColor: "#0f766e",
      welcomeText: "",
      topics: [{ label: "Payments & invoices", skill: "payments" }],
      logoUrl: null,
      textColor: "#ffffff",
    });
    expect(visitor.settings).not.toHaveProperty("typingPreview");
  });

  it("keeps a null setting as null: askEmailAfterSeconds null ('only when away or closed') and retentionDays null survive a save and a later patch", async () => {
    const patch = (json: object) => api("/api/sites/site_cfg/settings", { method: "PATCH", cookie: owner, json });
    const read = async () => (await (await api("/api/sites/site_cfg/settings", { cookie: owner })).json()) as Record<string, unknown>;
    let r = await patch({ askEmailAfterSeconds: 30, retentionDays: 90 });
    expect(await r.json()).toMatchObject({ askEmailAfterSeconds: 30, retentionDays: 90 });
    // json_patch alone deletes a key whose value is null, so this read back as the default 60.
    r = await patch({ askEmailAfterSeconds: null, retentionDays: null });
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ askEmailAfterSeconds: null, retentionDays: null });
    expect(await read()).toMatchObject({ askEmailAfterSeconds: null, retentionDays: null });
    // Another field's save keeps the nulls; a number again replaces them.
    await patch({ welcomeText: "Hi" });
    expect(await read()).toMatchObject({ askEmailAfterSeconds: null, retentionDays: null, welcomeText: "Hi" });
    await patch({ askEmailAfterSeconds: 45 });
    expect(await read()).toMatchObject({ askEmailAfterSeconds: 45, retentionDays: null });
    await patch({ askEmailAfterSeconds: null, welcomeText: "" });
  });

  it("routes a conversation by the visitor's topic, and ignores topics the shop does not offer", async () => {
    const dashboards = [
      await mustOpen("/ws/sites/site_cfg/inbox", { cookie: owner }),
      await mustOpen("/ws/sites/site_cfg/inbox", { cookie: agent }),
    ];
    const start = async (skill: string) => {
      const v = await visitorSession("pk_cfg");
      const r = await api("/api/widget/conversations", {
        method: "POST",
        headers: { authorization: `Bearer ${v.token}` },
        json: { skill },
      });
      const id = ((await r.json()) as { conversationId: string }).conversationId;
      // Routing starts once the visitor has written.
      const socket = await mustOpen(visitorSocketPath(id, v.token));
      await socket.next("hello");
      socket.send({ type: "message.send", clientId: "first", text: "About my invoice" });
      await socket.next("ack");
      socket.close();
      return id;
    };
    const assignee = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const row = await runInDurableObject(
          env.SITE_HUB.getByName("site_cfg"),
          (_: SiteHub, s) => s.storage.sql.exec("SELECT operator_id FROM assignments WHERE conversation_id = ?", id).toArray()[0],
        );
        if (row) return String(row.operator_id);
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    };
    for (let i = 0; i < 3; i++) expect(await assignee(await start("payments"))).toBe("op_cfg_agent");
    const other = await start("hacking");
    expect((await env.CONVERSATION.getByName(other).summary("site_cfg"))!.skill).toBeNull();
    for (const s of dashboards) s.close();
  });
});
