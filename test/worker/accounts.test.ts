// Issue 14 without mail: the setup link (single use, atomic), sign-up and its confirmation link
// (expiring, single use, no pre-registration of someone else's address), new shops (scoped),
// the install check (one write per shop), two-factor sign-in (TOTP skew, replay, recovery codes,
// a shop that requires it), and profile security (password, email, sessions).
import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { CreateSiteResponse, InstallStatusResponse, MeResponse, SessionsResponse, TwoFactorEnrolResponse } from "../../protocol";
import { devMailbox } from "../../worker/accounts/account-mail";
import { hotp, TOTP_STEP_SECONDS, totpStep } from "../../worker/accounts/totp";
import { unpackBase32 } from "../../worker/email/base32";
import { signToken } from "../../worker/lib/tokens";
import { signUp } from "../../worker/services/accounts";
import { api, login, mustOpen, ORIGIN, PASSWORD, seedSite } from "./helpers";

const SETUP_TOKEN = `gst_${"t".repeat(43)}`;
const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
const cookieOf = (r: Response) => (r.headers.get("set-cookie") ?? "").split(";")[0]!;
const codeOf = async (r: Response) => ((await r.clone().json()) as { error?: { code: string } }).error?.code;

async function totpCode(secret: string, atMs: number): Promise<string> {
  return hotp(Uint8Array.from(unpackBase32(secret, 8)!), totpStep(atMs));
}

beforeAll(async () => {
  await seedSite({ id: "site_acc", key: "pk_acc", name: "Acc Shop" }, [
    { id: "op_acc_owner", email: "owner@acc.test", name: "Olga", role: "owner" },
    { id: "op_acc_agent", email: "agent@acc.test", name: "Aleks", role: "agent" },
  ]);
  await seedSite({ id: "site_other", key: "pk_other", name: "Other Shop" }, [
    { id: "op_other_owner", email: "owner@other.test", name: "Oskar", role: "owner" },
  ]);
});

describe("the setup link", () => {
  const body = { token: SETUP_TOKEN, email: "first@owner.test", name: "First Owner", password: "first-owner-pass", siteName: "Firsts" };

  it("refuses a wrong token, and an email that has an account without spending the token", async () => {
    const wrong = await api("/api/auth/setup", { method: "POST", json: { ...body, token: `gst_${"x".repeat(43)}` } });
    expect(wrong.status).toBe(410);
    expect(await codeOf(wrong)).toBe("bad_token");
    const taken = await api("/api/auth/setup", { method: "POST", json: { ...body, email: "owner@acc.test" } });
    expect(taken.status).toBe(409);
    expect(await json(await api(`/api/auth/setup?token=${SETUP_TOKEN}`))).toEqual({ usable: true });
    const bad = await api("/api/auth/setup", { method: "POST", json: { ...body, password: "short" } });
    expect(bad.status).toBe(422);
  });

  it("creates one owner and one shop once, even for parallel requests", async () => {
    const results = await Promise.all(
      [0, 1, 2].map((i) => api("/api/auth/setup", { method: "POST", json: { ...body, email: `first${i}@owner.test` } })),
    );
    const created = results.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    expect(results.filter((r) => r.status === 410)).toHaveLength(2);
    const me = await json<MeResponse>(created[0]!);
    expect(me.sites).toEqual([expect.objectContaining({ name: "Firsts", role: "owner" })]);
    expect(me.twoFactor).toEqual({ enabled: false, requiredBy: [] });
    // The cookie works; the link is spent.
    expect((await api("/api/me", { cookie: cookieOf(created[0]!) })).status).toBe(200);
    expect(await json(await api(`/api/auth/setup?token=${SETUP_TOKEN}`))).toEqual({ usable: false });
    const again = await api("/api/auth/setup", { method: "POST", json: { ...body, email: "late@owner.test" } });
    expect(await codeOf(again)).toBe("bad_token");
    const owners = await env.DB.prepare("SELECT COUNT(*) AS n FROM operators WHERE email LIKE 'first%@owner.test'").first<number>("n");
    expect(owners).toBe(1);
  });

  it("is refused cross-site (CSRF)", async () => {
    const r = await api("/api/auth/setup", { method: "POST", json: body, headers: { origin: "https://evil.test" } });
    expect(r.status).toBe(403);
  });
});

