// Defect 7 (Worker side): the shop's stored allowed origins are enforced for the widget. The
// settings API reads and writes them; the beacon and the chat session refuse other origins
// (an empty list allows any); the chat page (served through the Worker) may be framed only by
// them, and runs only scripts from Gadka's own origin.
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { SiteSettingsResponse } from "../../protocol";
import { api, login, ORIGIN, seedSite } from "./helpers";
import { SHOP } from "./tracking-helpers";

let owner: string;
let agent: string;

beforeAll(async () => {
  await seedSite({ id: "site_ao", key: "pk_ao" }, [
    { id: "op_ao", email: "o@ao.test", name: "O", role: "owner" },
    { id: "op_ao_agent", email: "a@ao.test", name: "A", role: "agent" },
  ]);
  [owner, agent] = await Promise.all([login("o@ao.test"), login("a@ao.test")]);
});

const settings = (json: object, cookie = owner) => api("/api/sites/site_ao/settings", { method: "PATCH", cookie, json });
const beacon = (origin: string | null) =>
  exports.default.fetch(
    new Request(`${ORIGIN}/api/track`, {
      method: "POST",
      headers: { "content-type": "text/plain", ...(origin ? { origin } : {}) },
      body: JSON.stringify({ k: "pk_ao", e: "view", u: `${SHOP}/` }),
    }),
  );
const session = (origin: string) => api("/api/widget/session", { method: "POST", json: { siteKey: "pk_ao" }, headers: { origin } });
const chatPage = (key: string) => exports.default.fetch(new Request(`${ORIGIN}/chat/?site=${key}&host=x`));

describe("allowed origins", () => {
  it("are read and written by the settings API (owners and admins), normalised and checked", async () => {
    expect(((await (await api("/api/sites/site_ao/settings", { cookie: agent })).json()) as SiteSettingsResponse).allowedOrigins).toEqual(
      [],
    );
    const r = await settings({ allowedOrigins: ["https://Shop.Example", "https://shop.example", "http://localhost:8080"] });
    expect(r.status).toBe(200);
    expect(((await r.json()) as SiteSettingsResponse).allowedOrigins).toEqual(["https://shop.example", "http://localhost:8080"]);
    for (const bad of [["https://shop.example/path"], ["http://shop.example"], ["javascript:alert(1)"], ["*"]]) {
      expect((await settings({ allowedOrigins: bad })).status, bad[0]).toBe(422);
    }
    expect((await settings({ allowedOrigins: [] }, agent)).status).toBe(403);
  });

  it("refuse the beacon and the chat session from other origins, with a coded 403", async () => {
    await settings({ allowedOrigins: [SHOP] });
    expect((await beacon(SHOP)).status).toBe(200);
    const refused = await beacon("https://evil.example");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("bad_origin");
    // The chat iframe calls from Gadka's own origin; a page elsewhere may not.
    expect((await session(ORIGIN)).status).toBe(200);
    expect((await session("https://evil.example")).status).toBe(403);
    // An empty list allows any origin again.
    await settings({ allowedOrigins: [] });
    expect((await beacon("https://evil.example")).status).toBe(200);
    expect((await session("https://evil.example")).status).toBe(200);
  });

  it("set the chat page's frame-ancestors per site, with a script CSP", async () => {
    await settings({ allowedOrigins: [SHOP, "http://localhost:8080"] });
    const page = await chatPage("pk_ao");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self' https://shop.example http://localhost:8080");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    expect(page.headers.get("cache-control")).toBe("no-store");
    // Any origin when the list is empty; nobody for an unknown site key.
    await settings({ allowedOrigins: [] });
    expect((await chatPage("pk_ao")).headers.get("content-security-policy")).toContain("frame-ancestors *");
    expect((await chatPage("pk_nope")).headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // The page itself is the static chat page (when the build is present) or its 404.
    const asset = await env.ASSETS.fetch(new Request(`${ORIGIN}/chat/`));
    expect(page.status).toBe(asset.status);
  });
});
