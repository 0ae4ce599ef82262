/**
 * The Live view inside the site hub: the latest aggregate of each of the site's visitor shards,
 * in memory only (after an eviction the next pushes rebuild it, and a dashboard that connects
 * meanwhile has the hub pull the missing ones), merged into the `live.summary` each dashboard
 * wants — exact counts (sums: a visitor lives in one shard) and the first LIVE_TOP_K entries in
 * the dashboard's order (exact too: each shard sends its own top LIVE_TOP_K by every order).
 * A dashboard hears only when its summary changed. Used by SiteHub.
 */
import { compareLive, type HubServerFrame, LIVE_TOP_K, type LiveAggregate, type LiveSort, type LiveVisitor } from "../../protocol";
import { AGGREGATE_TTL_MS } from "./shard-presence";

interface Held {
  aggregate: LiveAggregate;
  receivedAt: number;
}

export interface LiveViewDeps {
  now(): number;
  /** Open dashboard sockets and the order each chose. */
  watchers(): Iterable<{ ws: WebSocket; sort: LiveSort }>;
  send(ws: WebSocket, frame: HubServerFrame): void;
}

export class LiveView {
  private readonly shards = new Map<number, Held>();
  /** The summary last sent for each order, so an unchanged one is not sent again. */
  private readonly sent = new Map<LiveSort, string>();
  /** Aggregates the shards pushed (pulls not counted); for tests and the benchmark. */
  pushed = 0;

  constructor(private readonly deps: LiveViewDeps) {}

  /**
   * A shard's aggregate. Returns whether the shard restarted since its last one (its presence
   * lost the chat states the hub forwarded). An older aggregate than the one held is ignored.
   */
  receive(aggregate: LiveAggregate, pulled = false): { restarted: boolean } {
    if (!pulled) this.pushed++;
    const held = this.shards.get(aggregate.shard);
    if (held && held.aggregate.epoch === aggregate.epoch && held.aggregate.at > aggregate.at) return { restarted: false };
    this.shards.set(aggregate.shard, { aggregate, receivedAt: this.deps.now() });
    this.publish();
    return { restarted: held !== undefined && held.aggregate.epoch !== aggregate.epoch };
  }

  /** Shards of the `count` the site has whose aggregate the hub does not hold. */
  missing(count: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < count; i++) if (!this.shards.has(i)) out.push(i);
    return out;
  }

  /** The merged counts and first entries in `sort`. */
  summary(sort: LiveSort): HubServerFrame & { type: "live.summary" } {
    this.dropStale();
    const counts = { visitors: 0, chatting: 0, withCart: 0, returning: 0 };
    const top = new Map<string, LiveVisitor>();
    for (const { aggregate } of this.shards.values()) {
      counts.visitors += aggregate.counts.visitors;
      counts.chatting += aggregate.counts.chatting;
      counts.withCart += aggregate.counts.withCart;
      counts.returning += aggregate.counts.returning;
      for (const v of aggregate.top) if (!top.has(v.visitorId)) top.set(v.visitorId, v);
    }
    const visitors = [...top.values()].sort(compareLive(sort)).slice(0, LIVE_TOP_K);
    return { type: "live.summary", sort, counts, visitors };
  }

  /** Sends one dashboard its summary now (it connected, or chose another order). */
  sendTo(ws: WebSocket, sort: LiveSort): void {
    this.deps.send(ws, this.summary(sort));
  }

  /** Sends every dashboard whose summary changed since it was last sent. */
  publish(): void {
    const bySort = new Map<LiveSort, WebSocket[]>();
    for (const { ws, sort } of this.deps.watchers()) bySort.set(sort, [...(bySort.get(sort) ?? []), ws]);
    for (const [sort, sockets] of bySort) {
      const frame = this.summary(sort);
      const text = JSON.stringify(frame);
      if (this.sent.get(sort) === text) continue;
      this.sent.set(sort, text);
      for (const ws of sockets) this.deps.send(ws, frame);
    }
  }

  /** Visitors erased or merged away leave dashboards at once (their shards push later too). */
  forget(visitorIds: readonly string[]): void {
    const gone = new Set(visitorIds);
    for (const held of this.shards.values()) {
      const top = held.aggregate.top.filter((v) => !gone.has(v.visitorId));
      if (top.length === held.aggregate.top.length) continue;
      const removed = held.aggregate.top.filter((v) => gone.has(v.visitorId));
      const counts = { ...held.aggregate.counts };
      for (const v of removed) {
        counts.visitors--;
        if (v.chatting) counts.chatting--;
        if (v.cart && v.cart.total > 0) counts.withCart--;
        if (v.returning) counts.returning--;
      }
      held.aggregate = { ...held.aggregate, top, counts };
    }
    this.publish();
  }

  /** The name a visitor gave, if one of the held entries knows it (the inbox shows it too). */
  nameOf(visitorId: string): string | null {
    for (const { aggregate } of this.shards.values()) {
      const v = aggregate.top.find((x) => x.visitorId === visitorId);
      if (v) return v.name;
    }
    return null;
  }

  /** Drops aggregates that were not refreshed (their shard is gone); returns when the next one ages out. */
  expire(): number | null {
    const before = this.shards.size;
    this.dropStale();
    if (this.shards.size !== before) this.publish();
    let next: number | null = null;
    for (const { receivedAt } of this.shards.values()) next = Math.min(next ?? Number.POSITIVE_INFINITY, receivedAt + AGGREGATE_TTL_MS);
    return next;
  }

  private dropStale(): void {
    const now = this.deps.now();
    for (const [shard, { receivedAt }] of this.shards) if (receivedAt + AGGREGATE_TTL_MS <= now) this.shards.delete(shard);
  }
}
