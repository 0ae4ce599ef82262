/**
 * Who of a visitor shard's visitors is on the shop now: the Live view's entries, kept in the
 * shard's memory only (a ping writes nothing; after an eviction the next pings rebuild them).
 * The shard calls `seen`, `conversation`, `forget` and the invitation pair; the Live view's REST
 * pages read `page`; `deps.push` hands the site hub the shard's aggregate. Used by VisitorShard.
 *
 * Pushes are rate-limited by a token bucket (PUSH_BURST, one token per PUSH_INTERVAL_MS) and go
 * only after a change a dashboard shows — an arrival, a navigation, a cart, a chat, someone
 * leaving or timing out — never for a ping that changes nothing but `lastSeenAt`. A shard with
 * visitors also re-sends every AGGREGATE_REFRESH_MS, so the hub can drop (AGGREGATE_TTL_MS) the
 * aggregate of a shard that was evicted with nobody left to ping it.
 */
import {
  compareKeys,
  compareLive,
  decodeLiveCursor,
  encodeLiveCursor,
  INVITE_TTL_MS,
  LEAVE_GRACE_MS,
  LIVE_SORTS,
  LIVE_TIMEOUT_MS,
  LIVE_TOP_K,
  type LiveAggregate,
  type LiveCounts,
  type LiveListQuery,
  type LiveListResponse,
  type LiveVisitor,
  liveKey,
  matchesLive,
} from "../../protocol";

/**
 * Sustained pushes per shard: one per 2 s at most, so a shop with N shards costs the hub at most
 * N/2 calls/s however busy it is. The bucket holds PUSH_BURST, so after a quiet spell a few
 * changes in a row (a visitor clicking through a shop) still reach dashboards at once.
 */
export const PUSH_INTERVAL_MS = 2000;
export const PUSH_BURST = 5;
/** A shard with visitors re-sends its aggregate this often even when nothing changed. */
export const AGGREGATE_REFRESH_MS = 20_000;
/** The hub drops a shard's aggregate not refreshed for this long (the shard was evicted). */
export const AGGREGATE_TTL_MS = 2 * AGGREGATE_REFRESH_MS + 10_000;

export interface ShardPresenceDeps {
  shard: number;
  now(): number;
  /** Sends the shard's aggregate to the site hub. */
  push(aggregate: LiveAggregate): Promise<void>;
  /** Asks for `tick()` at `at` (ms epoch); the earliest pending request wins. */
  wakeAt(at: number): void;
}

interface Entry {
  visitor: LiveVisitor;
  expiresAt: number;
}

type ChatState = { conversationId: string | null; chatting: boolean };

export class ShardPresence {
  private readonly entries = new Map<string, Entry>();
  /** What the site hub said of each visitor's conversation; it outlives their entry. */
  private readonly chats = new Map<string, ChatState>();
  /** Invitations the visitor's loader has not picked up yet: visitor id → expiry. */
  private readonly invites = new Map<string, number>();
  /** When this presence started (the hub re-sends chat states to a shard that restarted). */
  readonly epoch: number;
  private dirty = false;
  private pushing = false;
  private tokens = PUSH_BURST;
  private tokensAt: number;
  private lastPushAt = 0;
  private lastPushed = "";
  private lastPushedEmpty = true;
  /** No entry expires before this (a lower bound: a ping moves an expiry later, not earlier). */
  private earliestExpiry = Number.POSITIVE_INFINITY;
  /** Aggregates handed to `push` (sent or failed); for tests and the benchmark. */
  pushes = 0;

  constructor(private readonly deps: ShardPresenceDeps) {
    this.epoch = deps.now();
    this.tokensAt = this.epoch;
  }

  /** A beacon saw the visitor on a page; `leaving`: their tab was hidden or closed (short grace). */
  seen(visitor: LiveVisitor, opts: { leaving?: boolean } = {}): void {
    const now = this.deps.now();
    const expiresAt = opts.leaving ? now + LEAVE_GRACE_MS : Math.max(now, visitor.lastSeenAt) + LIVE_TIMEOUT_MS;
    const chat = this.chats.get(visitor.visitorId);
    const entry = chat ? { ...visitor, ...chat } : visitor;
    const before = this.entries.get(visitor.visitorId);
    this.entries.set(visitor.visitorId, { visitor: entry, expiresAt });
    this.earliestExpiry = Math.min(this.earliestExpiry, expiresAt);
    if (!before || before.expiresAt <= now || material(before.visitor) !== material(entry)) this.dirty = true;
    this.tick();
  }

  /** The visitor's conversation changed (the site hub forwards it): chatting or not. */
  conversation(visitorId: string, state: ChatState): void {
    if (state.chatting || state.conversationId) this.chats.set(visitorId, { ...state });
    else this.chats.delete(visitorId);
    const e = this.entries.get(visitorId);
    if (!e || (e.visitor.chatting === state.chatting && e.visitor.conversationId === state.conversationId)) return;
    e.visitor = { ...e.visitor, ...state };
    this.dirty = true;
    this.tick();
  }

