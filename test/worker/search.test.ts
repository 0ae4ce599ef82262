// Full-text search: a message written a moment ago is found (fed through the outbox, not on the
// message path), notes are searchable for operators, and each site searches only its own.
import { beforeAll, describe, expect, it } from "vitest";
import type { SearchResponse } from "../../protocol";
import { api, login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";

let anna: string;
let other: string;
let conversationId: string;

beforeAll(async () => {
  await seedSite({ id: "site_s", key: "pk_s" }, [{ id: "op_s", email: "s@s.test", name: "Anna", role: "owner" }]);
  await seedSite({ id: "site_o", key: "pk_o" }, [{ id: "op_o", email: "o@o.test", name: "Other", role: "owner" }]);
  [anna, other] = await Promise.all([login("s@s.test"), login("o@o.test")]);
  const visitor = await visitorSession("pk_s");
  conversationId = await startConversation(visitor.token);
  const v = await mustOpen(visitorSocketPath(conversationId, visitor.token));
  await v.next("hello");
  v.send({ type: "message.send", clientId: "1", text: "Does the Kaffa grinder fit an AeroPress?" });
  await v.next("ack");
  v.close();
  const o = await mustOpen(`/ws/sites/site_s/conversations/${conversationId}`, { cookie: anna });
  await o.next("hello");
  o.send({ type: "message.send", clientId: "n", kind: "note", text: "Check the żarna (burrs) stock first" });
  await o.next("ack");
  o.close();
});

const search = async (q: string, cookie = anna, site = "site_s") => {
  const r = await api(`/api/sites/${site}/search?q=${encodeURIComponent(q)}`, { cookie });
  return { status: r.status, body: (await r.json()) as SearchResponse & { error?: { code: string } } };
};

async function eventuallyFound(q: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await search(q);
    if (r.body.results?.length) return r.body.results;
    if (Date.now() > deadline) throw new Error(`"${q}" not found within 5 s`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

describe("search", () => {
  it("finds a message written a moment ago, by word prefix, with the match marked", async () => {
    const [hit] = await eventuallyFound("aeropr");
    expect(hit).toMatchObject({ conversationId, seq: 1, kind: "text" });
    expect(hit!.snippet).toContain("\u0002AeroPress\u0003");
  });

  it("finds internal notes for operators, ignoring diacritics", async () => {
    const [hit] = await eventuallyFound("zarna stock");
    expect(hit).toMatchObject({ conversationId, kind: "note" });
  });

  it("keeps each site to its own messages", async () => {
    await eventuallyFound("kaffa");
    expect((await search("kaffa", other, "site_o")).body.results).toEqual([]);
    expect((await search("kaffa", other, "site_s")).status).toBe(404);
  });

  it("treats search syntax in the query as plain words, and refuses an empty query", async () => {
    for (const q of ['kaffa"', "NEAR(kaffa", "kaffa OR *", "a:b", "^x", "kaffa -grinder"]) {
      const r = await search(q);
      expect(r.status, q).toBe(200);
    }
    expect((await search("   ")).status).toBe(422);
    expect((await search('""')).body.error?.code).toBe("validation_failed");
  });
});
