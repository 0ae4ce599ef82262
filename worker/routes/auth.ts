/**
 * Operator sign-in, sign-out and "who am I". Passwords are checked with PBKDF2; failed attempts
 * are throttled per email and per client address; the session token lives in an HttpOnly cookie.
 */
import { Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import {
  LOGIN_MAX_FAILURES,
  LOGIN_MAX_FAILURES_PER_ADDRESS,
  LOGIN_WINDOW_SECONDS,
  LoginBody,
  type MeResponse,
  SESSION_TTL_SECONDS,
} from "../../protocol";
import type { AppEnv } from "../app-env";
import { clearFailures, failuresInWindow, recordFailure } from "../db/login-throttle";
import { createSession, deleteSession, findOperatorForLogin, sitesOfOperator } from "../db/operators";
import { ApiError } from "../lib/api-error";
import { burnPasswordCheck, randomToken, sha256Hex, verifyPassword } from "../lib/crypto";
import { readJson } from "../lib/request-input";
import { operatorSession, SESSION_COOKIE } from "../middleware/operator-session";

export const authRoutes = new Hono<AppEnv>()
  .post("/login", async (c) => {
    const body = await readJson(c, LoginBody);
    const now = Date.now();
    const windowStart = now - LOGIN_WINDOW_SECONDS * 1000;
    const emailKey = `email:${body.email}`;
    const addressKey = `ip:${c.req.header("cf-connecting-ip") ?? "local"}`;
    const failures = await failuresInWindow(c.env.DB, [emailKey, addressKey], windowStart);
    if ((failures.get(emailKey) ?? 0) >= LOGIN_MAX_FAILURES || (failures.get(addressKey) ?? 0) >= LOGIN_MAX_FAILURES_PER_ADDRESS) {
      throw new ApiError("too_many_attempts", "Too many failed sign-ins. Wait 15 minutes and try again.", {
        "Retry-After": String(LOGIN_WINDOW_SECONDS),
      });
    }

    const operator = await findOperatorForLogin(c.env.DB, body.email);
    let ok = false;
    if (operator) ok = await verifyPassword(body.password, operator.passwordHash);
    else await burnPasswordCheck(body.password); // same timing whether or not the email exists
    if (!operator || !ok) {
      await recordFailure(c.env.DB, [emailKey, addressKey], now, windowStart);
      throw new ApiError("bad_credentials", "That email and password do not match.");
    }

    const token = randomToken();
    const [, , sites] = await Promise.all([
      createSession(c.env.DB, {
        tokenHash: await sha256Hex(token),
        operatorId: operator.id,
        now,
        expiresAt: now + SESSION_TTL_SECONDS * 1000,
      }),
      clearFailures(c.env.DB, emailKey),
      sitesOfOperator(c.env.DB, operator.id),
    ]);
    setCookie(c, SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:",
      path: "/",
      maxAge: SESSION_TTL_SECONDS,
    });
    const { passwordHash: _, ...profile } = operator;
    return c.json({ operator: profile, sites, invitations: [] } satisfies MeResponse);
  })
  .post("/logout", operatorSession(), async (c) => {
    await deleteSession(c.env.DB, c.var.session.tokenHash);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });

export const meRoutes = new Hono<AppEnv>().get("/", operatorSession(), (c) => {
  const { operator, sites } = c.var.session;
  return c.json({ operator, sites, invitations: [] } satisfies MeResponse);
});
