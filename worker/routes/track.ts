/**
 * `POST /api/track`: the loader's beacon from the shop's page (any origin, text/plain JSON, so
 * no CORS preflight). Records page views, visits, identity, attributes, cart and purchases;
 * tells the site hub for the Live view; answers the tracking token, the unread count and a
 * pending invitation. Mounted outside the cookie and same-origin middleware: the tracking token
 * is the visitor's only credential here, and it reads nothing.
 */
import { Hono } from "hono";
import { CartData, MAX_BODY_BYTES, PurchaseData, TrackBody, type TrackResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { type TrackSite, trackSiteByKey } from "../db/secrets";
import {
  conversationOfGroup,
  createVerifiedStatement,
  findVerifiedCustomer,
  loadTrack,
  loadTrackRow,
  mergeStatements,
  type RequestFacts,
  type TrackRow,
  TrackWriter,
} from "../db/tracking";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { hmacHexVerify, newId } from "../lib/crypto";
import { isConversationId } from "../lib/ids";
import { limitBeacon, limitNewVisitor } from "../lib/rate-limit";
import { parse } from "../lib/request-input";
import { cleanUrl, parseUserAgent } from "../lib/traffic";
import { signPeekToken, signTrackToken, verifyTrackToken } from "../lib/visitor-token";

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
  .post("/", async (c) => {
    const body = parse(TrackBody, await readBeacon(c.req.raw));
    const site = await trackSiteByKey(c.env.DB, body.k);
    if (!site) throw new ApiError("not_found", "No site has this key. Check the data-site attribute of the snippet.");

    // Consent mode: without the shop's word that the visitor agreed, nothing is stored at all.
    if (body.c === false || (site.settings.consentRequired && body.c !== true)) return c.json({ x: 1 } satisfies TrackResponse);

    const presented = body.t ? await verifyTrackToken(c.env.TOKEN_SECRET, body.t) : null;
    let visitorId = presented && presented.siteId === site.id ? presented.visitorId : null;
    let loaded = visitorId ? await loadTrack(c.env.DB, site.id, visitorId) : { row: null, conversation: null };
    if (loaded.row?.merged_into) {
      // Merged into a verified profile on another page: carry on as that profile.
      visitorId = loaded.row.merged_into;
      loaded = await loadTrack(c.env.DB, site.id, visitorId);
    }
    const existing = loaded.row;
    // No token, a foreign or forged one, or a visitor since erased: a new anonymous visitor.
    if (!existing || existing.merged_into) {
      await limitNewVisitor(c.env, c.req.raw, site.id);
      visitorId = newId("v");
    } else {
      await limitBeacon(c.env, site.id, visitorId!);
    }

    const now = Date.now();
    const facts = requestFacts(c.req.raw, body.l);
    let w = new TrackWriter(c.env.DB, site.id, visitorId!, existing?.merged_into ? null : existing, now, facts);
    w.language(body.l);
    const forgotten: string[] = [];
    let leaving = false;

    switch (body.e) {
      case "view": {
        const url = cleanUrl(body.u);
        if (!url) throw new ApiError("validation_failed", "u: a page view needs the page's http(s) URL.");
        w.view(url, body.u!, body.ti ?? null, body.r);
        break;
      }
      case "ping":
      case "leave": {
        const url = cleanUrl(body.u);
        leaving = body.e === "leave";
        if (w.idle) {
          // Back after idleness (or no view seen yet): a ping on a page is a new view; a late leave changes nothing.
          if (!leaving && url) w.view(url, body.u!, body.ti ?? null, body.r);
          else leaving = false;
        } else if (!leaving && url && url !== w.row.view_url) {
          // A navigation the loader did not report as a view.
          w.view(url, body.u!, body.ti ?? w.row.view_title, undefined);
        } else {
          w.stillThere(body.ms, leaving);
        }
        break;
      }
      case "identify": {
        if (!body.id) throw new ApiError("validation_failed", "id: identify needs { id, email?, name?, hash? }.");
        const result = await identify(c.env, site, w, body.id, facts);
        w = result.writer;
        forgotten.push(...result.forgotten);
        break;
      }
      case "attributes":
        if (!body.a) throw new ApiError("validation_failed", "a: attributes needs an object of values.");
        w.touch();
        w.attributes(body.a);
        break;
      case "cart":
        w.touch();
        w.cart(parse(CartData, body.d));
        break;
      case "purchase":
        w.touch();
        w.purchase(parse(PurchaseData, body.d));
        break;
      case "consent":
        w.touch();
        w.event("consent", { c: body.c ?? null });
        break;
    }
    await w.commit();

    // A new visitor has no conversation yet; after a merge the profile's may differ.
    const conversation =
      w.visitorId === existing?.id
        ? loaded.conversation
        : !existing && w.visitorId === visitorId
          ? null
          : await conversationOfGroup(c.env.DB, site.id, w.visitorId);
    const hub = c.env.SITE_HUB.getByName(site.id);
    const [token, peek, unread, seen] = await Promise.all([
      signTrackToken(c.env.TOKEN_SECRET, { siteId: site.id, visitorId: w.visitorId }),
      conversation
        ? signPeekToken(c.env.TOKEN_SECRET, { siteId: site.id, visitorId: conversation.visitorId, conversationId: conversation.id })
        : null,
      conversation && isConversationId(conversation.id)
        ? c.env.CONVERSATION.getByName(conversation.id)
            .visitorUnread(site.id, conversation.visitorId)
            .catch(() => null)
        : null,
      (async () => {
        if (forgotten.length) await hub.forgetVisitors(site.id, forgotten);
        return hub.visitorSeen(site.id, w.visitorId, w.live(conversation?.id ?? null), leaving);
      })(),
    ]);
    const answer: TrackResponse = { t: token };
    if (peek) answer.p = peek;
    if (unread) answer.n = unread;
    if (seen.invited) answer.o = 1;
    return c.json(answer);
  });

/** The raw body (text/plain from sendBeacon/fetch keepalive), size-capped, as JSON. */
async function readBeacon(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("too_large", `Bodies are at most ${MAX_BODY_BYTES} bytes.`);
  const text = await request.text();
  if (new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES)
    throw new ApiError("too_large", `Bodies are at most ${MAX_BODY_BYTES} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("bad_json", "The body is not valid JSON.");
  }
}

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

/**
 * `Gadka('identify', { id, email, name, hash })`. With a valid hash the visitor is the shop's
 * verified customer `id`: if another profile already is, this anonymous one is merged into it
 * and the beacon continues as that profile (new token). Without one (missing or wrong hash),
 * the claim is stored as unverified and never merges into anything; the page is not broken.
 */
async function identify(
  env: Env,
  site: TrackSite,
  w: TrackWriter,
  d: NonNullable<TrackBody["id"]>,
  facts: RequestFacts,
): Promise<{ writer: TrackWriter; forgotten: string[] }> {
  const verified =
    site.identitySecret !== null && d.hash !== undefined && (await hmacHexVerify(site.identitySecret, d.id, d.hash.toLowerCase()));
  w.touch();
  if (!verified) {
    w.identify(d, false);
    return { writer: w, forgotten: [] };
  }
  const row = w.row;
  if (row.verified && row.external_id === d.id) {
    w.identify(d, true);
    return { writer: w, forgotten: [] };
  }
  const target = await findVerifiedCustomer(env.DB, site.id, d.id);
  if (target && target !== row.id) {
    if (row.verified) {
      // Another customer signed in on this device: continue as their profile, nothing moves.
      await w.commit();
      return { writer: await switchTo(env, site, target, w.now, facts), forgotten: [row.id] };
    }
    // Merge this anonymous visitor into the customer's verified profile.
    await w.commit();
    await env.DB.batch(mergeStatements(env.DB, site.id, await reread(env, site.id, row), target, d));
    return { writer: await switchTo(env, site, target, w.now, facts), forgotten: [row.id] };
  }
  if (row.verified) {
    // Signed in as a different customer who has no profile yet: a fresh verified profile.
    await w.commit();
    const id = newId("v");
    await env.DB.batch([
      createVerifiedStatement(env.DB, { siteId: site.id, id, externalId: d.id, email: d.email ?? null, name: d.name ?? null, now: w.now }),
    ]);
    return { writer: await switchTo(env, site, id, w.now, facts), forgotten: [row.id] };
  }
  w.identify(d, true);
  try {
    await w.commit();
  } catch (err) {
    // Another device of the same customer became verified a moment ago (unique index): merge.
    const winner = await findVerifiedCustomer(env.DB, site.id, d.id);
    if (!winner || !String(err).includes("UNIQUE")) throw err;
    const fresh = await reread(env, site.id, row);
    await env.DB.batch(mergeStatements(env.DB, site.id, fresh, winner, d));
    return { writer: await switchTo(env, site, winner, w.now, facts), forgotten: [row.id] };
  }
  return { writer: new TrackWriter(env.DB, site.id, row.id, w.row, w.now, facts), forgotten: [] };
}

async function reread(env: Env, siteId: string, row: TrackRow): Promise<TrackRow> {
  return (await loadTrackRow(env.DB, siteId, row.id)) ?? row;
}

async function switchTo(env: Env, site: TrackSite, visitorId: string, now: number, facts: RequestFacts): Promise<TrackWriter> {
  const row = await loadTrackRow(env.DB, site.id, visitorId);
  if (!row) throw new Error("verified profile vanished");
  return new TrackWriter(env.DB, site.id, visitorId, row, now, facts);
}