  /** Erased or merged away: out of the Live view at once. */
  forget(visitorId: string): void {
    if (this.entries.delete(visitorId)) this.dirty = true;
    this.chats.delete(visitorId);
    this.invites.delete(visitorId);
    this.tick();
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
      if (v.cart && v.cart.total > 0) counts.withCart++;
      if (v.returning) counts.returning++;
    }
    return counts;
  }

  /**
   * One page of this shard's live visitors in the query's order, after its cursor (already
   * checked by the caller), with the filters applied; `nextCursor` says whether more follow here.
   */
  page(q: LiveListQuery): LiveListResponse {
    const after = q.cursor ? decodeLiveCursor(q.sort, q.cursor) : null;
    const rows = [...this.live()]
      .filter((v) => matchesLive(v, q) && (!after || compareKeys(liveKey(v, q.sort), after) > 0))
      .sort(compareLive(q.sort));
    const visitors = rows.slice(0, q.limit);
    const last = visitors.at(-1);
    return { visitors, nextCursor: rows.length > q.limit && last ? encodeLiveCursor(q.sort, last) : null, counts: this.counts() };
  }

  /** Counts and the union of the best LIVE_TOP_K entries by each order: what the hub merges. */
  aggregate(): LiveAggregate {
    const live = [...this.live()];
    const top = new Map<string, LiveVisitor>();
    for (const sort of LIVE_SORTS) {
      for (const v of [...live].sort(compareLive(sort)).slice(0, LIVE_TOP_K)) top.set(v.visitorId, v);
    }
    return {
      shard: this.deps.shard,
      at: this.deps.now(),
      epoch: this.epoch,
      counts: this.counts(),
      top: [...top.values()].sort(compareLive("recent")),
    };
  }

  /**
   * Drops entries whose time is up, pushes the aggregate when it changed and a token is free (or
   * the refresh is due), and asks to be woken for whatever is next. Called after every change and
   * by the shard's timer; cheap when nothing is due (no scan of the entries).
   */
  tick(): void {
    const now = this.deps.now();
    if (now >= this.earliestExpiry) this.sweep(now);
    this.tokens = Math.min(PUSH_BURST, this.tokens + (now - this.tokensAt) / PUSH_INTERVAL_MS);
    this.tokensAt = now;
    const refreshDue = !(this.entries.size === 0 && this.lastPushedEmpty) && now - this.lastPushAt >= AGGREGATE_REFRESH_MS;
    if (!this.pushing && (this.dirty || refreshDue) && this.tokens >= 1) this.pushNow(now, refreshDue);

    let next = Number.POSITIVE_INFINITY;
    if (this.dirty && !this.pushing) next = now + Math.ceil((1 - this.tokens) * PUSH_INTERVAL_MS);
    if (this.entries.size) next = Math.min(next, this.earliestExpiry);
    if (!(this.entries.size === 0 && this.lastPushedEmpty)) next = Math.min(next, this.lastPushAt + AGGREGATE_REFRESH_MS);
    if (next !== Number.POSITIVE_INFINITY) this.deps.wakeAt(Math.max(next, now + 1));
  }

  private pushNow(now: number, force: boolean): void {
    const aggregate = this.aggregate();
    const shown = JSON.stringify({ counts: aggregate.counts, top: aggregate.top.map(material) });
    this.dirty = false;
    if (!force && shown === this.lastPushed) return; // changed and changed back: nothing to say
    this.tokens -= 1;
    this.pushing = true;
    this.pushes++;
    this.deps
      .push(aggregate)
      .then(
        () => {
          this.lastPushed = shown;
          this.lastPushAt = now;
          this.lastPushedEmpty = aggregate.counts.visitors === 0;
        },
        (err) => {
          // The hub is restarting or unreachable: try again with the next token.
          console.warn("live aggregate push failed", { shard: this.deps.shard, error: String(err) });
          this.dirty = true;
          this.lastPushAt = now;
        },
      )
      .finally(() => {
        this.pushing = false;
        this.tick();
      });
  }

  private sweep(now: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [id, e] of this.entries) {
      if (e.expiresAt <= now) {
        this.entries.delete(id);
        this.dirty = true;
      } else earliest = Math.min(earliest, e.expiresAt);
    }
    this.earliestExpiry = earliest;
    for (const [id, expiresAt] of this.invites) if (expiresAt <= now) this.invites.delete(id);
  }

  private *live(): Iterable<LiveVisitor> {
    const now = this.deps.now();
    for (const e of this.entries.values()) if (e.expiresAt > now) yield e.visitor;
  }
}

/** What a dashboard shows of an entry, without the heartbeat (a ping alone changes nothing visible). */
function material(v: LiveVisitor): string {
  const { lastSeenAt: _, ...rest } = v;
  return JSON.stringify(rest);
}
