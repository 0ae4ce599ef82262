/**
 * `requireRole(min, what)`: admits members of the path's site whose role is `min` or higher
 * (owner > admin > agent); others get 403 `forbidden` "Only owners and admins <what>.".
 * Runs after `siteMember()`, which has already refused non-members with 404.
 */
import { createMiddleware } from "hono/factory";
import type { MemberRole } from "../../protocol";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";
import { atLeast, holdersOf } from "../lib/roles";

export function requireRole(min: MemberRole, what: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!atLeast(c.var.site.role, min)) {
      const who = holdersOf(min);
      throw new ApiError("forbidden", `Only ${who} ${what}.`);
    }
    await next();
  });
}
