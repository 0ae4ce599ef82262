/**
 * The tracking beacon (`POST /api/track`) as a use case: who the visitor is (the tracking token;
 * a new anonymous visitor otherwise, never an erased one's id), what the event changes (page
 * views, visits, identity, attributes, cart, purchases), the Live view, and the answer: the
 * tracking token to keep, the peek token, the unread count and a pending invitation.
 */
import { CartData, PurchaseData, type TrackBody, type TrackResponse } from "../../protocol";
import { publicSiteByKey } from "../db/secrets";
import { conversationOfGroup, loadTrack, type RequestFacts, TrackWriter } from "../db/tracking";
import type { Env } from "../env";
import { assertOriginAllowed } from "../lib/allowed-origins";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { isConversationId } from "../lib/ids";
import { parse } from "../lib/parse";
import { limitBeacon, limitNewVisitor } from "../lib/rate-limit";
import { signToken } from "../lib/tokens";
import { cleanUrl } from "../lib/traffic";
import { identify } from "./identity";
import { readTrackToken } from "./visitor-tokens";

export interface Beacon {
  body: TrackBody;
  facts: RequestFacts;
  origin: string | null;
  ownOrigin: string;
  ip: string | null;
}

export async function recordBeacon(env: Env, { body, facts, origin, ownOrigin, ip }: Beacon): Promise<TrackResponse> {
  const site = await publicSiteByKey(env.DB, body.k);
  if (!site) throw new ApiError("not_found", "No site has this key. Check the data-site attribute of the snippet.");
  assertOriginAllowed(site.allowedOrigins, origin, ownOrigin);

  // Consent mode: without the shop's word that the visitor agreed, nothing is stored at all.
  if (body.c === false || (site.settings.consentRequired && body.c !== true)) return { x: 1 };

  const presented = body.t ? await readTrackToken(env.TOKEN_SECRET, body.t) : null;
  const viewKey = body.pv ?? null;
  let visitorId = presented && presented.siteId === site.id ? presented.visitorId : null;
  let loaded = visitorId ? await loadTrack(env.DB, site.id, visitorId, viewKey) : { row: null, conversation: null };
  if (loaded.row?.merged_into) {
    // Merged into a verified profile on another page: carry on as that profile.
    visitorId = loaded.row.merged_into;
    loaded = await loadTrack(env.DB, site.id, visitorId, viewKey);
  }
  const existing = loaded.row;
  // No token, a foreign or forged one, or a visitor since erased: a new anonymous visitor.
  if (!existing || existing.merged_into) {
    await limitNewVisitor(env, ip, site.id);
    visitorId = newId("v");
  } else {
    await limitBeacon(env, site.id, visitorId!);
  }

  const now = Date.now();
  let w = new TrackWriter(env.DB, site.id, visitorId!, existing?.merged_into ? null : existing, now, facts);
  w.language(body.l);
  const forgotten: string[] = [];
  let leaving = false;

  switch (body.e) {
    case "view": {
      const url = cleanUrl(body.u);
      if (!url) throw new ApiError("validation_failed", "u: a page view needs the page's http(s) URL.");
      w.view(url, body.u!, body.ti ?? null, body.r, viewKey);
      break;
    }
    case "ping":
    case "leave": {
      // The tab's own page view: another tab's pings never time, retitle or repeat this one.
      const page = w.pageView(body.pv, cleanUrl(body.u));
      if (!page) {
        w.touch();
      } else if (w.idle) {
        // Back after idleness: a ping from a page viewed before is a new view of it; a late leave changes nothing.
        if (body.e === "ping") w.view(page.url, body.u ?? page.url, page.title, undefined, viewKey);
      } else {
        w.stillThere(page, body.ms);
        // Only leaving the current page takes the visitor out of the Live view.
        leaving = body.e === "leave" && page.current;
      }
      break;
    }
    case "identify": {
      if (!body.id) throw new ApiError("validation_failed", "id: identify needs { id, email?, name?, hash? }.");
      const result = await identify(env, site, w, body.id, facts);
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
        : await conversationOfGroup(env.DB, site.id, w.visitorId);
  const hub = env.SITE_HUB.getByName(site.id);
  const [token, peek, unread, seen] = await Promise.all([
    signToken(env.TOKEN_SECRET, "track", { siteId: site.id, visitorId: w.visitorId }, now),
    conversation
      ? signToken(env.TOKEN_SECRET, "peek", { siteId: site.id, visitorId: conversation.visitorId, conversationId: conversation.id }, now)
      : null,
    conversation && isConversationId(conversation.id)
      ? env.CONVERSATION.getByName(conversation.id)
          .visitorUnread(site.id, conversation.visitorId)
          .catch(() => null)
      : null,
    (async () => {
      if (forgotten.length) await hub.forgetVisitors(site.id, forgotten);
      return hub.visitorSeen(site.id, w.visitorId, w.live(conversation?.id ?? null), leaving);
    })(),
  ]);
  const answer: TrackResponse = { t: token.token };
  if (peek) answer.p = peek.token;
  if (unread) answer.n = unread;
  if (seen.invited) answer.o = 1;
  return answer;
}
