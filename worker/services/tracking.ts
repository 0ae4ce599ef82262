/**
 * The tracking beacon (`POST /api/track`) as a use case. The Worker verifies the tracking token
 * (re-signed only when it nears its expiry), takes the site's facts from the isolate's cache
 * (db/secrets.ts), and makes ONE call to the visitor's shard (do/visitor-shard.ts), which records
 * the event in its SQLite — or, for a ping, only in its memory — and answers with the visitor's
 * conversation and a waiting invitation. No D1 and no site hub on a ping.
 *
 * Rare paths cost more: a token naming a visitor the shard does not have (a chat's visitor, a
 * shop API customer, a profile from before the shards) reads D1's directory once and seeds the
 * shard; an erased one gets a new anonymous visitor; identify runs services/identity.ts.
 * The unread count `n` comes from the visitor's shard, which asks the conversation's room only
 * when the count may have changed (shard: `unreadOf`); the peek token is signed once per isolate
 * and conversation until near its expiry. The anonymous crowd costs neither.
 */
import {
  CartData,
  type LauncherLook,
  PurchaseData,
  type SiteSettings,
  type TrackBody,
  type TrackResponse,
  TriggerEvent,
} from "../../protocol";
import { type PublicSite, publicSiteByKey } from "../db/secrets";
import { conversationOfGroup, type RequestFacts, type TrackConversation } from "../db/tracking";
import type { ShardBeaconResult } from "../do/visitor-shard";
import type { Env } from "../env";
import { assertOriginAllowed } from "../lib/allowed-origins";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { isConversationId } from "../lib/ids";
import { verifyLegacyTrackToken } from "../lib/legacy-tokens";
import { parse } from "../lib/parse";
import { limitBeacon, limitNewVisitor } from "../lib/rate-limit";
import { signToken, verifyToken } from "../lib/tokens";
import { cleanUrl } from "../lib/traffic";
import { directorySeed, identifyVisitor } from "./identity";
import { cachedTriggerSet, operatorsAvailable, ruleVersion, triggerFactsOf, triggerOfEvent } from "./triggers";
import { previousShardFor, type ShardLayout, shardFor } from "./visitor-shards";

/** A tracking token is re-signed when it has less than this left (it lives 365 days). */
export const TRACK_RENEW_BEFORE_MS = 30 * 86_400_000;

export interface Beacon {
  body: TrackBody;
  facts: RequestFacts;
  origin: string | null;
  ownOrigin: string;
  ip: string | null;
}

export function layoutOf(site: PublicSite): ShardLayout {
  return { siteId: site.id, shards: site.visitorShards, from: site.visitorShardsFrom };
}

