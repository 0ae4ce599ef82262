// Issue 14, account email end to end in workerd: every account mail built by the mail module
// (link, language, headers) and logged in account_mail (GET /api/dev/mail), the production path
// through the send_email binding, invitations by email (expired, reused, revoked, replaced,
// wrong account, an existing account accepts explicitly), password reset (expired, reused,
// superseded, every session ended, no enumeration) and the limits (coded 429).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { InvitationPreview, MeResponse, TeamResponse } from "../../protocol";
import { buildAccountMail } from "../../worker/email/templates/account";
import { signToken } from "../../worker/lib/tokens";
import { deliverAccountMail, MAX_ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY } from "../../worker/services/mail";
import { api, login, ORIGIN, PASSWORD, seedSite } from "./helpers";

const json = async <T>(r: Response): Promise<T> => (await r.json()) as T;
const cookieOf = (r: Response) => (r.headers.get("set-cookie") ?? "").split(";")[0]!;
const codeOf = async (r: Response) => ((await r.clone().json()) as { error?: { code: string } }).error?.code;

interface DevMail {
  id: string;
  kind: string;
  to: string;
  subject: string;
  language: string;
  text: string;
  links: string[];
}
async function mailsTo(to: string): Promise<DevMail[]> {
  const r = await api(`/api/dev/mail?to=${encodeURIComponent(to)}`);
  expect(r.status).toBe(200);
  return (await json<{ mails: DevMail[] }>(r)).mails;
}
async function lastMail(to: string): Promise<DevMail> {
  const mail = (await mailsTo(to))[0];
  if (!mail) throw new Error(`no mail to ${to}`);
  return mail;
}
const tokenIn = (link: string) => decodeURIComponent(link.split("token=")[1]!);
/** A distinct client address per test, so the per-address limits of one test do not reach another. */
let ipCounter = 1;
const nextIp = () => ({ "cf-connecting-ip": `198.51.100.${ipCounter++}` });

beforeAll(async () => {
  await seedSite({ id: "site_am", key: "pk_am", name: "Mail <Shop>" }, [
    { id: "op_am_owner", email: "owner@am.test", name: "Olga Owner", role: "owner" },
    { id: "op_am_admin", email: "admin@am.test", name: "Adam", role: "admin" },
    { id: "op_am_agent", email: "agent@am.test", name: "Aleks", role: "agent" },
  ]);
  await seedSite({ id: "site_am2", key: "pk_am2", name: "Second Shop" }, [
    { id: "op_am2_owner", email: "owner@am2.test", name: "Oskar", role: "owner" },
  ]);
});

