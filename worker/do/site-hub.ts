/**
 * SiteHub: one Durable Object per shop, a thin dispatcher over its parts — the store (inbox,
 * routing state; hub-store.ts), routing through one serialised queue (hub-routing.ts), the
 * operators' dashboards and presence (dashboards.ts), the Live view merged from the visitor
 * shards' aggregates (live-view.ts; the hub tells shards who chats), and durable timers on its
 * one alarm (re-assignment, ageing out a silent shard's aggregate). Rebuilt from D1 when its
 * storage is new. The Worker reaches it through its stub: `fetch` for dashboard sockets, RPC for the rest.
 */
import { DurableObject } from "cloudflare:workers";
import {
  CLOSE_CODES,
  type ConversationSummary,
  DEFAULT_DASHBOARD_SORT,
  decodeHubFrame,
  type LiveAggregate,
  type OnlineOperator,
  PING,
  PONG,
  SESSION_TTL_SECONDS,
  type SiteSettings,
} from "../../protocol";
import { getVisitorShards } from "../db/sites";
import type { Env } from "../env";
import { errorResponse } from "../lib/api-error";
import { readParticipant, type SessionMatch } from "../lib/participant";
import { shardOf } from "../lib/shards";
import { shardStub, visitorShard } from "../services/live";
import type { ConversationRoom } from "./conversation-room";
import { Dashboards } from "./dashboards";
import { DurableTimers } from "./durable-timers";
import { HubRoster } from "./hub-roster";
import { HubRouting, type RoutingTimer } from "./hub-routing";
import { HubStore } from "./hub-store";
import { LiveView } from "./live-view";
import { AGGREGATE_TTL_MS } from "./shard-presence";
import { answerClose, refuseSocket } from "./socket-send";

/** Rooms told of a policy change (or a sign-out) at once. */
const PARALLEL_ROOMS = 8;
/** The site's shard count is read from D1 again after this long (an operator may reshard). */
const SHARD_COUNT_TTL_MS = 60_000;

/** A conversation shows its visitor as chatting in the Live view: open and someone wrote. */
const chatting = (s: ConversationSummary | null) => s !== null && s.status === "open" && s.messageCount > 0;