describe("sign-up", () => {
  const lastLink = () => {
    const mail = devMailbox.at(-1);
    if (!mail || !("link" in mail)) throw new Error("no link mailed");
    return decodeURIComponent(mail.link.split("token=")[1]!);
  };

  it("validates, is closed when SIGNUP is invite, and answers the same for a taken email", async () => {
    const bad = await api("/api/auth/signup", { method: "POST", json: { email: "not-an-email", name: "X", password: "long-enough-1" } });
    expect(bad.status).toBe(422);
    expect(await codeOf(bad)).toBe("validation_failed");
    await expect(
      signUp(
        { ...env, SIGNUP: "invite" } as never,
        { email: "a@b.test", name: "A", password: "long-enough-1" },
        { address: null, adminUrl: `${ORIGIN}/admin/` },
      ),
    ).rejects.toMatchObject({
      code: "signup_closed",
    });
    expect(await json(await api("/api/auth/signup"))).toEqual({ signup: "open", devMail: "/api/dev/mail" });
    const taken = await api("/api/auth/signup", {
      method: "POST",
      json: { email: "owner@acc.test", name: "Someone", password: "attacker-pass-1" },
    });
    expect(taken.status).toBe(202);
    expect(await json(taken)).toEqual({ status: "confirmation_sent" });
    // The address's owner is told, with a sign-in link; no sign-up waits for that address.
    expect(devMailbox.at(-1)).toMatchObject({ kind: "signup_existing", to: "owner@acc.test" });
    expect(await env.DB.prepare("SELECT 1 FROM account_tokens WHERE email = 'owner@acc.test'").first()).toBeNull();
  });

  it("makes the account only from the opened link, with that sign-up's password; the link works once", async () => {
    // Someone else pre-registers the address with their own password; the owner of the address signs up too.
    await api("/api/auth/signup", { method: "POST", json: { email: "new@shop.test", name: "Mallory", password: "mallory-pass-1" } });
    const mallorysLink = lastLink();
    await api("/api/auth/signup", { method: "POST", json: { email: "new@shop.test", name: "Nina", password: "ninas-own-pass" } });
    const ninasLink = lastLink();
    expect(await env.DB.prepare("SELECT 1 FROM operators WHERE email = 'new@shop.test'").first()).toBeNull();

    const confirmed = await api("/api/auth/confirm", { method: "POST", json: { token: ninasLink } });
    expect(confirmed.status).toBe(200);
    const me = await json<MeResponse>(confirmed);
    expect(me.operator).toMatchObject({ email: "new@shop.test", name: "Nina" });
    expect(me.sites).toEqual([]);
    await login("new@shop.test", "ninas-own-pass");
    await expect(login("new@shop.test", "mallory-pass-1")).rejects.toThrow(/401/);

    // Reused, or the other pending sign-up of the same address: spent.
    for (const token of [ninasLink, mallorysLink]) {
      const r = await api("/api/auth/confirm", { method: "POST", json: { token } });
      expect([410, 409]).toContain(r.status);
    }
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token: ninasLink } }))).toBe("bad_token");
  });

  it("links to the admin the request came from (Pages: /, the Worker: /admin/), never to another site", async () => {
    const send = (referer?: string) =>
      api("/api/auth/signup", {
        method: "POST",
        headers: referer ? { referer } : {},
        json: { email: "where@shop.test", name: "W", password: "where-pass-12" },
      });
    await send(`${ORIGIN}/`);
    expect((devMailbox.at(-1) as { link: string }).link).toMatch(new RegExp(`^${ORIGIN}/#/confirm\\?token=`));
    await send("https://evil.test/admin/");
    expect((devMailbox.at(-1) as { link: string }).link).toMatch(new RegExp(`^${ORIGIN}/admin/#/confirm\\?token=`));
  });

  it("refuses an expired, forged or wrong-kind link", async () => {
    await api("/api/auth/signup", { method: "POST", json: { email: "late@shop.test", name: "Late", password: "late-pass-123" } });
    const link = lastLink();
    const [, , id, nonce] = link.split(".");
    const expired = await signToken(env.TOKEN_SECRET, "confirm", { operatorId: id!, nonce: nonce! }, Date.now() - 3 * 86_400_000);
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token: expired.token } }))).toBe("bad_token");
    const otherNonce = await signToken(env.TOKEN_SECRET, "confirm", { operatorId: id!, nonce: "another_nonce_1234" });
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token: otherNonce.token } }))).toBe("bad_token");
    const wrongKind = await signToken(env.TOKEN_SECRET, "reset", { operatorId: id!, nonce: nonce! });
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token: wrongKind.token } }))).toBe("bad_token");
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token: `${link.slice(0, -2)}xx` } }))).toBe("bad_token");
    // The row expired in D1 too (the signed expiry and the stored one agree).
    await env.DB.prepare("UPDATE account_tokens SET expires_at = 1 WHERE id = ?").bind(id).run();
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token: link } }))).toBe("bad_token");
  });

  it("is rate limited per email and per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await api("/api/auth/signup", { method: "POST", json: { email: "flood@shop.test", name: "F", password: "flood-pass-12" } }))
          .status,
      );
    }
    expect(statuses.slice(0, 3)).toEqual([202, 202, 202]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    const headers = { "cf-connecting-ip": "203.0.113.9" };
    const fromOne: number[] = [];
    for (let i = 0; i < 22; i++) {
      fromOne.push(
        (
          await api("/api/auth/signup", {
            method: "POST",
            headers,
            json: { email: `f${i}@flood.test`, name: "F", password: "flood-pass-12" },
          })
        ).status,
      );
    }
    expect(fromOne.filter((s) => s === 202)).toHaveLength(20);
    expect(fromOne.at(-1)).toBe(429);
  });
});

