/**
 * SiteHub: one Durable Object per shop, a thin dispatcher over its parts — the store (inbox,
 * routing state; hub-store.ts), routing through one serialised queue (hub-routing.ts), the
 * operators' dashboards and presence (dashboards.ts), the Live view (live-view.ts), and durable
 * timers on its one alarm (re-assignment, Live view expiry). Rebuilt from D1 when its storage
 * is new. The Worker reaches it through its stub: `fetch` for dashboard sockets, RPC for the rest.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_CODES,
  type ConversationSummary,
  decodeHubFrame,
  type LiveAggregate,
  type LiveVisitor,
  type OnlineOperator,
  PING,
  PONG,
  SESSION_TTL_SECONDS,
  type SiteSettings,
} from "../../protocol";
import type { Env } from "../env";
import { errorResponse } from "../lib/api-error";
import { readParticipant, type SessionMatch } from "../lib/participant";
import type { ConversationRoom } from "./conversation-room";
import { Dashboards } from "./dashboards";
import { DurableTimers } from "./durable-timers";
import { HubRoster } from "./hub-roster";
import { HubRouting, type RoutingTimer } from "./hub-routing";
import { HubStore } from "./hub-store";
import { LiveView } from "./live-view";
import { answerClose, refuseSocket } from "./socket-send";

/** Rooms told of a policy change (or a sign-out) at once. */
const PARALLEL_ROOMS = 8;

export class SiteHub extends DurableObject<Env> {
  private readonly store: HubStore;
  private readonly roster: HubRoster;
  private readonly dashboards: Dashboards;
  private readonly live: LiveView;
  private readonly routing: HubRouting;
  private readonly timers: DurableTimers<RoutingTimer | "live">;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new HubStore(ctx.storage.sql);
    this.roster = new HubRoster(env, () => this.store.siteId());
    this.dashboards = new Dashboards(ctx, this.roster, () => this.store.loads());
    this.live = new LiveView(ctx.storage.sql, {
      broadcast: (frame) => this.dashboards.broadcast(frame),
      conversation: (id) => this.store.summary(id),
    });
    this.timers = new DurableTimers(ctx.storage, {
      reassign: { run: () => this.routing.reassignOverdue() },
      serve: { run: () => this.routing.serveQueue() },
      live: { run: () => this.expireLive() },
    });
    this.routing = new HubRouting(env, ctx, this.store, this.roster, this.dashboards, this.timers);
    // A hub from before durable timers: whatever its old alarm was for is looked at again now.
    if (this.store.upgradedFrom > 0 && this.store.upgradedFrom < 4) {
      this.timers.set("reassign", Date.now());
      this.timers.set("live", Date.now());
    }
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // ---- RPC ----------------------------------------------------------------------------------

  /** A conversation changed: keep the newest revision, tell every dashboard, route if needed. */
  async conversationChanged(summary: ConversationSummary): Promise<void> {
    const current = this.store.summary(summary.id);
    if (current && current.rev >= summary.rev) return;
    this.store.rememberSite(summary.siteId);
    // Profiles live in D1, not in the room: keep the visitor name the hub already knows.
    const merged: ConversationSummary = {
      ...summary,
      visitorName: summary.visitorName ?? current?.visitorName ?? this.live.nameOf(summary.visitorId),
    };
    this.store.put(merged);
    this.dashboards.broadcast({ type: "inbox.update", conversation: merged });
    this.live.conversationChanged(merged);
    await this.routing.conversationChanged(merged.id);
  }

  /**
   * The tracking beacon saw a visitor: `visitor` is their Live view entry when they are on a page
   * (null otherwise). Returns whether an operator's invitation was waiting for them (and clears it).
   */
  visitorSeen(siteId: string, visitorId: string, visitor: LiveVisitor | null, leaving = false): { invited: boolean } {
    this.store.rememberSite(siteId);
    const { expiresAt, invited } = this.live.seen(visitorId, visitor, leaving, Date.now());
    if (expiresAt !== null) this.timers.setIfEarlier("live", expiresAt);
    if (visitor?.name && visitor.conversationId) this.renamed(this.store.rename({ conversationId: visitor.conversationId }, visitor.name));
    return { invited };
  }

  /**
   * A visitor shard's Live view aggregate (at most once a second, after a visible change).
   * Contract stub (issue 10): the hub's Live view is rebuilt on these.
   */
  async liveAggregate(_siteId: string, _aggregate: LiveAggregate): Promise<void> {}

  /** An operator invited this visitor: their loader's next beacon answers `o: 1`. */
  invite(siteId: string, visitorId: string): void {
    this.store.rememberSite(siteId);
    this.live.invite(visitorId, Date.now());
  }

  /**
   * Visitors erased or merged away: out of the Live view, and (erasure) their conversations out
   * of the inbox, routing and the queue.
   */
  async forgetVisitors(siteId: string, visitorIds: string[], conversationIds: string[] = []): Promise<void> {
    if (this.store.siteId() !== siteId) return;
    this.live.forget(visitorIds);
    for (const id of conversationIds) {
      this.store.remove(id);
      this.dashboards.broadcast({ type: "inbox.remove", conversationId: id });
    }
    if (conversationIds.length) await this.routing.forget(conversationIds);
  }

  /** Everyone on the site now. */
  liveVisitors(): LiveVisitor[] {
    return this.live.visitors(Date.now());
  }

