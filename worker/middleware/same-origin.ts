/**
 * CSRF guard for cookie-authenticated routes: a state-changing request (and every socket
 * upgrade, which browsers do not protect with CORS) must come from a page of our own origin.
 * Browsers always send `Origin` on these; requests without it are refused too.
 */
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

function isSameOrigin(request: Request): boolean {
  return request.headers.get("origin") === new URL(request.url).origin;
}

export function sameOrigin(opts: { sockets?: boolean } = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const isUpgrade = c.req.header("upgrade")?.toLowerCase() === "websocket";
    const mustCheck = isUpgrade ? opts.sockets === true : !SAFE.has(c.req.method);
    if (mustCheck && !isSameOrigin(c.req.raw)) {
      throw new ApiError("bad_origin", "This request must come from the Gadka app's own origin.");
    }
    await next();
  });
}