export async function recordBeacon(env: Env, { body, facts, origin, ownOrigin, ip }: Beacon): Promise<TrackResponse> {
  const site = await publicSiteByKey(env.DB, body.k);
  if (!site) throw new ApiError("not_found", "No site has this key. Check the data-site attribute of the snippet.");
  assertOriginAllowed(site.allowedOrigins, origin, ownOrigin);

  // Consent mode: without the shop's word that the visitor agreed, nothing is stored at all.
  if (body.c === false || (site.settings.consentRequired && body.c !== true)) return { x: 1 };

  checkEvent(body);
  const now = Date.now();
  const layout = layoutOf(site);
  // Proactive triggers: the site's set from the isolate's cache (no D1 read on most beacons).
  const triggers = await cachedTriggerSet(env, site.id);
  const version = ruleVersion(triggers);
  const extra: BeaconExtra = {};
  if (body.e === "trigger") {
    const event = parse(TriggerEvent, body.d);
    // A trigger deleted or disabled since the page got its rules: nothing is recorded.
    const trigger = triggerOfEvent(triggers, event.t);
    if (trigger) extra.trigger = { id: trigger.id, salt: trigger.salt, holdoutPercent: trigger.holdoutPercent };
  }
  if (version !== null && (body.e === "view" || (body.rv !== undefined && body.rv !== version))) extra.wantFacts = true;
  const presented = body.t ? await readPresented(env.TOKEN_SECRET, body.t, now) : null;
  let outcome: Extract<ShardBeaconResult, { status: "ok" }> | null = null;
  if (presented && presented.siteId === site.id) {
    await limitBeacon(env, site.id, presented.visitorId);
    outcome = await reach(env, layout, presented.visitorId, body, facts, now, extra);
  }
  // No token, a foreign or forged one, or a visitor since erased: a new anonymous visitor.
  if (!outcome) {
    await limitNewVisitor(env, ip, site.id);
    const id = newId("v");
    const home = shardFor(env, layout, id);
    const r = await home.stub.beacon({ siteId: site.id, shard: home.shard, visitorId: id, create: true, body, facts, now, ...extra });
    if (r.status !== "ok") throw new Error("a new visitor was not created");
    outcome = r;
  }

  let visitorId = outcome.visitorId;
  let conversation: TrackConversation | null = outcome.conversation;
  if (body.e === "identify") {
    if (!body.id) throw new ApiError("validation_failed", "id: identify needs { id, email?, name?, hash? }.");
    const who = await identifyVisitor(env, site, layout, visitorId, body.id, facts, now);
    if (who.visitorId !== visitorId) {
      visitorId = who.visitorId;
      conversation = await conversationOfGroup(env.DB, site.id, visitorId);
      const home = shardFor(env, layout, visitorId);
      if (conversation) await home.stub.noteConversation(site.id, home.shard, visitorId, conversation);
    }
  }

  const renew = !presented || presented.legacy || presented.visitorId !== visitorId || presented.expiresAt - now < TRACK_RENEW_BEFORE_MS;
  // The shard answered the unread count of the conversation it knows (asking the room only when
  // it may have changed); identify may have switched to another profile's conversation.
  const sameConversation = conversation?.id === outcome.conversation?.id && conversation?.visitorId === outcome.conversation?.visitorId;
  const [token, peek, unread] = await Promise.all([
    renew ? signToken(env.TOKEN_SECRET, "track", { siteId: site.id, visitorId }, now).then((t) => t.token) : body.t!,
    conversation ? peekToken(env.TOKEN_SECRET, site.id, conversation, now) : null,
    sameConversation
      ? outcome.unread
      : conversation && isConversationId(conversation.id)
        ? env.CONVERSATION.getByName(conversation.id)
            .visitorUnread(site.id, conversation.visitorId)
            .catch(() => null)
        : null,
  ]);
  const answer: TrackResponse = { t: token };
  if (peek) answer.p = peek;
  if (unread) answer.n = unread;
  if (outcome.invited) answer.o = 1;
  if (version !== null) {
    answer.r = version;
    if (outcome.facts) {
      const [going, available] = await Promise.all([
        conversation ? conversationGoing(env, site.id, conversation.id) : false,
        triggers.triggers.some((t) => t.enabled && t.conditions.some((c) => c.type === "operators"))
          ? operatorsAvailable(env, site.id)
          : null,
      ]);
      // This request's country, device and language first: the profile keeps a visit's first ones.
      const shardFacts = {
        ...outcome.facts,
        country: facts.country ?? outcome.facts.country,
        device: facts.device?.type ?? outcome.facts.device,
        language: facts.language ?? outcome.facts.language,
      };
      answer.g = triggerFactsOf(triggers, visitorId, shardFacts, site.settings.businessHours, going, available, now);
    }
  }
  if (body.e === "view") answer.b = launcherLook(site.settings);
  return answer;
}

/** A peek token is signed again when it has less than this left (it lives 30 days). */
const PEEK_RENEW_BEFORE_MS = 86_400_000;
const MAX_PEEK_CACHE = 10_000;
const peeks = new Map<string, { token: string; expiresAt: number }>();

/**
 * The conversation's peek token, signed once per isolate and conversation until it nears its
 * expiry, not on every beacon (an HMAC each 15 s per chatting visitor otherwise).
 */
