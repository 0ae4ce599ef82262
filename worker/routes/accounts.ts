/**
 * Account routes of issue 14. Under `/api/auth` (no session): the setup link, sign-up, opening
 * an emailed link, and the sign-in's code step. Under `/api/me`: two-factor enrolment, password,
 * email and sessions. `/api/sites`: a new shop; under `/api/sites/:siteId`: the shop's profile,
 * its install check and its two-factor requirement. Use cases in services/accounts.ts,
 * two-factor.ts, security.ts and sites.ts.
 */
import { type Context, Hono } from "hono";
import { getCookie } from "hono/cookie";
import * as v from "valibot";
import {
  AcceptInvitationBody,
  ConfirmBody,
  CreateSiteBody,
  type CreateSiteResponse,
  EmailChangeBody,
  PasswordChangeBody,
  PasswordResetBody,
  PasswordResetRequestBody,
  type SessionsResponse,
  SetupBody,
  type SetupStatusResponse,
  SignupBody,
  type SignupModeResponse,
  SiteProfilePatch,
  SiteSecurityBody,
  TwoFactorCodeBody,
  TwoFactorDisableBody,
  TwoFactorLoginBody,
} from "../../protocol";
import { requestLanguage } from "../accounts/account-mail";
import type { AppEnv } from "../app-env";
import { loadSession } from "../db/operators";
import { sha256Hex } from "../lib/crypto";
import { clientIp } from "../lib/rate-limit";
import { operatorSession, SESSION_COOKIE } from "../middleware/operator-session";
import { requireRole } from "../middleware/require-role";
import { sameOrigin } from "../middleware/same-origin";
import { validate } from "../middleware/validate";
import { confirmLink, requestPasswordReset, resetPassword, setUpFirstOwner, setupUsable, signUp, signupMode } from "../services/accounts";
import { whoAmI } from "../services/auth";
import { acceptByLink, previewInvitation } from "../services/invitations";
import { changePassword, listSessions, requestEmailChange, signOutElsewhere } from "../services/security";
import { changeSiteProfile, changeSiteSecurity, createSite, siteInstall, siteSecurity } from "../services/sites";
import { confirmEnrolment, signInSecondStep, startEnrolment, turnOffTwoFactor } from "../services/two-factor";
import { setSessionCookie } from "./auth";

const client = (c: { req: { raw: Request; header: (n: string) => string | undefined } }) => ({
  address: clientIp(c.req.raw),
  userAgent: c.req.header("user-agent") ?? null,
});
const appOrigin = (url: string) => new URL(url).origin;
/**
 * Where the admin app lives, for links in emails: the page that sent the request (the admin sends
 * its own address as Referer: its Referrer-Policy is same-origin) — `/` on Pages, `/admin/` under
 * the Worker — or the Worker's `/admin/` when there is none.
 */
function adminBase(req: { url: string; header: (n: string) => string | undefined }): string {
  const origin = appOrigin(req.url);
  try {
    const from = new URL(req.header("referer") ?? "");
    if (from.origin === origin) return `${origin}${from.pathname}`;
  } catch {
    // no or a malformed Referer
  }
  return `${origin}/admin/`;
}

/** Who a link's mail goes to needs: the client address (limits), the admin's address, the language. */
const mailClient = (c: { req: { raw: Request; url: string; header: (n: string) => string | undefined } }) => ({
  address: clientIp(c.req.raw),
  adminUrl: adminBase(c.req),
  language: requestLanguage(c.req.header("accept-language")),
});

/** The signed-in operator on a public route (an invitation link may be opened either way), or null. */
async function signedInOperator(c: Context<AppEnv>) {
  const token = getCookie(c, SESSION_COOKIE);
  if (!token) return null;
  return (await loadSession(c.env.DB, await sha256Hex(token), Date.now()))?.operator ?? null;
}

