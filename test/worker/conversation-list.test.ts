// The conversation list's pages: conversations active in the same millisecond are neither skipped
// nor repeated across pages (the cursor carries the id), and a cursor the API did not give is a
// coded error.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationListResponse } from "../../protocol";
import { api, login, seedSite, startConversation, visitorSession } from "./helpers";

let cookie: string;
const ids: string[] = [];

beforeAll(async () => {
  await seedSite({ id: "site_list", key: "pk_list" }, [{ id: "op_list", email: "list@list.test", name: "Lena", role: "owner" }]);
  cookie = await login("list@list.test");
  for (let i = 0; i < 5; i++) ids.push(await startConversation((await visitorSession("pk_list")).token));
  // Five conversations last active in one millisecond, as a burst or an import leaves them.
  await env.DB.prepare("UPDATE conversations SET updated_at = 1700000000000 WHERE site_id = 'site_list'").run();
});

const page = async (before?: string) => {
  const r = await api(`/api/sites/site_list/conversations?limit=2${before ? `&before=${encodeURIComponent(before)}` : ""}`, { cookie });
  expect(r.status).toBe(200);
  return (await r.json()) as ConversationListResponse;
};

describe("conversation list paging", () => {
  it("pages through conversations with the same last activity, each once", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 5; i++) {
      const p = await page(cursor);
      seen.push(...p.conversations.map((c) => c.id));
      if (!p.nextBefore) break;
      cursor = p.nextBefore;
    }
    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("refuses a cursor it did not give", async () => {
    for (const before of ["soon", "1~", "1~a b", `${"9".repeat(16)}`]) {
      const r = await api(`/api/sites/site_list/conversations?before=${encodeURIComponent(before)}`, { cookie });
      expect(r.status, before).toBe(422);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
  });
});