async function peekToken(secret: string, siteId: string, c: TrackConversation, now: number): Promise<string> {
  const key = `${siteId}|${c.visitorId}|${c.id}`;
  const hit = peeks.get(key);
  if (hit && hit.expiresAt - now > PEEK_RENEW_BEFORE_MS) return hit.token;
  const signed = await signToken(secret, "peek", { siteId, visitorId: c.visitorId, conversationId: c.id }, now);
  if (peeks.size >= MAX_PEEK_CACHE) peeks.clear();
  peeks.set(key, signed);
  return signed.token;
}

interface BeaconExtra {
  trigger?: { id: string; salt: string; holdoutPercent: number };
  wantFacts?: boolean;
}

/** The visitor's conversation is open (a resolved one from last month does not hold triggers back). One D1 read, on page views of sites with triggers only. */
async function conversationGoing(env: Env, siteId: string, conversationId: string): Promise<boolean> {
  const status = await env.DB.prepare("SELECT status FROM conversations WHERE site_id = ? AND id = ?")
    .bind(siteId, conversationId)
    .first<string>("status");
  return status === "open";
}

/** Coded errors before anything reaches a shard (an error thrown across the RPC would lose its code). */
function checkEvent(body: TrackBody): void {
  switch (body.e) {
    case "view":
      if (!cleanUrl(body.u)) throw new ApiError("validation_failed", "u: a page view needs the page's http(s) URL.");
      break;
    case "identify":
      if (!body.id) throw new ApiError("validation_failed", "id: identify needs { id, email?, name?, hash? }.");
      break;
    case "attributes":
      if (!body.a) throw new ApiError("validation_failed", "a: attributes needs an object of values.");
      break;
    case "cart":
      parse(CartData, body.d);
      break;
    case "purchase":
      parse(PurchaseData, body.d);
      break;
    case "trigger":
      parse(TriggerEvent, body.d);
      break;
  }
}

async function readPresented(secret: string, token: string, now: number) {
  const t = await verifyToken(secret, "track", token, now);
  if (t) return { siteId: t.siteId, visitorId: t.visitorId, expiresAt: t.expiresAt, legacy: false };
  const legacy = await verifyLegacyTrackToken(secret, token);
  return legacy ? { ...legacy, expiresAt: 0, legacy: true } : null;
}

/**
 * The beacon at the visitor's shard, following merges (to another shard, maybe) and adopting a
 * profile only D1's directory has. Null: no such visitor anywhere (erased, or never existed).
 */
async function reach(
  env: Env,
  layout: ShardLayout,
  visitorId: string,
  body: TrackBody,
  facts: RequestFacts,
  now: number,
  extra: BeaconExtra,
): Promise<Extract<ShardBeaconResult, { status: "ok" }> | null> {
  let id = visitorId;
  for (let hops = 0; hops < 4; hops++) {
    const home = shardFor(env, layout, id);
    const input = { siteId: layout.siteId, shard: home.shard, visitorId: id, create: false, body, facts, now, ...extra };
    let r = await home.stub.beacon(input);
    if (r.status === "unknown") {
      // A reshard under way: the visitor may not have been copied yet.
      const before = previousShardFor(env, layout, id);
      const moved = before ? await before.stub.handOver(layout.siteId, before.shard, id) : null;
      if (moved) r = await home.stub.beacon({ ...input, trail: moved });
    }
    if (r.status === "unknown") {
      const seed = await directorySeed(env, layout.siteId, id);
      if (!seed) return null;
      if (seed.row.merged_into) {
        id = seed.row.merged_into;
        continue;
      }
      r = await home.stub.beacon({ ...input, seed });
    }
    if (r.status === "merged") {
      id = r.into;
      continue;
    }
    if (r.status === "ok") return r;
    return null;
  }
  return null;
}

/** The launcher's look for the loader (TrackResponse.b), from the site's branding. */
export function launcherLook({ accentColor, branding: b }: SiteSettings): LauncherLook {
  return [
    accentColor,
    b.textColor,
    b.position === "left" ? "l" : "r",
    b.offsetX,
    b.offsetY,
    b.label,
    b.hideOnMobile ? 1 : 0,
    b.launcher === "hidden" ? 1 : 0,
    b.locale === "auto" ? "" : b.locale,
  ];
}
