/**
 * Starting and joining conversations outside the socket: a visitor starts theirs, an operator
 * invites a visitor from the Live view, and a message arrives from elsewhere (a visitor's email
 * reply). Each proves through D1 that the conversation (or visitor) is the site's before its
 * Durable Object is touched.
 */
import * as v from "valibot";
import { type ChatMessage, type InviteResponse, MAX_CLIENT_ID_CHARS, MessageText, type StartConversationResponse } from "../../protocol";
import { createOrGetConversation, getConversation } from "../db/conversations";
import { getSiteSettings } from "../db/sites";
import type { TrackConversation } from "../db/tracking";
import { touchChatVisitor } from "../db/visitors";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { newId } from "../lib/crypto";
import { isConversationId } from "../lib/ids";
import { parse } from "../lib/parse";
import { limitNewConversation } from "../lib/rate-limit";
import { signToken } from "../lib/tokens";
import { promoteToDirectory } from "./directory";
import { triggerOpening } from "./triggers";
import { locateProfile } from "./visitor-reads";
import { shardFor, siteLayout } from "./visitor-shards";
import type { VisitorIdentity } from "./visitor-tokens";

/** The visitor's conversation, created on first use; `skill` counts only if the shop offers that topic. */
export async function startConversation(
  env: Env,
  who: VisitorIdentity,
  skill: string | null | undefined,
  ip: string | null,
  triggerId?: string,
): Promise<StartConversationResponse> {
  await limitNewConversation(env, ip, who.siteId);
  const now = Date.now();
  // An erased visitor's token is dead: no conversation (and no visitor row) comes back for it.
  if (!(await touchChatVisitor(env.DB, who.siteId, who.visitorId, now))) {
    throw new ApiError("unauthorized", "This visitor no longer exists; start a new session (POST /api/widget/session).");
  }
  const topics = skill ? (await getSiteSettings(env.DB, who.siteId)).topics : [];
  const routedSkill = topics.some((t) => t.skill === skill) ? (skill ?? null) : null;
  // A reply to a trigger's teaser: only this site's enabled triggers count (anything else starts a plain conversation).
  const opening = triggerId ? await triggerOpening(env, who.siteId, triggerId) : null;
  const fresh = newId("c");
  const { id, createdAt } = await createOrGetConversation(env.DB, { id: fresh, ...who, now }, { touch: false });
  const room = env.CONVERSATION.getByName(id);
  if (opening && id === fresh) {
    const t = opening.trigger;
    await env.DB.prepare("UPDATE conversations SET trigger_id = ? WHERE site_id = ? AND id = ? AND trigger_id IS NULL")
      .bind(t.id, who.siteId, id)
      .run();
    await room.initializeFromTrigger({ id, ...who, createdAt, skill: routedSkill, trigger: t.id }, opening.sender, t.action.message);
  } else {
    // Idempotent: also completes a creation whose earlier attempt stopped after the D1 insert.
    await room.initialize({ id, ...who, createdAt, skill: routedSkill });
  }
  const profile = await noteConversation(env, who.siteId, who.visitorId, { id, visitorId: who.visitorId });
  if (opening && id === fresh) {
    await profile.home.stub.noteTriggerConversation(who.siteId, profile.home.shard, profile.id, opening.trigger, id, now);
  }
  const peek = await signToken(env.TOKEN_SECRET, "peek", { ...who, conversationId: id }, now);
  return { conversationId: id, peekToken: peek.token };
}

/**
 * Tells the shard of the profile the chat's visitor tracks as (itself, or the verified profile it
 * was merged into) about the conversation, so that visitor's beacons answer with it.
 */
async function noteConversation(
  env: Env,
  siteId: string,
  visitorId: string,
  conversation: TrackConversation,
): Promise<{ id: string; home: ReturnType<typeof shardFor> }> {
  const merged = await env.DB.prepare("SELECT merged_into FROM visitors WHERE site_id = ? AND id = ?")
    .bind(siteId, visitorId)
    .first<string | null>("merged_into");
  const layout = await siteLayout(env, siteId);
  const profile = merged ?? visitorId;
  const home = shardFor(env, layout, profile);
  await home.stub.noteConversation(siteId, home.shard, profile, conversation);
  return { id: profile, home };
}

export interface Inviter {
  id: string;
  name: string;
  avatarUrl: string | null;
}

/** An operator's personal message that opens in the visitor's widget (their conversation, created if needed). */
export async function inviteVisitor(env: Env, siteId: string, visitorId: string, operator: Inviter, text: string): Promise<InviteResponse> {
  const layout = await siteLayout(env, siteId);
  const found = await locateProfile(env, layout, visitorId);
  if (!found) throw new ApiError("not_found", "No such visitor on this site.");
  const canonicalId = found.row.id;
  // Invited: a profile that matters beyond this visit, so D1's directory has it from now on.
  if (found.where === "shard") await promoteToDirectory(env, layout, canonicalId);
  // An operator's action is not the visitor's activity: their last-seen time stays as it is.
  const { id, createdAt } = await createOrGetConversation(
    env.DB,
    { id: newId("c"), siteId, visitorId: canonicalId, now: Date.now() },
    { touch: false },
  );
  await env.CONVERSATION.getByName(id).invite({ id, siteId, visitorId: canonicalId, createdAt, skill: null }, operator, text);
  const home = shardFor(env, layout, canonicalId);
  await home.stub.noteConversation(siteId, home.shard, canonicalId, { id, visitorId: canonicalId });
  // The visitor's next beacon (at their shard) answers "open".
  await home.stub.invite(siteId, home.shard, canonicalId);
  return { conversationId: id };
}

/**
 * A visitor's message that did not come through the chat (an email reply): stored, ordered and
 * broadcast like any other, idempotent on `clientId`. Null when the conversation is not the site's.
 */
export async function appendExternalMessage(
  env: Env,
  siteId: string,
  conversationId: string,
  m: { clientId: string; text: string; via: "email" },
): Promise<{ message: ChatMessage; duplicate: boolean } | null> {
  if (!isConversationId(conversationId) || !(await getConversation(env.DB, siteId, conversationId))) return null;
  const text = parse(MessageText, m.text);
  const clientId = parse(ClientId, m.clientId);
  return env.CONVERSATION.getByName(conversationId).appendExternal(siteId, { role: "visitor", clientId, text, via: m.via });
}

// frames.ts keeps its ClientId private; this is the same rule for a message that comes without a frame.
const ClientId = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_CLIENT_ID_CHARS));
