// Avatars: an operator's own photo only (PUT /api/me/avatar; no site changes another person's
// photo), images only, within the size limit even when the body is chunked without a length,
// served back byte for byte with long caching; a replaced photo is deleted from R2.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_AVATAR_BYTES, type OwnProfileResponse } from "../../protocol";
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

const upload = (cookie: string, body: BodyInit, type = "image/png") =>
  api("/api/me/avatar", { method: "PUT", cookie, body, headers: { "content-type": type } });

/** A body streamed in chunks, with no Content-Length; counts how much the server pulled. */
function chunked(chunks: number, size: number) {
  const pulled = { bytes: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ === chunks) return controller.close();
      pulled.bytes += size;
      controller.enqueue(new Uint8Array(size));
    },
  });
  return { stream, pulled };
}

describe("avatars", () => {
  it("stores the operator's own image and serves it back with long caching", async () => {
    const r = await upload(agent, png);
    expect(r.status).toBe(200);
    const { operator } = (await r.json()) as OwnProfileResponse;
    expect(operator.id).toBe("op_av_agent");
    const avatarUrl = operator.avatarUrl!;
    expect(avatarUrl).toMatch(/^\/api\/files\/avatars\/[A-Za-z0-9_-]+\.png$/);
    const served = await api(avatarUrl);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png);
    const row = await env.DB.prepare("SELECT avatar_url FROM operators WHERE id = 'op_av_agent'").first<string>("avatar_url");
    expect(row).toBe(avatarUrl);
  });

  it("deletes the photo it replaces from R2", async () => {
    const first = ((await (await upload(owner, png)).json()) as OwnProfileResponse).operator.avatarUrl!;
    const second = ((await (await upload(owner, png, "image/webp")).json()) as OwnProfileResponse).operator.avatarUrl!;
    expect(second).not.toBe(first);
    expect(await env.FILES.get(first.replace("/api/files/", ""))).toBeNull();
    expect(await env.FILES.get(second.replace("/api/files/", ""))).not.toBeNull();
    expect((await api(first)).status).toBe(404);
    // Clearing the photo deletes it too.
    const cleared = await api("/api/me", { method: "PATCH", cookie: owner, json: { avatarUrl: null } });
    expect(((await cleared.json()) as OwnProfileResponse).operator.avatarUrl).toBeNull();
    expect(await env.FILES.get(second.replace("/api/files/", ""))).toBeNull();
  });

  it("refuses other types, empty and oversized files, and any site's route to a colleague's photo", async () => {
    expect((await upload(agent, "<svg onload=alert(1)>", "image/svg+xml")).status).toBe(415);
    expect((await upload(agent, new Uint8Array(0))).status).toBe(400);
    expect((await upload(agent, new Uint8Array(MAX_AVATAR_BYTES + 1))).status).toBe(413);
    const before = await env.DB.prepare("SELECT avatar_url FROM operators WHERE id = 'op_av_agent'").first<string>("avatar_url");
    // The old per-site upload for someone else is gone: an owner cannot replace a colleague's photo.
    const colleague = await api("/api/sites/site_av/operators/op_av_agent/avatar", {
      method: "PUT",
      cookie: owner,
      body: png,
      headers: { "content-type": "image/png" },
    });
    expect(colleague.status).toBe(404);
    expect(await env.DB.prepare("SELECT avatar_url FROM operators WHERE id = 'op_av_agent'").first<string>("avatar_url")).toBe(before);
    expect((await upload("gadka_session=forged", png)).status).toBe(401);
    expect((await api("/api/files/avatars/../secrets")).status).toBe(404);
  });

  it("cuts off a chunked upload without Content-Length at the limit, without reading the rest", async () => {
    const { stream, pulled } = chunked(64, 64 * 1024); // 4 MiB offered, 512 KiB allowed
    const r = await api("/api/me/avatar", {
      method: "PUT",
      cookie: agent,
      body: stream,
      headers: { "content-type": "image/png" },
      duplex: "half",
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("too_large");
    expect(pulled.bytes).toBeLessThan(2 * MAX_AVATAR_BYTES);
  });
});