  operatorsOnline(): OnlineOperator[] {
    return this.dashboards.online();
  }

  /** Capacity, skills or the team changed: read them again; freed capacity serves the queue. */
  async rosterChanged(): Promise<void> {
    this.roster.invalidate();
    await this.roster.load();
    this.dashboards.broadcastPresence();
    await this.routing.serveQueue();
  }

  /** An operator picks a conversation (from the queue or anyone's); caps do not apply. */
  take(conversationId: string, operatorId: string): Promise<ConversationSummary | null> {
    return this.routing.take(conversationId, operatorId);
  }

  /**
   * Passes a conversation to an operator, or to whoever is free with a skill (queued for that
   * skill when nobody is). Null when the conversation or the operator is unknown.
   */
  transfer(
    conversationId: string,
    by: { operatorId: string; name: string },
    target: { operatorId: string } | { skill: string },
    note: string | null,
  ): Promise<ConversationSummary | null> {
    return this.routing.transfer(conversationId, by, target, note);
  }

  /**
   * Site settings changed: the rooms of its unresolved conversations apply the policy (typing
   * preview) to their very next frame; routing uses the new re-assignment window.
   */
  async settingsChanged(siteId: string, settings: SiteSettings): Promise<void> {
    if (this.store.siteId() !== siteId) return;
    this.roster.settingsChanged(settings.reassignAfterSeconds);
    this.routing.reassignWindowChanged();
    const policy = { typingPreview: settings.typingPreview };
    await this.eachRoom(this.store.unresolvedIds(), (room) => room.applyPolicy(siteId, policy));
  }

  /** Sign-out: the dashboard and conversation sockets of that session (or operator) close (4401). */
  async closeSessions(siteId: string, match: SessionMatch): Promise<void> {
    if (this.store.siteId() !== siteId) return;
    if (this.dashboards.close(match) > 0) this.dashboards.broadcastPresence();
    await this.eachRoom(this.store.takeViewed(match), (room) => room.closeSessions(siteId, match));
  }

  /** A visitor gave their name (identify): inbox rows of their conversations show it. */
  visitorNamed(siteId: string, visitorId: string, name: string): void {
    if (this.store.siteId() !== siteId) return;
    this.renamed(this.store.rename({ visitorId }, name));
  }

  /** An operator opened a conversation socket; a sign-out of that session closes it too. */
  noteViewer(siteId: string, sessionTag: string, operatorId: string, conversationId: string): void {
    this.store.rememberSite(siteId);
    if (this.store.siteId() !== siteId) return;
    this.store.noteViewer(sessionTag, operatorId, conversationId, Date.now(), SESSION_TTL_SECONDS * 1000);
  }

  // ---- dashboard sockets --------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse("bad_request", "Expected a WebSocket upgrade.");
    }
    const who = readParticipant(request);
    if (!who) return refuseSocket(CLOSE_CODES.unauthorized, "Sign in first.");
    if (who.role !== "operator") return refuseSocket(CLOSE_CODES.forbidden, "Operators only.");
    this.store.rememberSite(who.siteId);
    if (this.store.siteId() !== who.siteId) return refuseSocket(CLOSE_CODES.forbidden, "Not this site's hub.");
    await this.routing.seedFromD1(who.siteId);
    // Caps and skills may have changed since the team was last read.
    this.roster.invalidate();
    await this.roster.load();

    const { client, server } = this.dashboards.accept(who);
    const now = Date.now();
    this.dashboards.send(server, {
      type: "inbox.snapshot",
      conversations: this.store.snapshot(now),
      operatorsOnline: this.dashboards.online(),
    });
    this.dashboards.send(server, { type: "queue.state", conversationIds: this.store.queued().map((q) => q.id) });
    this.dashboards.send(server, { type: "live.snapshot", visitors: this.live.visitors(now) });
    this.dashboards.broadcastPresence(server);
    this.ctx.waitUntil(this.routing.serveQueue());
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const decoded = decodeHubFrame(raw);
    if (!decoded.ok) {
      this.dashboards.send(ws, { type: "error", ...decoded.error });
      return;
    }
    this.dashboards.setStatus(ws, decoded.value.status);
    this.dashboards.broadcastPresence();
    if (decoded.value.status === "online") await this.routing.serveQueue();
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    answerClose(ws, code);
    this.dashboards.broadcastPresence(ws);
  }

  /** Every timer (re-assignment, queue retries, Live view expiry) shares the one alarm. */
  override async alarm(): Promise<void> {
    await this.timers.run();
  }

  // ---- internals ----------------------------------------------------------------------------

  private expireLive(): void {
    const next = this.live.expire(Date.now());
    if (next !== null) this.timers.set("live", next);
  }

  private renamed(rows: ConversationSummary[]): void {
    for (const conversation of rows) this.dashboards.broadcast({ type: "inbox.update", conversation });
  }

  /** Calls every room, a few at a time; one that fails is logged, the rest still hear. */
  private async eachRoom(ids: readonly string[], call: (room: DurableObjectStub<ConversationRoom>) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < ids.length; i += PARALLEL_ROOMS) {
      await Promise.all(
        ids
          .slice(i, i + PARALLEL_ROOMS)
          .map((id) =>
            call(this.env.CONVERSATION.getByName(id)).catch((err) => console.warn("room call failed", { id, error: String(err) })),
          ),
      );
    }
  }
}
