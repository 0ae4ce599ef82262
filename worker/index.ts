/**
 * Gadka's Worker entry: the Hono app (REST under /api, sockets under /ws, the chat page at
 * /chat/) and the Durable Object classes. Other static files (widget, chat scripts, admin, demo
 * shop) are served by Workers assets and never reach this code.
 */
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { AppEnv } from "./app-env";
import { ConversationRoom as ConversationRoomObject } from "./do/conversation-room";
import { SiteHub as SiteHubObject } from "./do/site-hub";
import { VisitorShard as VisitorShardObject } from "./do/visitor-shard";
import type { Env } from "./env";
import { ApiError } from "./lib/api-error";
import { countedFetch, countedObject } from "./lib/metrics";
import { handleError, handleNotFound } from "./middleware/error-handler";
import { operatorSession, siteMember } from "./middleware/operator-session";
import { sameOrigin } from "./middleware/same-origin";
import {
  accountAuthRoutes,
  meSecurityRoutes,
  newSiteRoutes,
  siteInstallRoutes,
  siteProfileRoutes,
  siteSecurityRoutes,
} from "./routes/accounts";
import { authRoutes, meRoutes } from "./routes/auth";
import { chatPage } from "./routes/chat-page";
import { conversationRoutes } from "./routes/conversations";
import { deployRoutes } from "./routes/deploy";
import { devMailRoutes } from "./routes/dev-mail";
import { emailRoutes } from "./routes/email";
import { fileRoutes } from "./routes/files";
import { liveRoutes } from "./routes/live";
import { reportRoutes } from "./routes/reports";
import { savedReplyRoutes } from "./routes/saved-replies";
import { searchRoutes } from "./routes/search";
import { segmentRoutes } from "./routes/segments";
import { sentMailRoutes } from "./routes/sent-mail";
import { settingsRoutes } from "./routes/settings";
import { shopApiRoutes } from "./routes/shop-api";
import { socketRoutes } from "./routes/sockets";
import { invitationRoutes, teamRoutes } from "./routes/team";
import { trackRoutes } from "./routes/track";
import { triggerCapsRoutes, triggerRoutes } from "./routes/triggers";
import { audienceRoutes, visitorRoutes } from "./routes/visitors";
import { widgetRoutes } from "./routes/widget";
import { receiveEmail } from "./services/inbound-mail";
import { runRetention } from "./services/privacy";
import { REPORT_ROLLUP_CRON, runReportRollups } from "./services/report-rollups";

// The classes wrangler.toml binds. `countedObject` is the benchmark's counting hook: the class
// itself unless the GADKA_METRICS var is set (worker/lib/metrics.ts).
export const ConversationRoom = countedObject(ConversationRoomObject, "ConversationRoom");
export type ConversationRoom = ConversationRoomObject;
export const SiteHub = countedObject(SiteHubObject, "SiteHub");
export type SiteHub = SiteHubObject;
export const VisitorShard = countedObject(VisitorShardObject, "VisitorShard");
export type VisitorShard = VisitorShardObject;

const app = new Hono<AppEnv>();
app.onError(handleError);
app.notFound(handleNotFound);

// Path parameters are decoded once, by Hono, which keeps malformed escapes (`%ff`, a lone
// surrogate) as they are; such a path names nothing, and a second decode in a route threw (500).
app.use("*", async (c, next) => {
  try {
    decodeURIComponent(new URL(c.req.url).pathname);
  } catch {
    throw new ApiError("bad_request", "The path is not valid percent-encoded UTF-8.");
  }
  await next();
});
app.use("/api/*", secureHeaders({ crossOriginResourcePolicy: false }), async (c, next) => {
  await next();
  // API answers are personal and live; only files (avatars) say otherwise themselves.
  if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
});
// Cookie-authenticated routes refuse cross-site writes; the widget API uses bearer tokens instead.
app.use("/api/auth/*", sameOrigin());
app.use("/api/sites/*", sameOrigin());

app.route("/api/auth", authRoutes);
app.route("/api/auth", accountAuthRoutes);
app.route("/api/me", meRoutes);
app.route("/api/me", meSecurityRoutes);
app.route("/api/sites", newSiteRoutes);
app.use("/api/sites/:siteId/*", operatorSession(), siteMember());
app.route("/api/sites/:siteId/conversations", conversationRoutes);
app.route("/api/sites/:siteId/operators", teamRoutes);
app.route("/api/sites/:siteId/invitations", invitationRoutes);
app.route("/api/sites/:siteId/search", searchRoutes);
app.route("/api/sites/:siteId/saved-replies", savedReplyRoutes);
app.route("/api/sites/:siteId/settings", settingsRoutes);
app.route("/api/sites/:siteId/visitors", visitorRoutes);
app.route("/api/sites/:siteId/segments", segmentRoutes);
app.route("/api/sites/:siteId/audience", audienceRoutes);
app.route("/api/sites/:siteId/profile", siteProfileRoutes);
app.route("/api/sites/:siteId/install", siteInstallRoutes);
app.route("/api/sites/:siteId/security", siteSecurityRoutes);
app.route("/api/sites/:siteId/sent-mail", sentMailRoutes);
app.route("/api/sites/:siteId/live", liveRoutes);
app.route("/api/sites/:siteId/reports", reportRoutes);
app.route("/api/sites/:siteId/triggers", triggerRoutes);
app.route("/api/sites/:siteId/trigger-caps", triggerCapsRoutes);
// The beacon (any allowed shop origin, tracking token) and the shop's server API (secret key): no cookies.
app.route("/api/track", trackRoutes);
app.route("/api/deploy", deployRoutes);
app.route("/api/v1", shopApiRoutes);
app.route("/api/widget", widgetRoutes);
app.route("/api/files", fileRoutes);
// Unsubscribe links (the signed token is the capability) and the development inbound door.
app.route("/api/email", emailRoutes);
// Development only: the account emails' log (sign-up confirmation, invitations, resets).
app.route("/api/dev/mail", devMailRoutes);
app.route("/ws", socketRoutes);
app.get("/chat/", chatPage);
app.get("/chat/index.html", chatPage);

export default {
  // Counted per request kind when the GADKA_METRICS var is set (worker/lib/metrics.ts); app.fetch otherwise.
  fetch: countedFetch(app.fetch),
  /**
   * Email Routing hands the reply subdomain's mail here: a visitor's reply continues their
   * conversation; anything else is refused (the sender's server bounces it).
   */
  async email(message, env, _ctx) {
    const outcome = await receiveEmail(env, message);
    if (outcome.outcome === "rejected") message.setReject(outcome.reason);
  },
  /** Cron (wrangler.toml [triggers]): data retention at :17, the reports' daily rollups at :47. */
  async scheduled(controller, env, _ctx) {
    if (controller.cron === REPORT_ROLLUP_CRON) await runReportRollups(env, controller.scheduledTime);
    else await runRetention(env, Date.now());
  },
} satisfies ExportedHandler<Env>;
