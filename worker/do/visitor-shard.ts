/**
 * VisitorShard: one of a site's N Durable Objects holding its visitors (slot mapping in
 * worker/lib/shards.ts). Presence lives in memory (shard-presence.ts): a ping touches no storage,
 * no D1 and no hub. The shard's SQLite is the tracking store of its visitors (issue 10).
 * The Worker and the site hub reach it through its stub with RPC only (no sockets).
 *
 * Every RPC names the site and the shard index: the first call binds the object to them, and a
 * call for another site is refused, so a shard never answers for a shop it does not hold.
 */
import { DurableObject } from "cloudflare:workers";
import type { LiveAggregate, LiveListQuery, LiveListResponse, LiveVisitor } from "../../protocol";
import type { Env } from "../env";
import { ShardPresence } from "./shard-presence";

export class VisitorShard extends DurableObject<Env> {
  private siteId: string | null = null;
  private shard = 0;
  private presence: ShardPresence | null = null;
  private wake: { at: number; timer: ReturnType<typeof setTimeout> } | null = null;

  // ---- Live view (presence, the hub's aggregate, pages, chat state, invitations) ------------

  /** The visitors of this shard on the shop now: one page for the Live view's REST list. */
  livePage(siteId: string, shard: number, q: LiveListQuery): LiveListResponse {
    return this.live(siteId, shard).page(q);
  }

  /** The site hub asks for this shard's aggregate (it woke without one). */
  liveAggregate(siteId: string, shard: number): LiveAggregate {
    return this.live(siteId, shard).aggregate();
  }

  /** The site hub forwards a visitor's conversation state (chatting or not, the conversation). */
  conversationState(siteId: string, shard: number, visitorId: string, state: { conversationId: string | null; chatting: boolean }): void {
    this.live(siteId, shard).conversation(visitorId, state);
  }

  /** An operator invited the visitor (the invite service): their next beacon answers `o: 1`. */
  invite(siteId: string, shard: number, visitorId: string): void {
    this.live(siteId, shard).invite(visitorId);
  }

  /** Whether an invitation waits for the visitor (answered once). */
  takeInvite(siteId: string, shard: number, visitorId: string): boolean {
    return this.live(siteId, shard).takeInvite(visitorId);
  }

  /** Visitors erased or merged away leave the Live view. */
  forgetLive(siteId: string, shard: number, visitorIds: string[]): void {
    const presence = this.live(siteId, shard);
    for (const id of visitorIds) presence.forget(id);
  }

  /**
   * BRIDGE (remove when the shard's beacon path lands): the site hub's `visitorSeen` forwards a
   * beacon's sighting here and answers `invited` from the shard, so the Live view already runs on
   * shard presence. The shard's own beacon method replaces it.
   */
  bridgeSeen(siteId: string, shard: number, visitorId: string, visitor: LiveVisitor | null, leaving: boolean): { invited: boolean } {
    const presence = this.live(siteId, shard);
    if (visitor) presence.seen(visitor, { leaving });
    return { invited: presence.takeInvite(visitorId) };
  }

  private live(siteId: string, shard: number): ShardPresence {
    if (this.siteId !== null && (this.siteId !== siteId || this.shard !== shard)) throw new Error("shard of another site");
    this.siteId = siteId;
    this.shard = shard;
    this.presence ??= new ShardPresence({
      shard,
      now: Date.now,
      push: (aggregate) => {
        const sent = this.env.SITE_HUB.getByName(siteId).liveAggregate(siteId, aggregate);
        // The presence handles a failure (it tries again); waitUntil only keeps the call alive.
        this.ctx.waitUntil(sent.catch(() => {}));
        return sent;
      },
      wakeAt: (at) => this.wakeAt(at),
    });
    return this.presence;
  }

  /** One in-memory timer for the presence's next expiry, deferred push or refresh. */
  private wakeAt(at: number): void {
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) clearTimeout(this.wake.timer);
    const timer = setTimeout(
      () => {
        this.wake = null;
        this.presence?.tick();
      },
      Math.max(0, at - Date.now()),
    );
    this.wake = { at, timer };
  }
}
