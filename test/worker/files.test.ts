// Avatar upload to R2: only images, only within the size limit, only your own (or as a manager),
// served back byte for byte with long caching.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_AVATAR_BYTES } from "../../protocol";
import { api, login, seedSite } from "./helpers";

let owner: string;
let agent: string;
const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

beforeAll(async () => {
  await seedSite({ id: "site_av", key: "pk_av" }, [
    { id: "op_av_owner", email: "owner@av.test", name: "Ola", role: "owner" },
    { id: "op_av_agent", email: "agent@av.test", name: "Adam", role: "agent" },
  ]);
  [owner, agent] = await Promise.all([login("owner@av.test"), login("agent@av.test")]);
});

const upload = (cookie: string, operatorId: string, body: BodyInit, type = "image/png") =>
  api(`/api/sites/site_av/operators/${operatorId}/avatar`, { method: "PUT", cookie, body, headers: { "content-type": type } });

describe("avatars", () => {
  it("stores an uploaded image and serves it back with long caching", async () => {
    const r = await upload(agent, "op_av_agent", png);
    expect(r.status).toBe(200);
    const { avatarUrl } = (await r.json()) as { avatarUrl: string };
    expect(avatarUrl).toMatch(/^\/api\/files\/avatars\/[A-Za-z0-9_-]+\.png$/);
    const served = await api(avatarUrl);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    const row = await env.DB.prepare("SELECT avatar_url FROM operators WHERE id = 'op_av_agent'").first<string>("avatar_url");
    expect(row).toBe(avatarUrl);
  });

  it("refuses other types, empty and oversized files, and agents changing colleagues", async () => {
    expect((await upload(agent, "op_av_agent", "<svg onload=alert(1)>", "image/svg+xml")).status).toBe(415);
    expect((await upload(agent, "op_av_agent", new Uint8Array(0))).status).toBe(400);
    expect((await upload(agent, "op_av_agent", new Uint8Array(MAX_AVATAR_BYTES + 1))).status).toBe(413);
    expect((await upload(agent, "op_av_owner", png)).status).toBe(403);
    expect((await upload(owner, "op_av_agent", png)).status).toBe(200);
    expect((await upload(owner, "op_nobody", png)).status).toBe(404);
    expect((await api("/api/files/avatars/../secrets")).status).toBe(404);
  });
});
