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
    // 260 beacons in parallel batches: however the limiter's 60 s windows fall, one of at most two
    // windows holds more than the limit of 120 (sent one by one, a window boundary could split them).
    const statuses: number[] = [];
    for (let batch = 0; batch < 13; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => beacon({ k: "pk_rl", t, e: "ping", u: `${SHOP}/`, ms: 1000 }, "192.0.2.5")),
      );
      statuses.push(...answers.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(120);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    expect(statuses).toContain(429);
    // Someone else on the same shop carries on.
    expect((await track({ k: "pk_rl", e: "view", u: `${SHOP}/other` })).t).toBeTruthy();
  }, 30_000);

  it("limits conversations started per site and address with a coded 429, and nothing else", async () => {
    // New visitors come from local requests here (not limited), the conversations from `ip`.
    const visitor = async (siteKey = "pk_rl") => ((await (await session(siteKey, "127.0.0.1")).json()) as VisitorSessionResponse).token;
    const start = (token: string, ip: string) =>
      exports.default.fetch(
        new Request(`${ORIGIN}/api/widget/conversations`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, origin: ORIGIN, "CF-Connecting-IP": ip },
        }),
      );
    const ip = "203.0.113.99";
    const tokens = await Promise.all(Array.from({ length: 24 }, () => visitor()));
    // At once: however the limiter's 60 s windows fall, one of at most two holds more than 10.
    const answers = await Promise.all(tokens.map((t) => start(t, ip)));
    const ok = answers.filter((r) => r.status === 200).length;
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(20);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBe(24 - ok);
    expect(((await refused[0]!.json()) as ErrorBody).error.code).toBe("rate_limited");
    // Another address, and the same address on another shop, are unaffected.
    expect((await start(await visitor(), "198.51.100.99")).status).toBe(200);
    expect((await start(await visitor("pk_rl2"), ip)).status).toBe(200);
  }, 30_000);
});
