// Defect 3: login throttling counted atomically before the password hash, so parallel wrong
// passwords are checked at most up to the limit; a success starts the email's count again.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { LOGIN_MAX_FAILURES } from "../../protocol";
import { api, PASSWORD, seedSite } from "./helpers";

beforeAll(async () => {
  await seedSite({ id: "site_lt", key: "pk_lt" }, [
    { id: "op_lt", email: "target@lt.test", name: "T", role: "owner" },
    { id: "op_lt2", email: "ok@lt.test", name: "O", role: "agent" },
  ]);
});

const attempt = (email: string, password: string) => api("/api/auth/login", { method: "POST", json: { email, password } });

describe("login throttling", () => {
  it(`checks at most ${LOGIN_MAX_FAILURES} of 30 parallel wrong passwords`, async () => {
    const statuses = (await Promise.all(Array.from({ length: 30 }, (_, i) => attempt("target@lt.test", `wrong-${i}`)))).map(
      (r) => r.status,
    );
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(LOGIN_MAX_FAILURES);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30 - LOGIN_MAX_FAILURES);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
    // Now even the right password waits for the window.
    expect((await attempt("target@lt.test", PASSWORD)).status).toBe(429);
  }, 30_000);

  it("starts the email's count again after a successful sign-in", async () => {
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) expect((await attempt("ok@lt.test", `nope-${i}`)).status).toBe(401);
    expect((await attempt("ok@lt.test", PASSWORD)).status).toBe(200);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM login_failures WHERE key = 'email:ok@lt.test'").first("n")).toBe(0);
    for (let i = 0; i < LOGIN_MAX_FAILURES - 1; i++) expect((await attempt("ok@lt.test", `nope-${i}`)).status).toBe(401);
    expect((await attempt("ok@lt.test", PASSWORD)).status).toBe(200);
  }, 30_000);
});
