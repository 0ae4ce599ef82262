// Operator sign-in: success, wrong password, unknown email, throttling, sessions, CSRF.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { LOGIN_MAX_FAILURES } from "../../protocol";
import { api, login, PASSWORD, seedSite } from "./helpers";

beforeAll(async () => {
  await seedSite({ id: "site_a", key: "pk_a", name: "Shop A" }, [
    { id: "op_ola", email: "ola@a.test", name: "Ola", role: "owner" },
    { id: "op_throttled", email: "slow@a.test", name: "Slow", role: "agent" },
  ]);
});

describe("login", () => {
  it("signs in with the right password and sets an HttpOnly SameSite cookie", async () => {
    const r = await api("/api/auth/login", { method: "POST", json: { email: "OLA@a.test ", password: PASSWORD } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { operator: { id: string; email: string }; sites: { id: string; role: string }[] };
    expect(body.operator).toMatchObject({ id: "op_ola", email: "ola@a.test" });
    expect(body.operator).not.toHaveProperty("passwordHash");
    expect(body.sites).toEqual([{ id: "site_a", name: "Shop A", publicKey: "pk_a", role: "owner" }]);
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^gadka_session=[A-Za-z0-9_-]{40,};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i); // the test origin is https
    // Only a hash of the token is stored.
    const token = cookie.split(";")[0]!.split("=")[1]!;
    const stored = await env.DB.prepare("SELECT token_hash FROM sessions WHERE operator_id = 'op_ola'").all<{ token_hash: string }>();
    expect(stored.results.map((s) => s.token_hash)).not.toContain(token);
  });

  it("refuses a wrong password and an unknown email with the same coded error", async () => {
    for (const json of [
      { email: "ola@a.test", password: "wrong-password" },
      { email: "nobody@a.test", password: PASSWORD },
    ]) {
      const r = await api("/api/auth/login", { method: "POST", json });
      expect(r.status).toBe(401);
      expect(await r.json()).toEqual({ error: { code: "bad_credentials", message: expect.any(String) } });
      expect(r.headers.get("set-cookie")).toBeNull();
    }
  });

  it("throttles an email after repeated failures, even for the right password", async () => {
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++) {
      const r = await api("/api/auth/login", { method: "POST", json: { email: "slow@a.test", password: `nope-${i}` } });
      expect(r.status).toBe(401);
    }
    const blocked = await api("/api/auth/login", { method: "POST", json: { email: "slow@a.test", password: PASSWORD } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await blocked.json()) as { error: { code: string } }).error.code).toBe("too_many_attempts");
    // Another operator is not affected.
    expect((await api("/api/auth/login", { method: "POST", json: { email: "ola@a.test", password: PASSWORD } })).status).toBe(200);
  });

  it("answers malformed bodies with coded errors", async () => {
    const notJson = await api("/api/auth/login", { method: "POST", body: "{nope", headers: { "content-type": "application/json" } });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: { code: string } }).error.code).toBe("bad_json");
    const wrongTypes = await api("/api/auth/login", { method: "POST", json: { email: 42, password: [] } });
    expect(wrongTypes.status).toBe(422);
    expect(((await wrongTypes.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    const huge = await api("/api/auth/login", { method: "POST", json: { email: "a@b.c", password: "x".repeat(20_000) } });
    expect(huge.status).toBe(413);
  });

  it("refuses a cross-site login (CSRF)", async () => {
    const r = await api("/api/auth/login", {
      method: "POST",
      json: { email: "ola@a.test", password: PASSWORD },
      headers: { origin: "https://evil.example" },
    });
    expect(r.status).toBe(403);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("bad_origin");
  });
});

describe("session", () => {
  it("knows the operator until logout, then not", async () => {
    const cookie = await login("ola@a.test");
    const me = await api("/api/me", { cookie });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { operator: { name: string } }).operator.name).toBe("Ola");

    expect((await api("/api/auth/logout", { method: "POST", cookie, headers: { origin: "https://evil.example" } })).status).toBe(403);
    expect((await api("/api/auth/logout", { method: "POST", cookie })).status).toBe(204);
    const after = await api("/api/me", { cookie });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
  });

  it("refuses forged and expired sessions", async () => {
    expect((await api("/api/me", { cookie: "gadka_session=forged" })).status).toBe(401);
    const cookie = await login("ola@a.test");
    await env.DB.prepare("UPDATE sessions SET expires_at = 0").run();
    expect((await api("/api/me", { cookie })).status).toBe(401);
  });

  it("answers unknown routes with a coded 404", async () => {
    const r = await api("/api/nothing-here");
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });
});