describe("more shops", () => {
  it("an owner creates another shop with its allowed domain from the URL; the inbox and install check stay per shop", async () => {
    const owner = await login("owner@acc.test");
    const bad = await api("/api/sites", { method: "POST", cookie: owner, json: { name: "" } });
    expect(bad.status).toBe(422);
    expect((await api("/api/sites", { method: "POST", json: { name: "No cookie" } })).status).toBe(401);
    const r = await api("/api/sites", { method: "POST", cookie: owner, json: { name: "Second", url: "second.example.com/" } });
    expect(r.status).toBe(201);
    const { site } = await json<CreateSiteResponse>(r);
    expect(site).toMatchObject({ name: "Second", role: "owner" });
    expect(site.publicKey).toMatch(/^pk_/);
    const settings = await json<{ allowedOrigins: string[] }>(await api(`/api/sites/${site.id}/settings`, { cookie: owner }));
    expect(settings.allowedOrigins).toEqual(["https://second.example.com"]);
    const me = await json<MeResponse>(await api("/api/me", { cookie: owner }));
    expect(me.sites.map((s) => s.name)).toEqual(["Acc Shop", "Second"]);
    // Another shop's owner cannot see it.
    const other = await login("owner@other.test");
    expect((await api(`/api/sites/${site.id}/install`, { cookie: other })).status).toBe(404);
    expect((await api(`/api/sites/${site.id}/conversations`, { cookie: other })).status).toBe(404);
  });

  it("the shop's name and address: owners and admins only", async () => {
    const agent = await login("agent@acc.test");
    const owner = await login("owner@acc.test");
    expect((await api("/api/sites/site_acc/profile", { method: "PATCH", cookie: agent, json: { name: "Mine" } })).status).toBe(403);
    const r = await api("/api/sites/site_acc/profile", {
      method: "PATCH",
      cookie: owner,
      json: { name: "Acc Shop", url: "https://acc.example" },
    });
    expect(await json(r)).toMatchObject({ name: "Acc Shop", url: "https://acc.example" });
  });
});

describe("the install check", () => {
  const view = (origin: string, key = "pk_acc", u = `${origin}/products/1`) =>
    exports.default.fetch(
      new Request(`${ORIGIN}/api/track`, {
        method: "POST",
        headers: { "content-type": "text/plain", origin },
        body: JSON.stringify({ k: key, e: "view", u }),
      }),
    );

  it("turns green with the first page view from the shop's domain, once; Gadka's own pages and refused domains do not count", async () => {
    const owner = await login("owner@acc.test");
    const status = async () => json<InstallStatusResponse>(await api("/api/sites/site_acc/install", { cookie: owner }));
    expect((await status()).installed).toBeNull();
    await api("/api/sites/site_acc/settings", { method: "PATCH", cookie: owner, json: { allowedOrigins: ["https://acc.example"] } });
    expect((await view("https://elsewhere.example")).status).toBe(403);
    expect((await view(ORIGIN)).status).toBe(200); // Gadka's own origin (the demo shop)
    expect((await status()).installed).toBeNull();

    expect((await view("https://acc.example")).status).toBe(200);
    const first = (await status()).installed;
    expect(first).toMatchObject({ origin: "https://acc.example", url: "https://acc.example/products/1" });
    // Later views change nothing, and cost no statement in this isolate.
    await view("https://acc.example", "pk_acc", "https://acc.example/cart");
    expect((await status()).installed).toEqual(first);
  });
});

