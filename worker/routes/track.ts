/**
 * `POST /api/track`: the presence module's beacon from the shop's page (text/plain JSON, so no
 * CORS preflight; the shop's allowed origins apply). Mounted outside the cookie and same-origin
 * middleware: the tracking token is the visitor's only credential here, and it reads nothing.
 * The use case is `recordBeacon` (services/tracking.ts).
 */
import { Hono } from "hono";
import { TrackBody } from "../../protocol";
import { noteInstall } from "../accounts/install-check";
import type { AppEnv } from "../app-env";
import type { RequestFacts } from "../db/tracking";
import { clientIp } from "../lib/rate-limit";
import { parseUserAgent } from "../lib/traffic";
import { validate } from "../middleware/validate";
import { recordBeacon } from "../services/tracking";

const CORS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "content-type",
  "Access-Control-Max-Age": "86400",
};

export const trackRoutes = new Hono<AppEnv>()
  .use(async (c, next) => {
    await next();
    // Errors too: the page's script must be able to read them.
    for (const [k, value] of Object.entries(CORS)) c.res.headers.set(k, value);
  })
  .options("/", (c) => c.body(null, 204))
  // validate("json") reads the body whatever its Content-Type: the beacon's is text/plain.
  .post("/", validate("json", TrackBody), async (c) => {
    const body = c.req.valid("json");
    const origin = c.req.header("origin") ?? null;
    const ownOrigin = new URL(c.req.url).origin;
    const answer = await recordBeacon(c.env, { body, facts: requestFacts(c.req.raw, body.l), origin, ownOrigin, ip: clientIp(c.req.raw) });
    // Accepted (allowed domain, consent given): the set-up wizard's install check, once per shop.
    if (body.e === "view" && !answer.x) await noteInstall(c.env, { publicKey: body.k }, origin, body.u, ownOrigin);
    return c.json(answer);
  });

/** Device from the User-Agent; country and city from Cloudflare's request data when present. */
function requestFacts(request: Request, language: string | undefined): RequestFacts {
  const cf = (request as Request & { cf?: { country?: unknown; city?: unknown } }).cf;
  const str = (x: unknown, max: number) => (typeof x === "string" && x && x !== "XX" && x !== "T1" ? x.slice(0, max) : null);
  return {
    device: parseUserAgent(request.headers.get("user-agent")),
    country: str(cf?.country, 2)?.toUpperCase() ?? null,
    city: str(cf?.city, 100),
    language: language ?? null,
  };
}
