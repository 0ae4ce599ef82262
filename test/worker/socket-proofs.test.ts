// Defect 8 (Worker side): a socket for a conversation is let through only when its D1 row proves
// it is the caller's; a made-up, foreign or erased id never creates or wakes a Durable Object,
// and is refused with a final close code (4404 / 4403) the reconnecting client stops on.
import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol";
import { newId } from "../../worker/lib/crypto";
import { api, login, refusal, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";

let cookie: string;

beforeAll(async () => {
  await seedSite({ id: "site_sp", key: "pk_sp" }, [{ id: "op_sp", email: "o@sp.test", name: "O", role: "owner" }]);
  cookie = await login("o@sp.test");
});

describe("conversation sockets", () => {
  it("refuse a well-formed but made-up conversation id with 4404 and create no Durable Object", async () => {
    const before = (await listDurableObjectIds(env.CONVERSATION)).length;
    const visitor = await visitorSession("pk_sp");
    const madeUp = newId("c");
    expect(await refusal(visitorSocketPath(madeUp, visitor.token))).toEqual({ close: CLOSE_CODES.notFound, code: "not_found" });
    expect(await refusal(`/ws/sites/site_sp/conversations/${madeUp}`, { cookie })).toEqual({
      close: CLOSE_CODES.notFound,
      code: "not_found",
    });
    expect((await listDurableObjectIds(env.CONVERSATION)).length).toBe(before);
  });

  it("refuse an erased conversation's tabs for good, and bring nothing back", async () => {
    const visitor = await visitorSession("pk_sp");
    const conversationId = await startConversation(visitor.token);
    expect((await api(`/api/sites/site_sp/visitors/${visitor.visitorId}`, { method: "DELETE", cookie })).status).toBe(200);
    expect(await refusal(visitorSocketPath(conversationId, visitor.token))).toEqual({ close: CLOSE_CODES.notFound, code: "not_found" });
    expect(await refusal(`/ws/sites/site_sp/conversations/${conversationId}`, { cookie })).toMatchObject({ close: CLOSE_CODES.notFound });
    expect(await env.CONVERSATION.getByName(conversationId).summary("site_sp")).toBeNull();
    // The erased visitor's token does not start a conversation (or a visitor row) again.
    const r = await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${visitor.token}` } });
    expect(r.status).toBe(401);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM visitors WHERE id = ?").bind(visitor.visitorId).first("n")).toBe(0);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM conversations WHERE visitor_id = ?").bind(visitor.visitorId).first("n")).toBe(0);
  });
});