describe("allowing localhost for testing", () => {
  it("http://localhost without a port allows every port of localhost, and nothing else", async () => {
    await seedSite({ id: "site_local", key: "pk_local" }, [{ id: "op_local", email: "local@acc.test", name: "L", role: "owner" }]);
    const owner = await login("local@acc.test");
    const saved = await api("/api/sites/site_local/settings", {
      method: "PATCH",
      cookie: owner,
      json: { allowedOrigins: ["https://local.example", "http://localhost"] },
    });
    expect(saved.status).toBe(200);
    const beacon = (origin: string) =>
      exports.default.fetch(
        new Request(`${ORIGIN}/api/track`, {
          method: "POST",
          headers: { "content-type": "text/plain", origin },
          body: JSON.stringify({ k: "pk_local", e: "view", u: `${origin}/` }),
        }),
      );
    expect((await beacon("http://localhost:5173")).status).toBe(200);
    expect((await beacon("http://localhost:8921")).status).toBe(200);
    expect((await beacon("http://127.0.0.1:5173")).status).toBe(403);
    expect((await beacon("https://localhost:5173")).status).toBe(403);
    const page = await exports.default.fetch(new Request(`${ORIGIN}/chat/?site=pk_local`));
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors 'self' https://local.example http://localhost:*");
  });
});

