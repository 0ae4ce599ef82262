// A visitor's reply to a trigger's teaser: the new conversation records the trigger (D1
// trigger_id, the `created` domain event, the list's trigger name), opens with the trigger's
// message from the named operator or the team, and the visitor's exposure row gets the
// conversation. Another site's trigger tags nothing.
import { env, runDurableObjectAlarm } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationListResponse, TriggerListResponse, TriggerResponse } from "../../protocol";
import { api, login, seedSite, visitorSession } from "./helpers";
import { countAt, SHOP, track } from "./tracking-helpers";

let owner: string;
let owner2: string;

beforeAll(async () => {
  await seedSite({ id: "site_tc", key: "pk_tc", name: "Tagged shop" }, [
    { id: "op_tc", email: "o@tc.test", name: "Olga", role: "owner" },
    { id: "op_tc_anna", email: "anna@tc.test", name: "Anna", role: "agent" },
  ]);
  await seedSite({ id: "site_tc2", key: "pk_tc2" }, [{ id: "op_tc2", email: "o@tc2.test", name: "X", role: "owner" }]);
  [owner, owner2] = await Promise.all([login("o@tc.test"), login("o@tc2.test")]);
});

const create = async (cookie: string, json: unknown, site = "site_tc") =>
  ((await (await api(`/api/sites/${site}/triggers`, { method: "POST", cookie, json })).json()) as TriggerResponse).trigger;
const start = async (token: string, json: unknown) => {
  const r = await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${token}` }, json });
  expect(r.status).toBe(200);
  return ((await r.json()) as { conversationId: string }).conversationId;
};
async function flushAll(id: string): Promise<void> {
  for (let i = 0; i < 10 && (await runDurableObjectAlarm(env.CONVERSATION.getByName(id))); i++);
}

describe("triggers: a reply starts a tagged conversation", () => {
  it("records the trigger and opens with its message from the named operator", async () => {
    const t = await create(owner, {
      name: "Size help",
      holdoutPercent: 0,
      conditions: [],
      action: { from: { type: "operator", operatorId: "op_tc_anna" }, message: "Can I help you pick a size?" },
    });
    const a = await track({ k: "pk_tc", e: "view", u: `${SHOP}/products/shoe`, pv: "v1" });
    await track({ k: "pk_tc", t: a.t, e: "trigger", d: { e: "shown", t: t.id } });
    const session = await visitorSession("pk_tc", undefined, a.t);
    const id = await start(session.token, { trigger: t.id });

    const row = await env.DB.prepare("SELECT trigger_id FROM conversations WHERE id = ?").bind(id).first<string>("trigger_id");
    expect(row).toBe(t.id);
    const history = await env.CONVERSATION.getByName(id).history("site_tc", null, 10);
    expect(history!.messages[0]).toMatchObject({
      role: "operator",
      authorId: "op_tc_anna",
      authorName: "Anna",
      text: "Can I help you pick a size?",
    });
    expect(history!.messages).toHaveLength(1);

    await flushAll(id);
    const created = await env.DB.prepare("SELECT data FROM conversation_events WHERE conversation_id = ? AND type = 'created'")
      .bind(id)
      .first<string>("data");
    expect(JSON.parse(created!)).toMatchObject({ trigger: t.id, invited: false });

    const list = (await (await api("/api/sites/site_tc/conversations", { cookie: owner })).json()) as ConversationListResponse;
    expect(list.conversations.find((c) => c.id === id)).toMatchObject({ triggerId: t.id, triggerName: "Size help" });

    // The visitor's exposure row knows the conversation; the list counts it.
    expect(
      await countAt("site_tc", "SELECT COUNT(*) AS n FROM trigger_exposures WHERE trigger_id = ? AND conversation_id = ?", t.id, id),
    ).toBe(1);
    const stats = ((await (await api("/api/sites/site_tc/triggers", { cookie: owner })).json()) as TriggerListResponse).triggers[0]!.stats;
    expect(stats).toMatchObject({ shown: 1, clicked: 1, conversations: 1 });

    // Asking again: the same conversation, no second copy of the message.
    expect(await start(session.token, { trigger: t.id })).toBe(id);
    expect((await env.CONVERSATION.getByName(id).history("site_tc", null, 10))!.messages).toHaveLength(1);
  });

  it("speaks as the team when the trigger says so; another site's or an unknown trigger tags nothing", async () => {
    const team = await create(owner, {
      name: "Team hello",
      holdoutPercent: 0,
      conditions: [],
      action: { from: { type: "team" }, message: "Hello from us" },
    });
    const s1 = await visitorSession("pk_tc");
    const id1 = await start(s1.token, { trigger: team.id });
    expect((await env.CONVERSATION.getByName(id1).history("site_tc", null, 10))!.messages[0]).toMatchObject({
      role: "operator",
      authorId: null,
      authorName: "Tagged shop",
      text: "Hello from us",
    });

    const theirs = await create(
      owner2,
      { name: "Theirs", conditions: [], action: { from: { type: "team" }, message: "Not yours" } },
      "site_tc2",
    );
    for (const trigger of [theirs.id, "tr_unknown"]) {
      const s = await visitorSession("pk_tc");
      const id = await start(s.token, { trigger });
      expect(
        await env.DB.prepare("SELECT trigger_id FROM conversations WHERE id = ?").bind(id).first<string | null>("trigger_id"),
      ).toBeNull();
      expect((await env.CONVERSATION.getByName(id).history("site_tc", null, 10))!.messages).toHaveLength(0);
    }
    const bad = await api("/api/widget/conversations", {
      method: "POST",
      headers: { authorization: `Bearer ${s1.token}` },
      json: { trigger: "a b" },
    });
    expect(bad.status).toBe(422);
  });
});
