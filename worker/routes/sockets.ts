/**
 * Socket upgrades. The Worker authenticates and authorises, then forwards the upgrade to the
 * Durable Object, which accepts it with the Hibernation API (Hono's upgradeWebSocket cannot
 * hibernate). Mounted under `/ws`.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";
import { isConversationId } from "../lib/ids";
import { withParticipant } from "../lib/participant";
import { verifyVisitorToken } from "../lib/visitor-token";
import { operatorSession, siteMember } from "../middleware/operator-session";
import { sameOrigin } from "../middleware/same-origin";

const upgradeOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("upgrade_required", "This is a WebSocket endpoint.");
  }
  await next();
});

const operatorOnSite = [sameOrigin({ sockets: true }), operatorSession(), siteMember()] as const;

export const socketRoutes = new Hono<AppEnv>()
  .use(upgradeOnly)
  .get("/visitor/conversations/:conversationId", async (c) => {
    const id = c.req.param("conversationId");
    // Browsers cannot set headers on a WebSocket, so the visitor token comes in the query.
    const who = await verifyVisitorToken(c.env.TOKEN_SECRET, c.req.query("token") ?? "");
    if (!who) throw new ApiError("unauthorized", "Invalid visitor token.");
    if (!isConversationId(id)) throw new ApiError("not_found", "No such conversation.");
    // The room itself refuses a visitor who is not the conversation's owner.
    return c.env.CONVERSATION.getByName(id).fetch(withParticipant(c.req.raw, { role: "visitor", ...who }));
  })
  .get("/sites/:siteId/inbox", ...operatorOnSite, (c) => {
    return c.env.SITE_HUB.getByName(c.var.site.id).fetch(withParticipant(c.req.raw, operatorOf(c.var)));
  })
  .get("/sites/:siteId/conversations/:conversationId", ...operatorOnSite, (c) => {
    const id = c.req.param("conversationId");
    if (!isConversationId(id)) throw new ApiError("not_found", "No such conversation.");
    // The room refuses (404) a conversation that is not this site's.
    return c.env.CONVERSATION.getByName(id).fetch(withParticipant(c.req.raw, operatorOf(c.var)));
  });

function operatorOf(vars: AppEnv["Variables"]) {
  const { operator } = vars.session;
  return {
    role: "operator" as const,
    siteId: vars.site.id,
    operatorId: operator.id,
    name: operator.name,
    avatarUrl: operator.avatarUrl,
    sessionTag: vars.session.tokenHash.slice(0, 16),
  };
}