describe("two-factor sign-in", () => {
  let owner: string;
  let secret: string;
  let recovery: string[];

  it("enrols: the secret is not active until a code confirms it; recovery codes are shown once", async () => {
    owner = await login("owner@acc.test");
    const enrol = await json<TwoFactorEnrolResponse>(await api("/api/me/two-factor/enrol", { method: "POST", cookie: owner }));
    expect(enrol.otpauthUri).toContain(`secret=${enrol.secret}`);
    secret = enrol.secret;
    // Not active yet: the password alone still signs in.
    expect(
      (await api("/api/auth/login", { method: "POST", json: { email: "owner@acc.test", password: PASSWORD } })).headers.get("set-cookie"),
    ).toBeTruthy();
    const wrong = await api("/api/me/two-factor/confirm", { method: "POST", cookie: owner, json: { code: "000000" } });
    expect(await codeOf(wrong)).toBe("bad_code");
    const ok = await api("/api/me/two-factor/confirm", {
      method: "POST",
      cookie: owner,
      json: { code: await totpCode(secret, Date.now()) },
    });
    expect(ok.status).toBe(200);
    recovery = (await json<{ recoveryCodes: string[] }>(ok)).recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect((await json<MeResponse>(await api("/api/me", { cookie: owner }))).twoFactor.enabled).toBe(true);
    // Stored sealed and hashed only.
    const row = await env.DB.prepare("SELECT totp_sealed FROM operators WHERE id = 'op_acc_owner'").first<string>("totp_sealed");
    expect(row).not.toContain(secret);
    const again = await api("/api/me/two-factor/enrol", { method: "POST", cookie: owner });
    expect(again.status).toBe(409);
  });

  it("asks for the code after the password; accepts one step of clock skew either way, not two; a code works once", async () => {
    const challenge = async () => {
      const r = await api("/api/auth/login", { method: "POST", json: { email: "owner@acc.test", password: PASSWORD } });
      expect(r.headers.get("set-cookie")).toBeNull();
      return (await json<{ secondStep: { challenge: string } }>(r)).secondStep.challenge;
    };
    const second = (c: string, code: string) => api("/api/auth/login/two-factor", { method: "POST", json: { challenge: c, code } });
    const step = TOTP_STEP_SECONDS * 1000;
    // Two steps behind and ahead are refused.
    expect(await codeOf(await second(await challenge(), await totpCode(secret, Date.now() - 2 * step - 1000)))).toBe("bad_code");
    expect(await codeOf(await second(await challenge(), await totpCode(secret, Date.now() + 2 * step + 1000)))).toBe("bad_code");
    // A phone a step ahead works, and signs in.
    const ahead = await totpCode(secret, Date.now() + step);
    const signedIn = await second(await challenge(), ahead);
    expect(signedIn.status).toBe(200);
    expect(cookieOf(signedIn)).toMatch(/^gadka_session=/);
    // The same code again, or an older one (the current step, below the one used): replayed.
    expect(await codeOf(await second(await challenge(), ahead))).toBe("bad_code");
    expect(await codeOf(await second(await challenge(), await totpCode(secret, Date.now())))).toBe("bad_code");
    // A forged or expired challenge.
    expect(await codeOf(await second("twofactor.1.op_acc_owner.x.sig", ahead))).toBe("bad_token");
    const old = await signToken(env.TOKEN_SECRET, "twofactor", { operatorId: "op_acc_owner", nonce: "n1" }, Date.now() - 10 * 60_000);
    expect(await codeOf(await second(old.token, ahead))).toBe("bad_token");
  });

  it("a recovery code signs in once", async () => {
    const c1 = (
      await json<{ secondStep: { challenge: string } }>(
        await api("/api/auth/login", { method: "POST", json: { email: "owner@acc.test", password: PASSWORD } }),
      )
    ).secondStep.challenge;
    const code = recovery[0]!.toUpperCase().replace("-", " ");
    expect((await api("/api/auth/login/two-factor", { method: "POST", json: { challenge: c1, code } })).status).toBe(200);
    expect(await codeOf(await api("/api/auth/login/two-factor", { method: "POST", json: { challenge: c1, code } }))).toBe("bad_code");
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM recovery_codes WHERE operator_id = 'op_acc_owner'").first<number>("n");
    expect(left).toBe(9);
  });

  it("limits wrong codes per account", async () => {
    await env.DB.prepare("DELETE FROM login_failures WHERE key LIKE '2fa:%'").run();
    const c = (
      await json<{ secondStep: { challenge: string } }>(
        await api("/api/auth/login", { method: "POST", json: { email: "owner@acc.test", password: PASSWORD } }),
      )
    ).secondStep.challenge;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push((await api("/api/auth/login/two-factor", { method: "POST", json: { challenge: c, code: "123456" } })).status);
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    await env.DB.prepare("DELETE FROM login_failures WHERE key LIKE '2fa:%'").run();
  });

  it("an owner requires it for the shop: a member without it loses the shop until they enrol", async () => {
    const agent = await login("agent@acc.test");
    expect((await api("/api/sites/site_acc/security", { method: "PUT", cookie: agent, json: { requireTwoFactor: true } })).status).toBe(
      403,
    );
    // The owner's existing session (signed in before two-factor) is still theirs.
    const put = await api("/api/sites/site_acc/security", { method: "PUT", cookie: owner, json: { requireTwoFactor: true } });
    expect(await json(put)).toEqual({ requireTwoFactor: true });
    const agentMe = await json<MeResponse>(await api("/api/me", { cookie: agent }));
    expect(agentMe.sites.map((s) => s.id)).not.toContain("site_acc");
    expect(agentMe.twoFactor.requiredBy).toEqual(["Acc Shop"]);
    expect((await api("/api/sites/site_acc/conversations", { cookie: agent })).status).toBe(404);
    // Enrolling gives it back.
    const enrol = await json<TwoFactorEnrolResponse>(await api("/api/me/two-factor/enrol", { method: "POST", cookie: agent }));
    await api("/api/me/two-factor/confirm", { method: "POST", cookie: agent, json: { code: await totpCode(enrol.secret, Date.now()) } });
    expect((await api("/api/sites/site_acc/conversations", { cookie: agent })).status).toBe(200);
    await api("/api/sites/site_acc/security", { method: "PUT", cookie: owner, json: { requireTwoFactor: false } });
  });

  it("turns off with the password and a code", async () => {
    const noPassword = await api("/api/me/two-factor/disable", {
      method: "POST",
      cookie: owner,
      json: { password: "wrong", code: recovery[1] },
    });
    expect(noPassword.status).toBe(401);
    const off = await api("/api/me/two-factor/disable", { method: "POST", cookie: owner, json: { password: PASSWORD, code: recovery[1] } });
    expect(off.status).toBe(200);
    expect((await json<MeResponse>(off)).twoFactor.enabled).toBe(false);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM recovery_codes WHERE operator_id = 'op_acc_owner'").first<number>("n")).toBe(0);
    expect(
      (await api("/api/auth/login", { method: "POST", json: { email: "owner@acc.test", password: PASSWORD } })).headers.get("set-cookie"),
    ).toBeTruthy();
  });
});

