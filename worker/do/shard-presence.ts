/**
 * Who of a visitor shard's visitors is on the shop now: the Live view's entries, kept in the
 * shard's memory only (a ping writes nothing; after an eviction the next pings rebuild them).
 * The shard calls `seen`, `conversation` and `forget`; the site hub and the Live view's REST
 * pages read `page` and `counts`; `push` hands the hub the shard's aggregate. Used by VisitorShard.
 *
 * This first version keeps the entries and answers pages; the aggregate push to the hub (at most
 * once a second, only after a visible change) is the Live view's part of issue 10.
 */
import {
  INVITE_TTL_MS,
  LEAVE_GRACE_MS,
  LIVE_TIMEOUT_MS,
  type LiveAggregate,
  type LiveCounts,
  type LiveListQuery,
  type LiveListResponse,
  type LiveVisitor,
} from "../../protocol";

export interface ShardPresenceDeps {
  shard: number;
  now(): number;
  /** Sends the shard's aggregate to the site hub. */
  push(aggregate: LiveAggregate): Promise<void>;
}

interface Entry {
  visitor: LiveVisitor;
  expiresAt: number;
}

export class ShardPresence {
  private readonly entries = new Map<string, Entry>();
  /** Invitations the visitor's loader has not picked up yet: visitor id → expiry. */
  private readonly invites = new Map<string, number>();

  constructor(private readonly deps: ShardPresenceDeps) {}

  /** A beacon saw the visitor on a page; `leaving`: their tab was hidden or closed (short grace). */
  seen(visitor: LiveVisitor, opts: { leaving?: boolean } = {}): void {
    const now = this.deps.now();
    const expiresAt = opts.leaving ? now + LEAVE_GRACE_MS : Math.max(now, visitor.lastSeenAt) + LIVE_TIMEOUT_MS;
    this.entries.set(visitor.visitorId, { visitor, expiresAt });
  }

  /** The visitor's conversation changed (the site hub forwards it): chatting or not. */
  conversation(visitorId: string, state: { conversationId: string | null; chatting: boolean }): void {
    const e = this.entries.get(visitorId);
    if (e) e.visitor = { ...e.visitor, ...state };
  }

  forget(visitorId: string): void {
    this.entries.delete(visitorId);
    this.invites.delete(visitorId);
  }

  /** An operator invited the visitor from the Live view: their next beacon answers `o: 1`. */
  invite(visitorId: string): void {
    this.invites.set(visitorId, this.deps.now() + INVITE_TTL_MS);
  }

  /** Whether an invitation waits for the visitor; answered once (the loader opens the chat). */
  takeInvite(visitorId: string): boolean {
    const expiresAt = this.invites.get(visitorId);
    if (expiresAt === undefined) return false;
    this.invites.delete(visitorId);
    return expiresAt > this.deps.now();
  }

  get(visitorId: string): LiveVisitor | null {
    const e = this.entries.get(visitorId);
    return e && e.expiresAt > this.deps.now() ? e.visitor : null;
  }

  counts(): LiveCounts {
    const counts: LiveCounts = { visitors: 0, chatting: 0, withCart: 0, returning: 0 };
    for (const v of this.live()) {
      counts.visitors++;
      if (v.chatting) counts.chatting++;
      if (v.cart) counts.withCart++;
      if (v.returning) counts.returning++;
    }
    return counts;
  }

  /** One page of this shard's live visitors (most recent first in this first version). */
  page(q: LiveListQuery): LiveListResponse {
    const visitors = [...this.live()].sort((a, b) => b.lastSeenAt - a.lastSeenAt).slice(0, q.limit);
    return { visitors, nextCursor: null, counts: this.counts() };
  }

  private *live(): Iterable<LiveVisitor> {
    const now = this.deps.now();
    for (const [id, e] of this.entries) {
      if (e.expiresAt <= now) this.entries.delete(id);
      else yield e.visitor;
    }
  }
}
