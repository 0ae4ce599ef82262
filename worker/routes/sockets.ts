/**
 * Socket upgrades. The Worker authenticates and authorises — and proves through D1 that the
 * conversation is the caller's — then forwards the upgrade to the Durable Object, which accepts
 * it with the Hibernation API (Hono's upgradeWebSocket cannot hibernate). A refusal is an
 * accepted socket closed with its code (4401 / 4403 / 4404), which a reconnecting client treats
 * as final. Mounted under `/ws`.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import type { AppEnv } from "../app-env";
import { conversationOwnership } from "../db/conversation-access";
import { getConversation } from "../db/conversations";
import { ApiError } from "../lib/api-error";
import { ConversationId } from "../lib/ids";
import { type Participant, withParticipant } from "../lib/participant";
import { refuseSocket } from "../lib/socket-refusal";
import { handleError } from "../middleware/error-handler";
import { operatorSession, siteMember } from "../middleware/operator-session";
import { sameOrigin } from "../middleware/same-origin";
import { validate } from "../middleware/validate";
import { sessionTagOf } from "../services/auth";
import { requireChatVisitor } from "../services/visitor-tokens";

const isUpgrade = (request: Request) => request.headers.get("upgrade")?.toLowerCase() === "websocket";

const upgradeOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!isUpgrade(c.req.raw)) throw new ApiError("upgrade_required", "This is a WebSocket endpoint.");
  await next();
});

// Browsers cannot set headers on a WebSocket, so the chat token comes in the query. It is
// checked before the id, so a stranger learns nothing about ids.
const chatVisitor = createMiddleware<AppEnv>(async (c, next) => {
  c.set("visitor", await requireChatVisitor(c.env, c.req.query("token")));
  await next();
});

const operatorOnSite = [sameOrigin({ sockets: true }), operatorSession(), siteMember()] as const;
const conversation = validate("param", v.object({ conversationId: ConversationId }), { notFound: "No such conversation." });
const noConversation = () => new ApiError("not_found", "No such conversation.");

export const socketRoutes = new Hono<AppEnv>()
  .onError((err, c) => (err instanceof ApiError && isUpgrade(c.req.raw) ? refuseSocket(err.code, err.message) : handleError(err, c)))
  .use(upgradeOnly)
  .get("/visitor/conversations/:conversationId", chatVisitor, conversation, async (c) => {
    const id = c.req.valid("param").conversationId;
    const who = c.var.visitor;
    const ownership = await conversationOwnership(c.env.DB, who.siteId, id, who.visitorId);
    if (ownership === null) throw noConversation();
    if (ownership === "other") throw new ApiError("forbidden", "This conversation belongs to someone else.");
    return c.env.CONVERSATION.getByName(id).fetch(withParticipant(c.req.raw, { role: "visitor", ...who }));
  })
  .get("/sites/:siteId/inbox", ...operatorOnSite, (c) => {
    return c.env.SITE_HUB.getByName(c.var.site.id).fetch(withParticipant(c.req.raw, operatorOf(c.var)));
  })
  .get("/sites/:siteId/conversations/:conversationId", ...operatorOnSite, conversation, async (c) => {
    const id = c.req.valid("param").conversationId;
    if (!(await getConversation(c.env.DB, c.var.site.id, id))) throw noConversation();
    const who = operatorOf(c.var);
    // A sign-out of this session closes this socket too; the hub learns of it off the upgrade's path.
    c.executionCtx.waitUntil(
      c.env.SITE_HUB.getByName(who.siteId)
        .noteViewer(who.siteId, who.sessionTag, who.operatorId, id)
        .catch((err) => console.warn("noteViewer failed", String(err))),
    );
    return c.env.CONVERSATION.getByName(id).fetch(withParticipant(c.req.raw, who));
  });

function operatorOf(vars: AppEnv["Variables"]): Extract<Participant, { role: "operator" }> {
  const { operator } = vars.session;
  return {
    role: "operator",
    siteId: vars.site.id,
    operatorId: operator.id,
    name: operator.name,
    avatarUrl: operator.avatarUrl,
    sessionTag: sessionTagOf(vars.session.tokenHash),
  };
}