describe("profile security", () => {
  it("lists sessions; sign out everywhere else ends the others", async () => {
    const a = await login("owner@other.test");
    const b = await login("owner@other.test");
    const list = await json<SessionsResponse>(await api("/api/me/sessions", { cookie: a }));
    expect(list.sessions.length).toBeGreaterThanOrEqual(2);
    expect(list.sessions.filter((s) => s.current)).toHaveLength(1);
    const ended = await json<{ ended: number }>(await api("/api/me/sessions", { method: "DELETE", cookie: a }));
    expect(ended.ended).toBeGreaterThanOrEqual(1);
    expect((await api("/api/me", { cookie: b })).status).toBe(401);
    expect((await api("/api/me", { cookie: a })).status).toBe(200);
  });

  it("sign out everywhere else closes the other sessions' dashboard sockets (4401), not this one's", async () => {
    await seedSite({ id: "site_sock", key: "pk_sock" }, [{ id: "op_sock", email: "sock@acc.test", name: "S", role: "owner" }]);
    const here = await login("sock@acc.test");
    const there = await login("sock@acc.test");
    const mine = await mustOpen("/ws/sites/site_sock/inbox", { cookie: here });
    await mine.next("inbox.snapshot");
    const other = await mustOpen("/ws/sites/site_sock/inbox", { cookie: there });
    await other.next("inbox.snapshot");
    await api("/api/me/sessions", { method: "DELETE", cookie: here });
    for (let i = 0; i < 80 && !other.closed; i++) await new Promise((r) => setTimeout(r, 25));
    expect(other.closed?.code).toBe(4401);
    expect(mine.closed).toBeNull();
    mine.close();
  });

  it("limits wrong current passwords per account", async () => {
    await seedSite({ id: "site_pw", key: "pk_pw" }, [{ id: "op_pw", email: "pw@acc.test", name: "P", role: "owner" }]);
    const a = await login("pw@acc.test");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await api("/api/me/password", { method: "POST", cookie: a, json: { currentPassword: "guess", newPassword: "whatever-123" } }))
          .status,
      );
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);
    // Even the right password waits out the window.
    const right = await api("/api/me/password", {
      method: "POST",
      cookie: a,
      json: { currentPassword: PASSWORD, newPassword: "whatever-123" },
    });
    expect(right.status).toBe(429);
  });

  it("a new password needs the current one and ends every other session", async () => {
    const a = await login("owner@other.test");
    const b = await login("owner@other.test");
    const wrong = await api("/api/me/password", {
      method: "POST",
      cookie: a,
      json: { currentPassword: "nope", newPassword: "brand-new-pass" },
    });
    expect(wrong.status).toBe(401);
    expect(
      (await api("/api/me/password", { method: "POST", cookie: a, json: { currentPassword: PASSWORD, newPassword: "brand-new-pass" } }))
        .status,
    ).toBe(204);
    expect((await api("/api/me", { cookie: b })).status).toBe(401);
    expect((await api("/api/me", { cookie: a })).status).toBe(200);
    await login("owner@other.test", "brand-new-pass");
    await expect(login("owner@other.test")).rejects.toThrow(/401/);
  });

  it("a new email becomes the account's when its link is opened, once; a taken one is refused", async () => {
    const a = await login("owner@other.test", "brand-new-pass");
    const r = await api("/api/me/email", { method: "POST", cookie: a, json: { password: "brand-new-pass", email: "oskar@new.test" } });
    expect(r.status).toBe(202);
    const mail = devMailbox.at(-1)!;
    expect(mail).toMatchObject({ kind: "email_change_confirm", to: "oskar@new.test" });
    const token = decodeURIComponent((mail as { link: string }).link.split("token=")[1]!);
    expect(await json(await api("/api/auth/confirm", { method: "POST", json: { token } }))).toEqual({ emailChanged: true });
    await login("oskar@new.test", "brand-new-pass");
    expect(await codeOf(await api("/api/auth/confirm", { method: "POST", json: { token } }))).toBe("bad_token");

    await api("/api/me/email", { method: "POST", cookie: a, json: { password: "brand-new-pass", email: "owner@acc.test" } });
    const taken = decodeURIComponent((devMailbox.at(-1) as { link: string }).link.split("token=")[1]!);
    expect((await api("/api/auth/confirm", { method: "POST", json: { token: taken } })).status).toBe(409);
  });
});
