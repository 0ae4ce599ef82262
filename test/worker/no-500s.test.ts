// Defect 14: inputs that used to answer 500. A search with NUL or other control characters; shop
// API ids with `%` (Hono already decodes path parameters: a second decode threw) or malformed
// escapes like `%ff`; and REST strings with lone surrogates, which are made well-formed before
// anything is stored, so the answer shows exactly what was stored.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiKeyResponse, SavedReply } from "../../protocol";
import { api, login, seedSite } from "./helpers";

let cookie: string;
let key: string;

beforeAll(async () => {
  await seedSite({ id: "site_n5", key: "pk_n5" }, [{ id: "op_n5", email: "o@n5.test", name: "O", role: "owner" }]);
  cookie = await login("o@n5.test");
  key = ((await (await api("/api/sites/site_n5/settings/secrets/api-key", { method: "POST", cookie })).json()) as ApiKeyResponse).apiKey;
});

const v1 = (path: string, init: { method?: string; json?: unknown } = {}) =>
  exports.default.fetch(
    new Request(`https://gadka.test/api/v1${path}`, {
      method: init.method ?? "GET",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    }),
  );

describe("no 500s", () => {
  it("searches with NUL and other control characters", async () => {
    for (const q of ["kettle\u0000", "\u0000", "a\u0000b", "x\u0001\u0002\u001fy", "\u007f", '"\u0000"*', "\u0000 AND \u0000"]) {
      const r = await api(`/api/sites/site_n5/search?q=${encodeURIComponent(q)}`, { cookie });
      expect(r.status, JSON.stringify(q)).toBeLessThan(500);
      expect([200, 422]).toContain(r.status);
    }
  });

  it("takes shop API ids containing % once decoded, and refuses malformed escapes with a coded 400", async () => {
    const put = await v1("/customers/50%25%20off", { method: "PUT", json: { name: "Half" } });
    expect(put.status).toBe(201);
    expect(((await put.json()) as { customer: { externalId: string } }).customer.externalId).toBe("50% off");
    expect((await v1("/customers/50%25%20off")).status).toBe(200);
    expect((await v1("/orders/a%25b")).status).toBe(404);
    for (const path of ["/customers/%ff", "/customers/%E0%A4%A", "/customers/%ED%A0%80", "/orders/%c3%28"]) {
      const r = await v1(path);
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    }
  });

  it("stores lone surrogates in REST strings as U+FFFD and answers with what it stored", async () => {
    const body = '{"shortcut":"hi","body":"half an emoji: \\ud83d!","personal":true}';
    const r = await api("/api/sites/site_n5/saved-replies", {
      method: "POST",
      cookie,
      body,
      headers: { "content-type": "application/json" },
    });
    expect(r.status).toBe(201);
    const answer = await r.text();
    expect(answer).not.toMatch(/\\ud83d/i); // JSON.stringify would escape a lone surrogate it was given
    const acked = (JSON.parse(answer) as SavedReply).body;
    expect(acked).toBe("half an emoji: \ufffd!");
    const stored = await env.DB.prepare("SELECT body FROM saved_replies WHERE site_id = 'site_n5' AND shortcut = 'hi'").first<string>(
      "body",
    );
    expect(stored).toBe(acked);
  });
});
