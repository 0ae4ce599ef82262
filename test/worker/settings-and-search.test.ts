// Defect 16: concurrent edits of site settings keep every change (one json_patch statement, not
// read-modify-write); message search matches the site inside the FTS index (site_key, migration
// 0011), exactly, and the migration carries existing index rows over.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { SearchResponse, SiteSettingsResponse } from "../../protocol";
import { indexStatements, siteKey } from "../../worker/db/search";
import { api, login, seedSite } from "./helpers";

let cookie: string;

beforeAll(async () => {
  await seedSite({ id: "s_a", key: "pk_sa" }, [{ id: "op_sa", email: "o@sa.test", name: "O", role: "owner" }]);
  await seedSite({ id: "s_a_b", key: "pk_sab" }, [{ id: "op_sa", email: "o@sa.test", name: "O", role: "owner" }]);
  cookie = await login("o@sa.test");
});

const patch = (json: object) => api("/api/sites/s_a/settings", { method: "PATCH", cookie, json });
const search = async (site: string, q: string) =>
  ((await (await api(`/api/sites/${site}/search?q=${encodeURIComponent(q)}`, { cookie })).json()) as SearchResponse).results;

describe("settings", () => {
  it("keep every field of parallel edits", async () => {
    for (let round = 0; round < 3; round++) {
      const values = {
        accentColor: `#00000${round}`,
        welcomeText: `Welcome ${round}`,
        typingPreview: round % 2 === 0,
        reassignAfterSeconds: 60 + round,
        topics: [{ label: `Topic ${round}`, skill: `s${round}` }],
        retentionDays: 30 + round,
        allowedOrigins: [`https://shop${round}.example`],
      };
      const answers = await Promise.all(Object.entries(values).map(([k, v]) => patch({ [k]: v })));
      expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
      const stored = (await (await api("/api/sites/s_a/settings", { cookie })).json()) as SiteSettingsResponse;
      expect(stored).toMatchObject(values);
    }
    // null removes a setting back to its default.
    expect(((await (await patch({ retentionDays: null })).json()) as SiteSettingsResponse).retentionDays).toBeNull();
  });
});

describe("message search", () => {
  it("keeps sites apart exactly, even when one id is a prefix of another", async () => {
    const row = (siteId: string, seq: number, text: string) => ({
      siteId,
      conversationId: `c_${siteId}_conversation_xx`,
      seq,
      kind: "text" as const,
      text,
      createdAt: Date.now(),
    });
    await env.DB.batch(indexStatements(env.DB, [row("s_a", 1, "descaling the kettle"), row("s_a_b", 1, "kettle for s_a_b only")]));
    expect((await search("s_a", "kettle")).map((r) => r.conversationId)).toEqual(["c_s_a_conversation_xx"]);
    expect((await search("s_a_b", "kettle")).map((r) => r.conversationId)).toEqual(["c_s_a_b_conversation_xx"]);
    // The site token is not searchable as a word.
    expect(await search("s_a", siteKey("s_a"))).toEqual([]);
  });

  it("carries the rows of the old index over in migration 0011", async () => {
    const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0011"))!;
    await env.DB.batch([
      env.DB.prepare("DROP TABLE message_search"),
      env.DB.prepare(
        `CREATE VIRTUAL TABLE message_search USING fts5(text, site_id UNINDEXED, conversation_id UNINDEXED, seq UNINDEXED,
           kind UNINDEXED, created_at UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')`,
      ),
      env.DB.prepare("INSERT INTO message_search VALUES ('the old grinder question', 's_a', 'c_old_conversation_xxxx', 7, 'text', 1)"),
      env.DB.prepare("INSERT INTO message_search VALUES ('grinder elsewhere', 's_a_b', 'c_other_conversation_xx', 1, 'text', 1)"),
    ]);
    await env.DB.batch(migration.queries.map((q) => env.DB.prepare(q)));
    expect((await search("s_a", "grind")).map((r) => [r.conversationId, r.seq])).toEqual([["c_old_conversation_xxxx", 7]]);
    expect((await search("s_a_b", "grind")).map((r) => r.conversationId)).toEqual(["c_other_conversation_xx"]);
  });
});
