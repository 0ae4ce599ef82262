/**
 * Operator authentication: `operatorSession()` resolves the `gadka_session` cookie to the
 * operator and their sites (401 otherwise); `siteMember()` admits only members of the site in
 * the `:siteId` path parameter (404 otherwise, so other shops' ids are not even confirmed).
 */
import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { loadSession } from "../db/operators";
import { ApiError } from "../lib/api-error";
import { sha256Hex } from "../lib/crypto";

export const SESSION_COOKIE = "gadka_session";

export function operatorSession() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (!token) throw new ApiError("unauthorized", "Sign in first.");
    const tokenHash = await sha256Hex(token);
    const session = await loadSession(c.env.DB, tokenHash, Date.now());
    if (!session) throw new ApiError("unauthorized", "Your session has ended. Sign in again.");
    c.set("session", { ...session, tokenHash });
    await next();
  });
}

export function siteMember() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const siteId = c.req.param("siteId");
    const site = c.var.session.sites.find((s) => s.id === siteId);
    if (!site) throw new ApiError("not_found", "No such site among yours.");
    c.set("site", site);
    await next();
  });
}