export const accountAuthRoutes = new Hono<AppEnv>()
  .get("/setup", validate("query", v.object({ token: v.pipe(v.string(), v.maxLength(100)) })), async (c) => {
    return c.json({ usable: await setupUsable(c.env, c.req.valid("query").token) } satisfies SetupStatusResponse);
  })
  .post("/setup", validate("json", SetupBody), async (c) => {
    const signedIn = await setUpFirstOwner(c.env, c.req.valid("json"), client(c));
    setSessionCookie(c, signedIn);
    return c.json(signedIn.me, 201);
  })
  .get("/signup", (c) =>
    c.json({
      signup: signupMode(c.env),
      ...(c.env.ENVIRONMENT === "development" ? { devMail: "/api/dev/mail" } : {}),
    } satisfies SignupModeResponse),
  )
  .post("/signup", validate("json", SignupBody), async (c) => {
    return c.json(await signUp(c.env, c.req.valid("json"), mailClient(c)), 202);
  })
  .post("/password-reset", validate("json", PasswordResetRequestBody), async (c) => {
    return c.json(await requestPasswordReset(c.env, c.req.valid("json"), mailClient(c)), 202);
  })
  .post("/password-reset/confirm", validate("json", PasswordResetBody), async (c) => {
    return c.json(await resetPassword(c.env, c.req.valid("json"), mailClient(c)));
  })
  .get("/invitation", validate("query", v.object({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(300)) })), async (c) => {
    return c.json(await previewInvitation(c.env, c.req.valid("query").token, clientIp(c.req.raw)));
  })
  .post("/invitation/accept", validate("json", AcceptInvitationBody), async (c) => {
    const result = await acceptByLink(c.env, c.req.valid("json"), await signedInOperator(c), client(c));
    if ("signedIn" in result) {
      setSessionCookie(c, result.signedIn);
      return c.json(result.signedIn.me, 201);
    }
    return c.json(result.me);
  })
  .post("/confirm", validate("json", ConfirmBody), async (c) => {
    const result = await confirmLink(c.env, c.req.valid("json").token, client(c));
    if ("emailChanged" in result) return c.json(result);
    setSessionCookie(c, result);
    return c.json(result.me);
  })
  .post("/login/two-factor", validate("json", TwoFactorLoginBody), async (c) => {
    const signedIn = await signInSecondStep(c.env, c.req.valid("json"), client(c));
    setSessionCookie(c, signedIn);
    return c.json(signedIn.me);
  });

const me = (vars: AppEnv["Variables"]) => ({
  operatorId: vars.session.operator.id,
  name: vars.session.operator.name,
  email: vars.session.operator.email,
  tokenHash: vars.session.tokenHash,
  sites: vars.session.sites,
});

/**
 * Mounted under `/api/me` after `meRoutes`, whose `sameOrigin()` and `operatorSession()` cover
 * every `/api/me/*` path (Hono runs middleware in the order it was registered).
 */
export const meSecurityRoutes = new Hono<AppEnv>()
  .post("/two-factor/enrol", async (c) => {
    const operator = c.var.session.operator;
    return c.json(await startEnrolment(c.env, operator, `Gadka (${new URL(c.req.url).hostname})`));
  })
  .post("/two-factor/confirm", validate("json", TwoFactorCodeBody), async (c) => {
    return c.json(await confirmEnrolment(c.env, c.var.session.operator.id, c.req.valid("json").code));
  })
  .post("/two-factor/disable", validate("json", TwoFactorDisableBody), async (c) => {
    await turnOffTwoFactor(c.env, c.var.session.operator.id, c.req.valid("json"));
    return c.json(await whoAmI(c.env, c.var.session.operator));
  })
  .post("/password", validate("json", PasswordChangeBody), async (c) => {
    await changePassword(c.env, me(c.var), c.req.valid("json"), {
      adminUrl: adminBase(c.req),
      language: requestLanguage(c.req.header("accept-language")),
    });
    return c.body(null, 204);
  })
  .post("/email", validate("json", EmailChangeBody), async (c) => {
    await requestEmailChange(c.env, me(c.var), c.req.valid("json"), adminBase(c.req), requestLanguage(c.req.header("accept-language")));
    return c.json({ status: "confirmation_sent" }, 202);
  })
  .get("/sessions", async (c) => c.json({ sessions: await listSessions(c.env, me(c.var)) } satisfies SessionsResponse))
  .delete("/sessions", async (c) => c.json({ ended: await signOutElsewhere(c.env, me(c.var)) }));

/** `POST /api/sites`: any signed-in operator may start a shop of their own. */
export const newSiteRoutes = new Hono<AppEnv>().post("/", sameOrigin(), operatorSession(), validate("json", CreateSiteBody), async (c) => {
  const site = await createSite(c.env, c.var.session.operator.id, c.req.valid("json"));
  return c.json({ site } satisfies CreateSiteResponse, 201);
});

/** Mounted under `/api/sites/:siteId/install` behind `siteMember()`: the set-up wizard polls it. */
export const siteInstallRoutes = new Hono<AppEnv>().get("/", async (c) =>
  c.json(await siteInstall(c.env, c.var.site.id, appOrigin(c.req.url))),
);

/** Mounted under `/api/sites/:siteId/profile` and `…/security` behind `siteMember()`. */
export const siteProfileRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await siteInstall(c.env, c.var.site.id, appOrigin(c.req.url))))
  .patch("/", requireRole("admin", "change the shop's name and address"), validate("json", SiteProfilePatch), async (c) => {
    return c.json(await changeSiteProfile(c.env, c.var.site.id, c.req.valid("json"), appOrigin(c.req.url)));
  });

const owners = requireRole("owner", "require two-factor sign-in");
export const siteSecurityRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await siteSecurity(c.env, c.var.site.id)))
  .put("/", owners, validate("json", SiteSecurityBody), async (c) => {
    const mine = await whoAmI(c.env, c.var.session.operator, c.var.session.sites);
    return c.json(await changeSiteSecurity(c.env, c.var.site.id, mine.twoFactor.enabled, c.req.valid("json").requireTwoFactor));
  });
