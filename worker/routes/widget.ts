/**
 * Visitor REST, called by the chat iframe (same origin) and, for `/unread`, by any shop page.
 * Visitors are anonymous: an expiring signed chat token is their identity, issued and renewed
 * by `/session`. Mounted under `/api/widget`.
 */
import { Hono } from "hono";
import { EmailCaptureBody, RatingBody, StartConversationBody, type UnreadResponse, VisitorSessionBody } from "../../protocol";
import type { AppEnv } from "../app-env";
import { publicSiteByKey } from "../db/secrets";
import { ApiError } from "../lib/api-error";
import { isConversationId } from "../lib/ids";
import { clientIp } from "../lib/rate-limit";
import { verifyToken } from "../lib/tokens";
import { validate } from "../middleware/validate";
import { startConversation } from "../services/conversations";
import { captureEmail, visitorTranscript } from "../services/offline";
import { rateConversation } from "../services/rating";
import { ruleSetOf } from "../services/triggers";
import { startVisitorSession } from "../services/visitor-session";
import { requireChatVisitor } from "../services/visitor-tokens";

const bearer = (header: string | undefined) => (header?.startsWith("Bearer ") ? header.slice(7) : undefined);

export const widgetRoutes = new Hono<AppEnv>()
  .post("/session", validate("json", VisitorSessionBody), async (c) => {
    const body = c.req.valid("json");
    const session = await startVisitorSession(c.env, {
      siteKey: body.siteKey,
      chatToken: body.token,
      trackToken: body.track,
      origin: c.req.header("origin") ?? null,
      ownOrigin: new URL(c.req.url).origin,
      ip: clientIp(c.req.raw),
    });
    return c.json(session);
  })
  .post("/conversations", validate("json", StartConversationBody, { emptyAs: {} }), async (c) => {
    const who = await requireChatVisitor(c.env, bearer(c.req.header("authorization")));
    const body = c.req.valid("json");
    return c.json(await startConversation(c.env, who, body.skill, clientIp(c.req.raw), body.trigger));
  })
  .post("/email", validate("json", EmailCaptureBody), async (c) => {
    const who = await requireChatVisitor(c.env, bearer(c.req.header("authorization")));
    const body = c.req.valid("json");
    return c.json(await captureEmail(c.env, who, body.email, body.language ?? null));
  })
  .post("/transcript", async (c) => {
    const who = await requireChatVisitor(c.env, bearer(c.req.header("authorization")));
    return c.json(await visitorTranscript(c.env, who), 202);
  })
  // Satisfaction after resolve (issue 13): one tap, an optional comment.
  .post("/rating", validate("json", RatingBody), async (c) => {
    const who = await requireChatVisitor(c.env, bearer(c.req.header("authorization")));
    await rateConversation(c.env, who, c.req.valid("json"));
    return c.json({ ok: true });
  })
  .get("/unread", async (c) => {
    // Any shop page may ask: the peek token is the capability, and it reveals only a count.
    c.header("Access-Control-Allow-Origin", "*");
    const grant = await verifyToken(c.env.TOKEN_SECRET, "peek", c.req.query("peek") ?? "");
    if (!grant || !isConversationId(grant.conversationId)) throw new ApiError("unauthorized", "Invalid or expired peek token.");
    const unread = await c.env.CONVERSATION.getByName(grant.conversationId).visitorUnread(grant.siteId, grant.visitorId);
    if (unread === null) throw new ApiError("not_found", "No such conversation.");
    return c.json({ unread } satisfies UnreadResponse);
  })
  /**
   * The site's compact rule set for the trigger chunk (protocol/triggers.ts CompactRuleSet). With
   * `?v=` the current version (the beacon's `r`), it is cached for ever (a change makes a new
   * version, so a new URL); an older `v` gets the current set uncached; no `v`: a minute.
   */
  .get("/triggers/:siteKey", async (c) => {
    c.header("Access-Control-Allow-Origin", "*");
    const key = c.req.param("siteKey");
    const site = key.length <= 64 ? await publicSiteByKey(c.env.DB, key) : null;
    if (!site) throw new ApiError("not_found", "No site has this key.");
    const { version, rules } = await ruleSetOf(c.env, site.id);
    const asked = c.req.query("v");
    c.header(
      "Cache-Control",
      asked === String(version) ? "public, max-age=31536000, immutable" : asked === undefined ? "public, max-age=60" : "no-store",
    );
    return c.json(rules);
  });
