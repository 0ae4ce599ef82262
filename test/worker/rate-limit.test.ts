// The public writes anyone can make without an account are limited (the Rate Limiting binding,
// enforced locally too): new anonymous visitors per site and client address, through the chat
// session and the first beacon alike, and beacons per visitor. Known visitors keep working, and
// other addresses and other sites are not affected.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody, VisitorSessionResponse } from "../../protocol";
import { ORIGIN, seedSite } from "./helpers";
import { SHOP, track } from "./tracking-helpers";

beforeAll(async () => {
  await seedSite({ id: "site_rl", key: "pk_rl" }, [{ id: "op_rl", email: "o@rl.test", name: "O", role: "owner" }]);
  await seedSite({ id: "site_rl2", key: "pk_rl2" }, [{ id: "op_rl2", email: "o@rl2.test", name: "O", role: "owner" }]);
});

const session = (siteKey: string, ip: string, token?: string) =>
  exports.default.fetch(
    new Request(`${ORIGIN}/api/widget/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN, "CF-Connecting-IP": ip },
      body: JSON.stringify({ siteKey, token }),
    }),
  );
const beacon = (body: object, ip: string) =>
  exports.default.fetch(
    new Request(`${ORIGIN}/api/track`, {
      method: "POST",
      headers: { "content-type": "text/plain", "CF-Connecting-IP": ip },
      body: JSON.stringify(body),
    }),
  );

describe("rate limits", () => {
  it("refuses a flood of new visitors from one address with a coded 429, and only that", async () => {
    const ip = "203.0.113.7";
    const first = (await (await session("pk_rl", ip)).json()) as VisitorSessionResponse;
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await session("pk_rl", ip)).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 200).length).toBeLessThan(40);

    const refused = await session("pk_rl", ip);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("rate_limited");
    // The first beacon of a new visitor counts against the same limit, and is answered with CORS.
    const b = await beacon({ k: "pk_rl", e: "view", u: `${SHOP}/` }, ip);
    expect(b.status).toBe(429);
    expect(b.headers.get("access-control-allow-origin")).toBe("*");

    // A visitor the server already knows is not new: their session resumes.
    expect((await session("pk_rl", ip, first.token)).status).toBe(200);
    // Another address, and the same address on another shop, are unaffected.
    expect((await session("pk_rl", "198.51.100.20")).status).toBe(200);
    expect((await session("pk_rl2", ip)).status).toBe(200);
  });

  it("limits beacons per visitor, not per page load", async () => {
    const t = (await track({ k: "pk_rl", e: "view", u: `${SHOP}/` })).t!;
    const statuses: number[] = [];
    for (let i = 0; i < 140; i++) statuses.push((await beacon({ k: "pk_rl", t, e: "ping", u: `${SHOP}/`, ms: 1000 }, "192.0.2.5")).status);
    expect(statuses.slice(0, 100).every((s) => s === 200)).toBe(true);
    expect(statuses).toContain(429);
    // Someone else on the same shop carries on.
    expect((await track({ k: "pk_rl", e: "view", u: `${SHOP}/other` })).t).toBeTruthy();
  }, 30_000);

  it("limits conversations started per site and address with a coded 429, and nothing else", async () => {
    const start = async (ip: string, siteKey = "pk_rl") => {
      // New visitors come from local requests here (not limited), the conversations from `ip`.
      const { token } = (await (await session(siteKey, "127.0.0.1")).json()) as VisitorSessionResponse;
      return exports.default.fetch(
        new Request(`${ORIGIN}/api/widget/conversations`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, origin: ORIGIN, "CF-Connecting-IP": ip },
        }),
      );
    };
    const ip = "203.0.113.99";
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await start(ip)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
    const refused = await start(ip);
    expect(((await refused.json()) as ErrorBody).error.code).toBe("rate_limited");
    expect((await start("198.51.100.99")).status).toBe(200);
    expect((await start(ip, "pk_rl2")).status).toBe(200);
  }, 30_000);
});
