/**
 * The shop's allowed origins (site settings): where its widget may run. An empty list allows any
 * origin. Gadka's own origin is always allowed: the chat iframe calls the API from it, and the
 * local demo shop is served from it. Used by the beacon, the chat session and the chat page's
 * `frame-ancestors`.
 */
import { ApiError } from "./api-error";

/**
 * Whether a request with this `Origin` header may act for the site. A request without one
 * is not from a page (browsers send Origin on every POST), so the list does not apply to it.
 */
function originAllowed(allowed: readonly string[], origin: string | null, ownOrigin: string): boolean {
  if (allowed.length === 0 || origin === null || origin === ownOrigin) return true;
  const o = origin.toLowerCase();
  return allowed.includes(o) || allowed.includes(o.replace(LOCAL_PORT, "$1"));
}

/**
 * `http://localhost` and `http://127.0.0.1` without a port ("allow localhost for testing") allow
 * every port of that host: a developer's test server picks its own.
 */
const LOCAL_PORT = /^(http:\/\/(?:localhost|127\.0\.0\.1)):\d{1,5}$/;

export function assertOriginAllowed(allowed: readonly string[], origin: string | null, ownOrigin: string): void {
  if (!originAllowed(allowed, origin, ownOrigin)) {
    throw new ApiError("bad_origin", "This shop does not allow its widget on this website (site settings, allowed origins).");
  }
}

/** The chat page's `frame-ancestors` sources: the site's list (and our own origin), or any page. */
export function frameAncestors(allowed: readonly string[] | null): string {
  if (allowed === null) return "'none'";
  const sources = allowed.map((a) => (/^http:\/\/(localhost|127\.0\.0\.1)$/.test(a) ? `${a}:*` : a));
  return allowed.length === 0 ? "*" : ["'self'", ...sources].join(" ");
}
