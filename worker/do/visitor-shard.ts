/**
 * VisitorShard: one of a site's N Durable Objects holding its visitors (slot mapping in
 * worker/lib/shards.ts). Presence lives in memory (shard-presence.ts): a ping touches no storage,
 * no D1 and no hub. The shard's SQLite is the tracking store of its visitors (issue 10).
 * The Worker reaches it through its stub with RPC only (no sockets yet).
 *
 * This first form holds the contract the Worker, the site hub and the admin reads build on; the
 * tracking store and the beacon are filled in by the shard work of issue 10.
 */
import { DurableObject } from "cloudflare:workers";
import type { LiveListQuery, LiveListResponse } from "../../protocol";
import type { Env } from "../env";
import { ShardPresence } from "./shard-presence";

export class VisitorShard extends DurableObject<Env> {
  private siteId: string | null = null;
  private shard = 0;
  private presence: ShardPresence | null = null;

  /** The visitors of this shard on the shop now: one page for the Live view's REST list. */
  livePage(siteId: string, shard: number, q: LiveListQuery): LiveListResponse {
    return this.live(siteId, shard).page(q);
  }

  /** The site hub forwards a visitor's conversation state (chatting or not, the conversation). */
  conversationState(siteId: string, shard: number, visitorId: string, state: { conversationId: string | null; chatting: boolean }): void {
    this.live(siteId, shard).conversation(visitorId, state);
  }

  private live(siteId: string, shard: number): ShardPresence {
    if (this.siteId !== null && this.siteId !== siteId) throw new Error("shard of another site");
    this.siteId = siteId;
    this.shard = shard;
    this.presence ??= new ShardPresence({
      shard,
      now: Date.now,
      push: (aggregate) => this.env.SITE_HUB.getByName(siteId).liveAggregate(siteId, aggregate),
    });
    return this.presence;
  }
}