describe("account mails", () => {
  it("are built by the mail module in the recipient's language, with the link, and no hand-made headers", () => {
    const link = "https://gadka.test/admin/#/invitation?token=invitation.abc.def";
    const fi = buildAccountMail(
      "chat@gadka.example",
      {
        kind: "invitation",
        to: "New@Example.com",
        shopName: "Kauppa <b>",
        inviterName: "Olga\r\nBcc: x@y.z",
        role: "agent",
        link,
        days: 7,
      },
      "fi-FI",
    );
    expect(fi.to).toBe("new@example.com");
    expect(fi.from).toEqual({ name: "Gadka", email: "chat@gadka.example" });
    expect(fi.subject).toBe("Liity kaupan Kauppa <b> tiimiin Gadkassa");
    expect(fi.subject).not.toMatch(/[\r\n]/);
    expect(fi.headers).toEqual({ "Auto-Submitted": "auto-generated", "Content-Language": "fi", "X-Gadka-Kind": "invitation" });
    expect(fi.text).toContain(`Hyväksy kutsu: ${link}`);
    expect(fi.text).toContain("7 päivän ajan");
    expect(fi.text).not.toMatch(/Bcc: x@y\.z\n/);
    expect(fi.html).toContain("Kauppa &#60;b&#62;");
    expect(fi.html).not.toContain("<b>");
    expect(fi.html).toContain('lang="fi"');
    const ru = buildAccountMail("chat@gadka.example", { kind: "signup_confirm", to: "a@b.test", name: "Аня", link, days: 2 }, "ru");
    expect(ru.text).toContain("в течение 2 дней");
    const pl = buildAccountMail("chat@gadka.example", { kind: "password_reset", to: "a@b.test", link }, "pl-PL");
    expect(pl.subject).toBe("Resetowanie hasła w Gadce");
    const de = buildAccountMail("chat@gadka.example", { kind: "password_changed", to: "a@b.test", signInLink: link }, "de");
    expect(de.headers).toMatchObject({ "Content-Language": "en" });
    expect(() =>
      buildAccountMail("chat@gadka.example", { kind: "password_reset", to: "a@b.test", link: "javascript:alert(1)" }, "en"),
    ).toThrow();
  });

  it("go through the send_email binding in production (only the subject is logged), and are limited per address", async () => {
    const sent: EmailMessageBuilder[] = [];
    const production = {
      ...env,
      ENVIRONMENT: "production",
      EMAIL: {
        send: async (m: EmailMessageBuilder) => {
          sent.push(m);
          return { messageId: "<prod-1@gadka.example>" };
        },
      },
    } as never;
    const builder = buildAccountMail(
      "chat@gadka.example",
      { kind: "password_reset", to: "prod@am.test", link: `${ORIGIN}/#/reset?token=x` },
      "en",
    );
    const outcome = await deliverAccountMail(production, { kind: "password_reset", language: "en", builder, now: Date.now() });
    expect(outcome).toMatchObject({ status: "sent", messageId: "<prod-1@gadka.example>" });
    expect(sent).toEqual([builder]);
    const row = await env.DB.prepare("SELECT subject, text, html, message_id FROM account_mail WHERE to_address = 'prod@am.test'").first();
    expect(row).toEqual({ subject: "Reset your Gadka password", text: "", html: "", message_id: "<prod-1@gadka.example>" });
    // The per-address daily cap: one statement counts, nothing is sent past it.
    for (let i = 1; i < MAX_ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY; i++) {
      expect((await deliverAccountMail(production, { kind: "password_reset", language: "en", builder, now: Date.now() })).status).toBe(
        "sent",
      );
    }
    expect((await deliverAccountMail(production, { kind: "password_reset", language: "en", builder, now: Date.now() })).status).toBe(
      "limited",
    );
    expect(sent).toHaveLength(MAX_ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY);
  });

  it("sign-up mails the confirmation in the request's language; the dev log's link confirms the account", async () => {
    const r = await api("/api/auth/signup", {
      method: "POST",
      json: { email: "newbie@am.test", name: "Niina", password: "newbie-password" },
      headers: { "accept-language": "fi-FI,fi;q=0.9,en;q=0.5", referer: `${ORIGIN}/admin/`, ...nextIp() },
    });
    expect(r.status).toBe(202);
    const mail = await lastMail("newbie@am.test");
    expect(mail).toMatchObject({ kind: "signup_confirm", language: "fi", subject: "Vahvista sähköpostiosoitteesi Gadkaan" });
    expect(mail.links[0]).toMatch(new RegExp(`^${ORIGIN}/admin/#/confirm\\?token=confirm\\.`));
    const confirmed = await api("/api/auth/confirm", { method: "POST", json: { token: tokenIn(mail.links[0]!) } });
    expect(confirmed.status).toBe(200);
    expect((await json<MeResponse>(confirmed)).operator.email).toBe("newbie@am.test");
    // A taken address gets "you already have an account" — the form answered the same.
    const again = await api("/api/auth/signup", {
      method: "POST",
      json: { email: "newbie@am.test", name: "Someone", password: "another-password" },
      headers: nextIp(),
    });
    expect(again.status).toBe(202);
    expect(await lastMail("newbie@am.test")).toMatchObject({ kind: "signup_existing", language: "en" });
  });

  it("the dev log is a page a browser can open (escaped), and does not exist outside development", async () => {
    const page = await api("/api/dev/mail", { headers: { accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain("Mail (dev)");
    expect(html).not.toContain("<Shop>");
    const worker = (await import("../../worker/index")).default;
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const prod = await worker.fetch(new Request(`${ORIGIN}/api/dev/mail`), { ...env, ENVIRONMENT: "production" } as never, ctx);
    expect(prod.status).toBe(404);
    expect(await codeOf(prod)).toBe("not_found");
    const bad = await api("/api/dev/mail?limit=abc");
    expect(bad.status).toBe(422);
  });
});

describe("invitations by email", () => {
  async function invite(cookie: string, body: Record<string, unknown>, site = "site_am") {
    return api(`/api/sites/${site}/invitations`, {
      method: "POST",
      json: body,
      cookie,
      headers: { referer: `${ORIGIN}/admin/`, "accept-language": "pl" },
    });
  }

  it("a manager invites a new address: the mail's link lets the invitee set name and password, once", async () => {
    const owner = await login("owner@am.test");
    const r = await invite(owner, { email: "Invitee@AM.test", role: "agent", name: "Iga" });
    expect(r.status).toBe(201);
    const { invitationId, expiresAt } = await json<{ invitationId: string; expiresAt: number }>(r);
    expect(expiresAt - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
    const team = await json<TeamResponse>(await api("/api/sites/site_am/operators", { cookie: owner }));
    expect(team.invitations.map((i) => i.id)).toContain(invitationId);
    const mail = await lastMail("invitee@am.test");
    expect(mail).toMatchObject({ kind: "invitation", language: "pl", subject: "Dołącz do zespołu Mail <Shop> w Gadce" });
    expect(mail.text).toContain("Olga Owner zaprasza Cię");
    const token = tokenIn(mail.links[0]!);
    const preview = await json<InvitationPreview>(await api(`/api/auth/invitation?token=${encodeURIComponent(token)}`));
    expect(preview).toMatchObject({
      email: "invitee@am.test",
      siteName: "Mail <Shop>",
      role: "agent",
      hasAccount: false,
      suggestedName: "Iga",
    });
    const noPassword = await api("/api/auth/invitation/accept", { method: "POST", json: { token } });
    expect(noPassword.status).toBe(422);
    const accepted = await api("/api/auth/invitation/accept", {
      method: "POST",
      json: { token, name: "Iga I.", password: "invitee-password" },
    });
    expect(accepted.status).toBe(201);
    const me = await json<MeResponse>(accepted);
    expect(me.operator).toMatchObject({ email: "invitee@am.test", name: "Iga I." });
    expect(me.sites).toEqual([expect.objectContaining({ id: "site_am", role: "agent" })]);
    expect((await api("/api/me", { cookie: cookieOf(accepted) })).status).toBe(200);
    expect(await login("invitee@am.test", "invitee-password")).toMatch(/^gadka_session=/);
    // Reused: a clear code, and nothing more is created.
    const reused = await api("/api/auth/invitation/accept", { method: "POST", json: { token, name: "Evil", password: "evil-password-1" } });
    expect(reused.status).toBe(410);
    expect(await codeOf(reused)).toBe("invitation_used");
    expect(await codeOf(await api(`/api/auth/invitation?token=${encodeURIComponent(token)}`))).toBe("invitation_used");
    const accounts = await env.DB.prepare("SELECT COUNT(*) AS n FROM operators WHERE email = 'invitee@am.test'").first<number>("n");
    expect(accounts).toBe(1);
  });

  it("parallel acceptances of one link make one account", async () => {
    const owner = await login("owner@am.test");
    await invite(owner, { email: "race@am.test" });
    const token = tokenIn((await lastMail("race@am.test")).links[0]!);
    const results = await Promise.all(
      [0, 1, 2].map((i) =>
        api("/api/auth/invitation/accept", { method: "POST", json: { token, name: `Racer ${i}`, password: "race-password-1" } }),
      ),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 410)).toHaveLength(2);
  });

  it("revoked and replaced (resent) links are refused with their codes; resend mails a new working link", async () => {
    const admin = await login("admin@am.test");
    const { invitationId } = await json<{ invitationId: string }>(await invite(admin, { email: "revoke@am.test" }));
    const first = tokenIn((await lastMail("revoke@am.test")).links[0]!);
    const resent = await api(`/api/sites/site_am/invitations/${invitationId}/resend`, {
      method: "POST",
      cookie: admin,
      headers: { referer: `${ORIGIN}/admin/` },
    });
    expect(resent.status).toBe(200);
    const second = tokenIn((await lastMail("revoke@am.test")).links[0]!);
    expect(second).not.toBe(first);
    expect(await codeOf(await api(`/api/auth/invitation?token=${encodeURIComponent(first)}`))).toBe("bad_token");
    expect((await api(`/api/auth/invitation?token=${encodeURIComponent(second)}`)).status).toBe(200);
    expect((await api(`/api/sites/site_am/invitations/${invitationId}`, { method: "DELETE", cookie: admin })).status).toBe(204);
    const revoked = await api("/api/auth/invitation/accept", {
      method: "POST",
      json: { token: second, name: "R", password: "revoke-password" },
    });
    expect(revoked.status).toBe(410);
    expect(await codeOf(revoked)).toBe("invitation_revoked");
    // An agent cannot invite or resend; another site's manager cannot touch this one's invitation.
    const agent = await login("agent@am.test");
    expect((await invite(agent, { email: "x@am.test" })).status).toBe(403);
    const other = await login("owner@am2.test");
    expect((await api(`/api/sites/site_am/invitations/${invitationId}/resend`, { method: "POST", cookie: other })).status).toBe(404);
    expect((await api(`/api/sites/site_am2/invitations/${invitationId}/resend`, { method: "POST", cookie: other })).status).toBe(404);
    // An admin may not invite an owner.
    expect(await codeOf(await invite(admin, { email: "boss@am.test", role: "owner" }))).toBe("forbidden");
    // A member is not invited again.
    expect((await invite(admin, { email: "agent@am.test" })).status).toBe(409);
  });

  it("an expired link says so; a forged one is only 'not valid'", async () => {
    const owner = await login("owner@am.test");
    await invite(owner, { email: "late@am.test" });
    const token = tokenIn((await lastMail("late@am.test")).links[0]!);
    await env.DB.prepare("UPDATE invitations SET expires_at = ? WHERE email = 'late@am.test'")
      .bind(Date.now() - 1)
      .run();
    const late = await api(`/api/auth/invitation?token=${encodeURIComponent(token)}`);
    expect(late.status).toBe(410);
    expect(await codeOf(late)).toBe("invitation_expired");
    // A genuine token past its own lifetime (signed 15 days ago) is "expired" too; a forged one is not.
    const old = await signToken(env.TOKEN_SECRET, "invitation", { invitationId: "abcdefghijklmnop" }, Date.now() - 15 * 86_400_000);
    expect(await codeOf(await api(`/api/auth/invitation?token=${encodeURIComponent(old.token)}`))).toBe("invitation_expired");
    const forged = `${old.token.slice(0, -4)}AAAA`;
    expect(await codeOf(await api(`/api/auth/invitation?token=${encodeURIComponent(forged)}`))).toBe("bad_token");
  });

  it("an existing account accepts only explicitly, signed in as the invited address; another account is refused", async () => {
    const other = await login("owner@am2.test");
    const r = await invite(other, { email: "agent@am.test", role: "admin" }, "site_am2");
    expect(r.status).toBe(201);
    const token = tokenIn((await lastMail("agent@am.test")).links[0]!);
    const preview = await json<InvitationPreview>(await api(`/api/auth/invitation?token=${encodeURIComponent(token)}`));
    expect(preview.hasAccount).toBe(true);
    // Not signed in: the account is not joined, and a password cannot be set through the link.
    const anonymous = await api("/api/auth/invitation/accept", {
      method: "POST",
      json: { token, name: "Taken", password: "takeover-pass" },
    });
    expect(anonymous.status).toBe(401);
    expect(await login("agent@am.test")).toMatch(/^gadka_session=/);
    // Signed in as someone else.
    const wrong = await api("/api/auth/invitation/accept", { method: "POST", json: { token }, cookie: await login("admin@am.test") });
    expect(wrong.status).toBe(403);
    expect(await codeOf(wrong)).toBe("wrong_account");
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM memberships WHERE operator_id = 'op_am_agent'").first<number>("n");
    expect(before).toBe(1);
    const agent = await login("agent@am.test");
    const ok = await api("/api/auth/invitation/accept", { method: "POST", json: { token }, cookie: agent });
    expect(ok.status).toBe(200);
    const me = await json<MeResponse>(ok);
    expect(me.sites.map((s) => [s.id, s.role]).sort()).toEqual([
      ["site_am", "agent"],
      ["site_am2", "admin"],
    ]);
    expect(await login("agent@am.test")).toMatch(/^gadka_session=/);
  });
});

describe("password reset", () => {
  const ask = (email: string, headers: Record<string, string> = nextIp()) =>
    api("/api/auth/password-reset", { method: "POST", json: { email }, headers: { referer: `${ORIGIN}/admin/`, ...headers } });

  it("answers the same for an unknown email and mails nothing", async () => {
    const unknown = await ask("nobody@am.test");
    const known = await ask("admin@am.test");
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(await unknown.json()).toEqual(await known.json());
    expect(await mailsTo("nobody@am.test")).toEqual([]);
    expect((await lastMail("admin@am.test")).kind).toBe("password_reset");
  });

  it("sets the new password once, ends every session, and keeps two-factor sign-in", async () => {
    await seedSite({ id: "site_rs", key: "pk_rs", name: "Reset Shop" }, [
      { id: "op_rs", email: "reset@am.test", name: "Rita", role: "agent" },
    ]);
    const sessions = [await login("reset@am.test"), await login("reset@am.test")];
    await env.DB.prepare("UPDATE operators SET totp_sealed = 'sealed-secret' WHERE id = 'op_rs'").run();
    expect((await ask("reset@am.test", { "accept-language": "ru", ...nextIp() })).status).toBe(202);
    const mail = await lastMail("reset@am.test");
    expect(mail).toMatchObject({ kind: "password_reset", language: "ru" });
    expect(mail.links[0]).toMatch(new RegExp(`^${ORIGIN}/admin/#/reset\\?token=reset\\.`));
    const token = tokenIn(mail.links[0]!);
    const short = await api("/api/auth/password-reset/confirm", { method: "POST", json: { token, password: "short" } });
    expect(short.status).toBe(422);
    const done = await api("/api/auth/password-reset/confirm", { method: "POST", json: { token, password: "brand-new-password" } });
    expect(done.status).toBe(200);
    expect(done.headers.get("set-cookie")).toBeNull();
    for (const cookie of sessions) expect((await api("/api/me", { cookie })).status).toBe(401);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE operator_id = 'op_rs'").first<number>("n")).toBe(0);
    expect((await lastMail("reset@am.test")).kind).toBe("password_changed");
    // The old password is refused; the new one reaches the two-factor step, not a session.
    expect((await api("/api/auth/login", { method: "POST", json: { email: "reset@am.test", password: PASSWORD } })).status).toBe(401);
    const next = await api("/api/auth/login", { method: "POST", json: { email: "reset@am.test", password: "brand-new-password" } });
    expect(next.status).toBe(200);
    expect(next.headers.get("set-cookie")).toBeNull();
    expect(await next.json()).toMatchObject({ secondStep: { challenge: expect.stringMatching(/^twofactor\./) } });
    // Reused.
    const reused = await api("/api/auth/password-reset/confirm", { method: "POST", json: { token, password: "another-password" } });
    expect(reused.status).toBe(410);
    expect(await codeOf(reused)).toBe("bad_token");
  });

  it("an older link stops working when a newer one is asked for; an expired link is refused", async () => {
    await ask("owner@am2.test");
    const older = tokenIn((await lastMail("owner@am2.test")).links[0]!);
    await ask("owner@am2.test");
    const newer = tokenIn((await lastMail("owner@am2.test")).links[0]!);
    expect(
      await codeOf(await api("/api/auth/password-reset/confirm", { method: "POST", json: { token: older, password: "older-password" } })),
    ).toBe("bad_token");
    await env.DB.prepare("UPDATE password_resets SET expires_at = ? WHERE used_at IS NULL AND superseded_at IS NULL")
      .bind(Date.now() - 1)
      .run();
    expect(
      await codeOf(await api("/api/auth/password-reset/confirm", { method: "POST", json: { token: newer, password: "newer-password" } })),
    ).toBe("bad_token");
    // A token signed more than an hour ago is refused by its signature's expiry alone.
    const old = await signToken(env.TOKEN_SECRET, "reset", { operatorId: "pr_x", nonce: "n" }, Date.now() - 2 * 3_600_000);
    expect(
      (await api("/api/auth/password-reset/confirm", { method: "POST", json: { token: old.token, password: "whatever-pass" } })).status,
    ).toBe(410);
    expect(await login("owner@am2.test")).toMatch(/^gadka_session=/);
  });

  it("is limited per email and per client address (coded 429), before anything is looked up", async () => {
    const ip = nextIp();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await ask("limit@am.test", ip)).status);
    expect(answers).toEqual([202, 202, 202, 429]);
    const many = nextIp();
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await ask(`spread${i}@am.test`, many)).status);
    expect(statuses.slice(0, 20).every((s) => s === 202)).toBe(true);
    const last = await ask("spread-last@am.test", many);
    expect(last.status).toBe(429);
    expect(await codeOf(last)).toBe("rate_limited");
    expect(last.headers.get("retry-after")).toBe("900");
  });
});

describe("invitation links", () => {
  it("are limited per client address (coded 429)", async () => {
    const ip = nextIp();
    const statuses = [];
    for (let i = 0; i < 21; i++) statuses.push((await api("/api/auth/invitation?token=invitation.x.y.z", { headers: ip })).status);
    expect(statuses.slice(0, 20).every((s) => s === 410)).toBe(true);
    expect(statuses[20]).toBe(429);
    const accept = await api("/api/auth/invitation/accept", { method: "POST", json: { token: "invitation.x.y.z" }, headers: ip });
    expect(await codeOf(accept)).toBe("rate_limited");
  });
});