export class SiteHub extends DurableObject<Env> {
  private readonly store: HubStore;
  private readonly roster: HubRoster;
  private readonly dashboards: Dashboards;
  private readonly live: LiveView;
  private readonly routing: HubRouting;
  private readonly timers: DurableTimers<RoutingTimer | "live">;
  private shardCount: { n: number; at: number } | null = null;
  /** Whether this wake already pulled the aggregates it did not hold. */
  private pulled = false;
  /** Conversation states go to shards one after another, so a later one never lands first. */
  private forwarding: Promise<void> = Promise.resolve();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new HubStore(ctx.storage.sql);
    this.roster = new HubRoster(env, () => this.store.siteId());
    this.dashboards = new Dashboards(ctx, this.roster, () => this.store.loads());
    this.live = new LiveView({
      now: Date.now,
      watchers: () => this.dashboards.watchers(),
      send: (ws, frame) => this.dashboards.send(ws, frame),
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
    // Also on a message the visitor did not write: their shard forgets that nothing was unread.
    const unreadMayGrow = current !== null && current.lastSeq !== merged.lastSeq && merged.lastMessageRole !== "visitor";
    if (!current || chatting(current) !== chatting(merged) || current.visitorId !== merged.visitorId || unreadMayGrow) {
      this.forwardChat(merged.siteId, merged);
    }
    await this.routing.conversationChanged(merged.id);
  }

  /**
   * A visitor shard's Live view aggregate (at most one per 2 s per shard, after a visible change,
   * plus a refresh every 20 s while it has visitors). Dashboards whose summary changed hear of it.
   */
  async liveAggregate(siteId: string, aggregate: LiveAggregate): Promise<void> {
    this.store.rememberSite(siteId);
    if (this.store.siteId() !== siteId) return;
    const { restarted } = this.live.receive(aggregate);
    this.timers.setIfEarlier("live", Date.now() + AGGREGATE_TTL_MS);
    // A shard that restarted lost who chats: tell it again (bounded by the open conversations).
    if (restarted) this.resendChats(siteId, aggregate.shard);
    // This hub woke with part of the picture: ask the other shards rather than wait for them.
    if (!this.pulled) this.ctx.waitUntil(this.pullMissing(siteId).catch((err) => console.warn("live pull failed", String(err))));
  }

  /**
   * Visitors erased or merged away: out of the Live view, and (erasure) their conversations out
   * of the inbox, routing and the queue.
   */
  async forgetVisitors(siteId: string, visitorIds: string[], conversationIds: string[] = []): Promise<void> {
    if (this.store.siteId() !== siteId) return;
    this.live.forget(visitorIds);
    if (visitorIds.length) {
      const n = await this.shards(siteId);
      const byShard = new Map<number, string[]>();
      for (const id of visitorIds) byShard.set(shardOf(id, n), [...(byShard.get(shardOf(id, n)) ?? []), id]);
      await Promise.all([...byShard].map(([shard, ids]) => shardStub(this.env, siteId, shard).forgetLive(siteId, shard, ids)));
    }
    for (const id of conversationIds) {
      this.store.remove(id);
      this.dashboards.broadcast({ type: "inbox.remove", conversationId: id });
    }
    if (conversationIds.length) await this.routing.forget(conversationIds);
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

    // Before the socket joins: what the pull changes reaches the others, and this one once below.
    await this.pullMissing(who.siteId);

    const { client, server } = this.dashboards.accept(who);
    const now = Date.now();
    this.dashboards.send(server, {
      type: "inbox.snapshot",
      conversations: this.store.snapshot(now),
      operatorsOnline: this.dashboards.online(),
    });
    this.dashboards.send(server, { type: "queue.state", conversationIds: this.store.queued().map((q) => q.id) });
    this.live.sendTo(server, DEFAULT_DASHBOARD_SORT);
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
    const frame = decoded.value;
    if (frame.type === "live.watch") {
      this.dashboards.setLiveSort(ws, frame.sort);
      this.live.sendTo(ws, frame.sort);
      return;
    }
    this.dashboards.setStatus(ws, frame.status);
    this.dashboards.broadcastPresence();
    if (frame.status === "online") await this.routing.serveQueue();
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    answerClose(ws, code);
    this.dashboards.broadcastPresence(ws);
  }

  /** Every timer (re-assignment, queue retries, a silent shard's aggregate) shares the one alarm. */
  override async alarm(): Promise<void> {
    await this.timers.run();
  }

  // ---- internals ----------------------------------------------------------------------------

  private expireLive(): void {
    const next = this.live.expire();
    if (next !== null) this.timers.set("live", next);
  }

  /** The site's shard count, cached for SHARD_COUNT_TTL_MS. */
  private async shards(siteId: string): Promise<number> {
    const now = Date.now();
    if (!this.shardCount || now - this.shardCount.at > SHARD_COUNT_TTL_MS) {
      this.shardCount = { n: await getVisitorShards(this.env.DB, siteId), at: now };
    }
    return this.shardCount.n;
  }

  /** Pulls the aggregates of the site's shards this wake has not heard from (once per wake). */
  private async pullMissing(siteId: string): Promise<void> {
    if (this.pulled) return;
    this.pulled = true;
    let count: number;
    try {
      count = await this.shards(siteId);
    } catch (err) {
      this.pulled = false;
      throw err;
    }
    const missing = this.live.missing(count);
    const pulled = await Promise.all(
      missing.map((shard) =>
        shardStub(this.env, siteId, shard)
          .liveAggregate(siteId, shard)
          .catch((err) => {
            console.warn("live aggregate pull failed", { shard, error: String(err) });
            return null;
          }),
      ),
    );
    for (const aggregate of pulled) if (aggregate) this.live.receive(aggregate, true);
    if (pulled.some((a) => a === null)) this.pulled = false;
  }

  /** Tells the visitor's shard whether they chat now (in order, after those already on the way). */
  private forwardChat(siteId: string, s: ConversationSummary): void {
    const state = { conversationId: s.id, chatting: chatting(s) };
    this.forwarding = this.forwarding.then(async () => {
      try {
        const { shard, stub } = visitorShard(this.env, siteId, s.visitorId, await this.shards(siteId));
        await stub.conversationState(siteId, shard, s.visitorId, state);
      } catch (err) {
        console.warn("conversation state forward failed", { conversationId: s.id, error: String(err) });
      }
    });
    this.ctx.waitUntil(this.forwarding);
  }

  private resendChats(siteId: string, shard: number): void {
    this.ctx.waitUntil(
      (async () => {
        const n = await this.shards(siteId);
        for (const id of this.store.unresolvedIds()) {
          const s = this.store.summary(id);
          if (s && chatting(s) && shardOf(s.visitorId, n) === shard) this.forwardChat(siteId, s);
        }
      })().catch((err) => console.warn("chat states not re-sent", { shard, error: String(err) })),
    );
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
