/**
 * VisitorShard: one of a site's N Durable Objects holding its visitors (slot mapping in
 * worker/lib/shards.ts). Its SQLite (shard-schema.ts) is the tracking store of its visitors:
 * profiles, visits, page views, events, the page's orders. Presence lives in memory
 * (shard-presence.ts).
 *
 * The beacon (one RPC per beacon from the Worker):
 * - a ping reads the visitor's row and writes nothing: last seen, the visit's last activity and
 *   the page's time so far stay in `pending` (memory) until the visitor's next view, leave or
 *   other event, or the flush timer (a visitor quiet for LIVE_TIMEOUT_MS, or pending for
 *   PENDING_MAX_MS); an eviction loses at most that, and the next ping's `ms` restores a page's
 *   time;
 * - views, leaves and the other events write the shard's SQLite in one transaction.
 * Profiles that matter beyond one visit (a chat, an identity, an email: `directory = 1`) are
 * written behind to D1's `visitors` in batches (the `directory` timer, one multi-row statement
 * per 100 profiles), never per ping. The Worker reaches the shard through RPC only.
 */
import { DurableObject } from "cloudflare:workers";
import {
  type AudienceResponse,
  CartData,
  LIVE_TIMEOUT_MS,
  type LiveAggregate,
  type LiveListQuery,
  type LiveListResponse,
  PurchaseData,
  type TrackBody,
  type Trigger,
  type TriggerEvent,
  type VisitorListResponse,
} from "../../protocol";
import { pageKey } from "../../protocol/page-key";
import type { TrafficSource } from "../../protocol/profiles";
import type { RawOrder, RawVisit, RawVisitor } from "../db/profiles";
import {
  LOAD_TRACK_ROW,
  loadTrackRow,
  mergeStatements,
  type RequestFacts,
  type TrackConversation,
  type TrackRow,
  TrackWriter,
} from "../db/tracking";
import { audience, listVisitors, type VisitorFilter, type VisitorTrail, visitorTrail } from "../db/visitor-reads";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { isConversationId } from "../lib/ids";
import { parse } from "../lib/parse";
import { slotOf } from "../lib/shards";
import { cleanUrl } from "../lib/traffic";
import { addDuration, type DurationHistogram, emptyHistogram, mergeHistograms } from "../reports/duration-histogram";
import { eventFitsArm } from "../triggers/event-arm";
import { REST_PAGES_KEY } from "../triggers/usual-time";
import { DurableTimers } from "./durable-timers";
import { ShardPresence } from "./shard-presence";
import { audienceFromRollups, visitsPerQuarter } from "./shard-rollups";
import { DIRECTORY_COLUMNS, migrateShard } from "./shard-schema";
import { ShardSql, type ShardStatement } from "./shard-sql";

/** How often the flush timer looks at pending pings, and the longest a ping's state stays in memory only. */
const FLUSH_EVERY_MS = 60_000;
const PENDING_MAX_MS = 5 * 60_000;
/** Directory write-behind: how soon after a change, and profiles per D1 statement. */
const DIRECTORY_DELAY_MS = 20_000;
const DIRECTORY_BATCH = 100;
/** How long "nothing unread" is trusted without a word from the hub (the badge's worst delay). */
const UNREAD_TRUST_MS = 60_000;
const MAX_UNREAD_CACHE = 10_000;

export interface ShardBeacon {
  siteId: string;
  shard: number;
  visitorId: string;
  /** The Worker made this id for a new visitor (rate-limited already): create the row. */
  create: boolean;
  /** A profile only D1's directory had (a chat's visitor, a customer): the shard adopts it. */
  seed?: { row: RawVisitor; conversation: TrackConversation | null } | undefined;
  /** The visitor as the shard it lived in before a reshard handed it over: adopted whole. */
  trail?: MovedVisitor | null | undefined;
  body: TrackBody;
  facts: RequestFacts;
  now: number;
  /** A `trigger` event: the trigger as stored now (the Worker checked it exists and is enabled). */
  trigger?: Pick<Trigger, "id" | "salt" | "holdoutPercent"> | undefined;
  /** The Worker wants the visitor's facts for the trigger engine (a page view of a site with triggers). */
  wantFacts?: boolean | undefined;
}

export type ShardBeaconResult =
  /** This shard has no such visitor (erased, never here, or only in D1): ask the directory. */
  | { status: "unknown" }
  /** The visitor was merged into another profile (maybe in another shard). */
  | { status: "merged"; into: string }
  | {
      status: "ok";
      visitorId: string;
      conversation: TrackConversation | null;
      invited: boolean;
      /** Operator messages the visitor has not read (the conversation's room, or this shard's cache of its 0); null: none. */
      unread: number | null;
      facts?: ShardTriggerFacts;
    };

/** What the shard knows of a visitor for the trigger engine (services/triggers.ts turns it into TriggerFacts). */
export interface ShardTriggerFacts {
  visits: number;
  returning: boolean;
  source: TrafficSource | null;
  device: string | null;
  country: string | null;
  language: string | null;
  identified: boolean;
  cart: { total: number; items: number; currency: string } | null;
}

/** A trigger's exposures first recorded in a time range, per salt (services/triggers.ts keeps the current one). */
export interface TriggerCounterRow {
  triggerId: string;
  salt: string;
  shown: number;
  control: number;
  dismissed: number;
  clicked: number;
  conversations: number;
}

/** A trigger_exposures row (shard-schema.ts v2). */
export interface ExposureRow {
  site_id: string;
  visitor_id: string;
  trigger_id: string;
  salt: string;
  arm: string;
  first_at: number;
  last_at: number;
  shows: number;
  dismissed_at: number | null;
  clicked_at: number | null;
  conversation_id: string | null;
  slot: number;
}

/** Everything of one visitor a merge carries to the profile's shard. */
export interface Trail {
  row: TrackRow;
  visits: RawVisit[];
  pageViews: {
    id: number;
    visit_id: string | null;
    url: string;
    title: string | null;
    at: number;
    duration_ms: number | null;
    view_key: string | null;
  }[];
  events: { visit_id: string | null; type: string; data: string | null; at: number }[];
  orders: RawOrder[];
  conversation: TrackConversation | null;
  /** Its trigger exposures (optional: a trail from before issue 12 has none). */
  exposures?: ExposureRow[];
}

/**
 * One visitor with everything stored about them, as it moves between stores: from the shard it
 * lived in before a reshard, or from D1's tracking tables (the migration job). Rows keep their
 * columns; page view ids are the source's (the receiving shard numbers them anew).
 */
/** One trigger experiment's arm in one shard (reports' uplift: summed over the shards). */
export interface TriggerArmRow {
  triggerId: string;
  salt: string;
  arm: "shown" | "control";
  visitors: number;
  /** Visitors with an order within the window after their first exposure. */
  converted: number;
  /** Per currency, over the arm's buyers: each visitor's revenue s summed as s, s², s³. */
  revenue: { currency: string; buyers: number; orders: number; sum: number; sumSquares: number; sumCubes: number }[];
}

export interface MovedVisitor {
  row: Record<string, unknown>;
  visits: Record<string, unknown>[];
  pageViews: Record<string, unknown>[];
  events: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  exposures?: Record<string, unknown>[];
}

const VISITOR_COLUMNS = [
  "site_id",
  "id",
  "name",
  "email",
  "first_seen_at",
  "last_seen_at",
  "external_id",
  "verified",
  "merged_into",
  "visits",
  "page_views",
  "time_on_site_ms",
  "first_source",
  "last_source",
  "first_source_label",
  "last_source_label",
  "device_type",
  "browser",
  "os",
  "country",
  "city",
  "language",
  "attributes",
  "cart",
  "current_visit_id",
  "current_view_id",
  "chat_claimed_at",
  "directory",
  "conversation_id",
  "conversation_visitor_id",
];
const VISIT_COLUMNS = [
  "id",
  "site_id",
  "visitor_id",
  "started_at",
  "last_at",
  "page_views",
  "referrer",
  "utm_source",
  "utm_medium",
  "utm_campaign",
  "utm_term",
  "utm_content",
  "landing_url",
  "source_label",
  "device_type",
  "browser",
  "os",
  "country",
  "city",
  "is_returning",
];
const EVENT_COLUMNS = ["site_id", "visitor_id", "visit_id", "type", "data", "at"];
const EXPOSURE_COLUMNS = [
  "site_id",
  "visitor_id",
  "trigger_id",
  "salt",
  "arm",
  "first_at",
  "last_at",
  "shows",
  "dismissed_at",
  "clicked_at",
  "conversation_id",
  "slot",
];
/** The tables with a row per visitor's activity, deleted with the visitor (erase, tombstone, dropped slot). */
const ACTIVITY_TABLES = ["page_views", "visits", "visitor_events", "orders", "trigger_exposures"];
const ORDER_COLUMNS = [
  "site_id",
  "order_id",
  "visitor_id",
  "customer_id",
  "total",
  "currency",
  "items",
  "created_at",
  "recorded_at",
  "source",
];

/** A shard's visitor row: D1's columns and the shard's own. */
export type ShardVisitorRow = RawVisitor & { directory: number; dirty: number; slot: number; conversation_id: string | null };

/** A ping's state not written yet (per visitor). */
interface Pending {
  since: number;
  lastSeenAt: number;
  visitId: string | null;
  /** page view id → time on it so far */
  views: Map<number, number>;
}

export class VisitorShard extends DurableObject<Env> {
  private siteId: string | null = null;
  private shard = 0;
  private presence: ShardPresence | null = null;
  private wake: { at: number; timer: ReturnType<typeof setTimeout> } | null = null;
  private readonly db: ShardSql;
  private schemaReady = false;
  private readonly pending = new Map<string, Pending>();
  private readonly timers: DurableTimers<"flush" | "directory">;
  /** The directory flush under way: erasure waits for it so no D1 write lands after the erase. */
  private flushing: Promise<void> = Promise.resolve();
  /** Conversations whose room said "nothing unread" for their visitor, and when it was asked. */
  private readonly nothingUnread = new Map<string, { visitorId: string; at: number }>();
  /** When the hub last forwarded a change of each conversation (a room answer older than it is stale). */
  private readonly unreadChanged = new Map<string, number>();
  private readonly unreadCounts = { cached: 0, asked: 0 };
  /** SQLite rows the Audience reads read (stats): counts and breakdowns; distinct visitors. */
  private rollupRowsRead = 0;
  private visitorRowsRead = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.db = new ShardSql(ctx.storage);
    this.timers = new DurableTimers(ctx.storage, {
      flush: { run: () => this.flushPending(false) },
      directory: { run: () => this.flushDirectory(), retry: { firstMs: 5_000, maxMs: 5 * 60_000 } },
    });
  }

  override async alarm(): Promise<void> {
    this.schema();
    await this.timers.run();
  }

  // ---- the beacon ----------------------------------------------------------------------------

  async beacon(b: ShardBeacon): Promise<ShardBeaconResult> {
    this.bind(b.siteId, b.shard);
    const db = this.db.asD1();
    const viewKey = b.body.pv ?? null;
    if (b.body.e !== "ping") this.flushPendingOf(b.visitorId);
    let row = await this.loadRow(b.visitorId, viewKey);
    if (row?.merged_into) return { status: "merged", into: row.merged_into };
    let seeded: ShardStatement[] = [];
    if (!row && b.trail) {
      this.adoptOne(b.trail);
      row = await this.loadRow(b.visitorId, viewKey);
      if (row?.merged_into) return { status: "merged", into: row.merged_into };
    }
    if (!row && b.seed) {
      seeded = this.seedStatements(b.seed.row, b.seed.conversation);
    } else if (!row && !b.create) {
      return { status: "unknown" };
    }
    if (seeded.length) {
      this.db.batchSync(seeded);
      row = await this.loadRow(b.visitorId, viewKey);
    }
    const now = b.now;
    const languageBefore = row?.language ?? null;
    const w = new TrackWriter(db, b.siteId, b.visitorId, row, now, b.facts);
    if (!row)
      w.statements.push(this.db.prepare("UPDATE visitors SET slot = ?2 WHERE id = ?1").bind(b.visitorId, slotOf(b.visitorId)) as never);
    w.language(b.body.l);
    let leaving = false;
    let pingOnly = false;
    const body = b.body;
    switch (body.e) {
      case "view": {
        const url = cleanUrl(body.u);
        if (!url) throw new ApiError("validation_failed", "u: a page view needs the page's http(s) URL.");
        w.view(url, body.u!, body.ti ?? null, body.r, viewKey);
        break;
      }
      case "ping":
      case "leave": {
        const page = w.pageView(body.pv, cleanUrl(body.u));
        if (!page) {
          w.touch();
          pingOnly = body.e === "ping";
        } else if (w.idle) {
          if (body.e === "ping") w.view(page.url, body.u ?? page.url, page.title, undefined, viewKey);
        } else {
          w.stillThere(page, body.ms);
          leaving = body.e === "leave" && page.current;
          if (body.e === "ping") {
            pingOnly = true;
            this.remember(w, page.id, page.current ? w.row.view_duration : w.row.key_view_duration);
          }
        }
        if (pingOnly && !page) this.remember(w, null, null);
        break;
      }
      case "attributes":
        if (!body.a) throw new ApiError("validation_failed", "a: attributes needs an object of values.");
        w.touch();
        w.attributes(body.a);
        break;
      case "cart":
        w.touch();
        w.cart(parse(CartData, body.d));
        break;
      case "purchase":
        w.touch();
        w.purchase(parse(PurchaseData, body.d));
        break;
      case "consent":
        w.touch();
        w.event("consent", { c: body.c ?? null });
        break;
      case "identify":
        // The Worker runs identify (services/identity.ts): it needs the directory.
        w.touch();
        break;
      case "trigger": {
        w.touch();
        const st = this.exposureStatement(b, w.visitorId);
        if (st) w.statements.push(st as never);
        break;
      }
    }
    // A ping that creates the visitor or changes their language is written like any other event.
    if (pingOnly && (!row || (b.body.l !== undefined && b.body.l !== languageBefore))) {
      pingOnly = false;
      this.pending.delete(w.visitorId);
    }
    if (!pingOnly) {
      // Read here, not for a ping: a ping writes nothing, so it needs no directory flag (a statement fewer).
      const directory = this.isDirectory(w.visitorId);
      if (directory) w.statements.push(this.markDirty(w.visitorId) as never);
      this.db.batchSync(w.statements as unknown as ShardStatement[]);
      if (w.row.current_view_id === -1 || !row) this.timers.setIfEarlier("flush", now + FLUSH_EVERY_MS);
      if (directory) this.timers.setIfEarlier("directory", now + DIRECTORY_DELAY_MS);
    } else if (this.pending.size) {
      // Writes a timer row only when none is due: at most once a flush period per shard.
      this.timers.setIfEarlier("flush", now + FLUSH_EVERY_MS);
    }
    // A ping wrote nothing: the row it read still names the conversation (a statement fewer a ping).
    const conversation = pingOnly && row ? conversationInRow(row) : this.conversationOf(w.visitorId);
    const live = w.live(conversation?.id ?? null);
    const presence = this.live(b.siteId, b.shard);
    if (live) presence.seen(live, { leaving });
    else presence.forget(w.visitorId);
    const invited = presence.takeInvite(w.visitorId);
    const result: ShardBeaconResult = {
      status: "ok",
      visitorId: w.visitorId,
      conversation,
      invited,
      unread: await this.unreadOf(conversation),
    };
    if (b.wantFacts) result.facts = this.triggerFacts(b.siteId, w.visitorId);
    return result;
  }

  /**
   * The unread count of the visitor's conversation. Asking its room costs a call per beacon, so
   * "nothing unread" is remembered per conversation until the hub forwards a change of it (a new
   * message: site-hub.ts), the conversation changes, or UNREAD_TRUST_MS passes (a forward lost to
   * a hub eviction). A count above 0 is asked again each time: reading it lowers it, and the hub
   * is not told of reads.
   */
  private async unreadOf(conversation: TrackConversation | null): Promise<number | null> {
    if (!conversation || !isConversationId(conversation.id)) return null;
    const known = this.nothingUnread.get(conversation.id);
    if (known !== undefined && known.visitorId === conversation.visitorId && Date.now() - known.at < UNREAD_TRUST_MS) {
      this.unreadCounts.cached++;
      return null;
    }
    this.unreadCounts.asked++;
    const asked = Date.now();
    const n = await this.env.CONVERSATION.getByName(conversation.id)
      .visitorUnread(this.siteId!, conversation.visitorId)
      .catch(() => undefined);
    if (n === undefined) return null;
    if (n) this.nothingUnread.delete(conversation.id);
    else {
      if (this.nothingUnread.size >= MAX_UNREAD_CACHE) this.nothingUnread.clear();
      // Stamped when asked: a forward that arrived meanwhile has deleted nothing yet, so it wins next time.
      if (!this.unreadChanged.has(conversation.id) || this.unreadChanged.get(conversation.id)! < asked) {
        this.nothingUnread.set(conversation.id, { visitorId: conversation.visitorId, at: asked });
      }
    }
    return n || null;
  }

  /** Beacons answered from the unread cache and calls made to rooms (tests, the benchmark). */
  unreadStats(): { cached: number; asked: number } {
    return { ...this.unreadCounts };
  }

  // ---- proactive triggers (issue 12) ---------------------------------------------------------

  /**
   * The statement recording a trigger event in trigger_exposures (one row per visitor × trigger ×
   * salt), or null when the event does not fit the visitor's holdout arm (eventFitsArm): a
   * "shown" from a held-out visitor, or a "control" from one who sees the trigger, is dropped.
   * `shows` counts showings (for control: the times it would have shown); dismissed and clicked
   * are set once; a dismissal or click without a recorded showing records the showing too.
   */
  private exposureStatement(b: ShardBeacon, visitorId: string): ShardStatement | null {
    const t = b.trigger;
    const event = b.body.d as TriggerEvent | undefined;
    if (!t || !event || event.t !== t.id || !eventFitsArm(event, visitorId, t)) return null;
    const arm = event.e === "control" ? "control" : "shown";
    const count = event.e === "shown" || event.e === "control" ? 1 : 0;
    const dismissed = event.e === "dismissed" ? b.now : null;
    const clicked = event.e === "clicked" ? b.now : null;
    return this.db
      .prepare(
        `INSERT INTO trigger_exposures (site_id, visitor_id, trigger_id, salt, arm, first_at, last_at, shows, dismissed_at, clicked_at, slot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, 1, ?7, ?8, ?9)
         ON CONFLICT (site_id, visitor_id, trigger_id, salt) DO UPDATE SET last_at = ?6, shows = shows + ?10,
           dismissed_at = COALESCE(dismissed_at, ?7), clicked_at = COALESCE(clicked_at, ?8)
         WHERE arm = ?5`,
      )
      .bind(b.siteId, visitorId, t.id, t.salt, arm, b.now, dismissed, clicked, slotOf(visitorId), count);
  }

  /** A conversation started by replying to a trigger: its exposure row records the conversation (once). */
  noteTriggerConversation(
    siteId: string,
    shard: number,
    visitorId: string,
    trigger: Pick<Trigger, "id" | "salt">,
    conversationId: string,
    now: number,
  ): boolean {
    this.bind(siteId, shard);
    const c = this.ctx.storage.sql.exec(
      `INSERT INTO trigger_exposures (site_id, visitor_id, trigger_id, salt, arm, first_at, last_at, shows, clicked_at, conversation_id, slot)
       SELECT ?1, ?2, ?3, ?4, 'shown', ?5, ?5, 1, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM visitors WHERE site_id = ?1 AND id = ?2)
       ON CONFLICT (site_id, visitor_id, trigger_id, salt) DO UPDATE SET last_at = ?5,
         clicked_at = COALESCE(clicked_at, ?5), conversation_id = COALESCE(conversation_id, ?6)
       WHERE arm = 'shown'`,
      siteId,
      visitorId,
      trigger.id,
      trigger.salt,
      now,
      conversationId,
      slotOf(visitorId),
    );
    c.toArray();
    return c.rowsWritten > 0;
  }

  /** Per trigger and salt: visitors first exposed in [from, to) by arm, and how many dismissed, clicked, started a conversation. */
  triggerCounters(siteId: string, shard: number, from: number, to: number): TriggerCounterRow[] {
    this.bind(siteId, shard);
    return this.ctx.storage.sql
      .exec(
        `SELECT trigger_id, salt, SUM(arm = 'shown') AS shown, SUM(arm = 'control') AS control, COUNT(dismissed_at) AS dismissed,
           COUNT(clicked_at) AS clicked, COUNT(conversation_id) AS conversations
         FROM trigger_exposures WHERE site_id = ? AND first_at >= ? AND first_at < ? GROUP BY trigger_id, salt`,
        siteId,
        from,
        to,
      )
      .toArray()
      .map((r) => ({
        triggerId: String(r.trigger_id),
        salt: String(r.salt),
        shown: Number(r.shown),
        control: Number(r.control),
        dismissed: Number(r.dismissed),
        clicked: Number(r.clicked),
        conversations: Number(r.conversations),
      }));
  }

  /**
   * Time on page of this shard's timed views in [from, to), one histogram per page key
   * (worker/reports/duration-histogram.ts: mergeable, so the Worker merges the shards' answers
   * and takes each page's p75, worker/triggers/usual-time.ts). At most `maxPages` pages, the most
   * viewed; the views of the others are added up under REST_PAGES_KEY so the site-wide p75
   * still counts every view.
   */
  pageDurations(
    siteId: string,
    shard: number,
    from: number,
    to: number,
    maxPages: number,
  ): { key: string; histogram: DurationHistogram }[] {
    this.bind(siteId, shard);
    const byKey = new Map<string, { n: number; h: DurationHistogram }>();
    const cursor = this.ctx.storage.sql.exec(
      "SELECT url, duration_ms FROM page_views WHERE site_id = ? AND at >= ? AND at < ? AND duration_ms IS NOT NULL",
      siteId,
      from,
      to,
    );
    for (const r of cursor) {
      const key = pageKey(String(r.url));
      let e = byKey.get(key);
      if (!e) {
        e = { n: 0, h: emptyHistogram() };
        byKey.set(key, e);
      }
      addDuration(e.h, Number(r.duration_ms));
      e.n++;
    }
    const sorted = [...byKey.entries()].sort(([a, x], [b, y]) => y.n - x.n || (a < b ? -1 : 1));
    const out = sorted.slice(0, maxPages).map(([key, e]) => ({ key, histogram: e.h }));
    if (sorted.length > maxPages) {
      const rest = emptyHistogram();
      for (const [, e] of sorted.slice(maxPages)) mergeHistograms(rest, e.h);
      out.push({ key: REST_PAGES_KEY, histogram: rest });
    }
    return out;
  }

  private triggerFacts(siteId: string, visitorId: string): ShardTriggerFacts | undefined {
    const r = this.ctx.storage.sql
      .exec(
        `SELECT v.visits, v.external_id, v.verified, v.device_type, v.country, v.language, v.cart, vi.is_returning,
           vi.referrer, vi.utm_source, vi.utm_medium, vi.utm_campaign, vi.utm_term, vi.utm_content, vi.landing_url
         FROM visitors v LEFT JOIN visits vi ON vi.site_id = v.site_id AND vi.id = v.current_visit_id WHERE v.site_id = ? AND v.id = ?`,
        siteId,
        visitorId,
      )
      .toArray()[0];
    if (!r) return undefined;
    const str = (x: unknown) => (typeof x === "string" && x ? x : null);
    let cart: ShardTriggerFacts["cart"] = null;
    try {
      const c = r.cart ? (JSON.parse(String(r.cart)) as { total?: number; currency?: string; items?: { quantity?: number }[] }) : null;
      if (c && typeof c.total === "number" && typeof c.currency === "string") {
        cart = {
          total: c.total,
          items: (c.items ?? []).reduce((n, i) => n + (typeof i.quantity === "number" ? i.quantity : 1), 0),
          currency: c.currency,
        };
      }
    } catch {
      cart = null;
    }
    return {
      visits: Number(r.visits),
      returning: Number(r.is_returning ?? 0) === 1,
      source:
        r.landing_url === undefined
          ? null
          : ({
              referrer: str(r.referrer),
              utmSource: str(r.utm_source),
              utmMedium: str(r.utm_medium),
              utmCampaign: str(r.utm_campaign),
              utmTerm: str(r.utm_term),
              utmContent: str(r.utm_content),
              landingUrl: str(r.landing_url),
            } as TrafficSource),
      device: str(r.device_type),
      country: str(r.country),
      language: str(r.language),
      identified: r.external_id !== null && r.external_id !== undefined,
      cart,
    };
  }

  /** The visitor's row with a ping's unwritten state laid over it. */
  private async loadRow(visitorId: string, viewKey: string | null): Promise<TrackRow | null> {
    const row = await this.db.prepare(LOAD_TRACK_ROW).bind(this.siteId, visitorId, viewKey).first<TrackRow>();
    const p = this.pending.get(visitorId);
    if (row && p) {
      row.last_seen_at = Math.max(row.last_seen_at, p.lastSeenAt);
      const cur = row.current_view_id !== null ? p.views.get(row.current_view_id) : undefined;
      if (cur !== undefined) row.view_duration = Math.max(row.view_duration ?? 0, cur);
      const key = row.key_view_id !== null ? p.views.get(row.key_view_id) : undefined;
      if (key !== undefined) row.key_view_duration = Math.max(row.key_view_duration ?? 0, key);
    }
    return row;
  }

  private remember(w: TrackWriter, viewId: number | null, duration: number | null): void {
    const p = this.pending.get(w.visitorId) ?? { since: w.now, lastSeenAt: 0, visitId: null, views: new Map() };
    p.lastSeenAt = w.now;
    p.visitId = w.idle ? null : w.row.current_visit_id;
    if (viewId !== null && duration !== null) p.views.set(viewId, Math.max(p.views.get(viewId) ?? 0, duration));
    this.pending.set(w.visitorId, p);
  }

  /** Statements that write a visitor's pending ping state. */
  private pendingStatements(visitorId: string, p: Pending): ShardStatement[] {
    const s = this.siteId;
    const out: ShardStatement[] = [];
    for (const [viewId, d] of p.views) {
      out.push(
        this.db
          .prepare(
            `UPDATE visitors SET time_on_site_ms = time_on_site_ms +
               MAX(0, ?3 - COALESCE((SELECT COALESCE(duration_ms, 0) FROM page_views WHERE id = ?4 AND visitor_id = ?2), ?3))
             WHERE site_id = ?1 AND id = ?2`,
          )
          .bind(s, visitorId, d, viewId),
        this.db
          .prepare(
            "UPDATE page_views SET duration_ms = MAX(COALESCE(duration_ms, 0), ?3) WHERE site_id = ?1 AND id = ?2 AND visitor_id = ?4",
          )
          .bind(s, viewId, d, visitorId),
      );
    }
    out.push(
      this.db
        .prepare("UPDATE visitors SET last_seen_at = MAX(last_seen_at, ?3) WHERE site_id = ?1 AND id = ?2")
        .bind(s, visitorId, p.lastSeenAt),
    );
    if (p.visitId) {
      out.push(
        this.db.prepare("UPDATE visits SET last_at = MAX(last_at, ?3) WHERE site_id = ?1 AND id = ?2").bind(s, p.visitId, p.lastSeenAt),
      );
    }
    if (this.isDirectory(visitorId)) out.push(this.markDirty(visitorId));
    return out;
  }

  private flushPendingOf(visitorId: string): void {
    const p = this.pending.get(visitorId);
    if (!p) return;
    this.pending.delete(visitorId);
    this.db.batchSync(this.pendingStatements(visitorId, p));
  }

  /** The flush timer: writes visitors who went quiet (or waited too long); all of them with `all`. */
  private flushPending(all: boolean): void {
    if (this.siteId === null) {
      const site = this.ctx.storage.sql.exec("SELECT site_id FROM visitors LIMIT 1").toArray()[0];
      if (!site) return;
      this.siteId = String(site.site_id);
    }
    const now = Date.now();
    const statements: ShardStatement[] = [];
    let directory = false;
    for (const [id, p] of this.pending) {
      if (!all && now - p.lastSeenAt < LIVE_TIMEOUT_MS && now - p.since < PENDING_MAX_MS) continue;
      statements.push(...this.pendingStatements(id, p));
      directory ||= this.isDirectory(id);
      this.pending.delete(id);
    }
    this.db.batchSync(statements);
    if (this.pending.size) this.timers.set("flush", now + FLUSH_EVERY_MS);
    if (directory) this.timers.setIfEarlier("directory", now + DIRECTORY_DELAY_MS);
  }

  /** What this object did since it started (tests and the benchmark): SQL statements and rows written, pings held in memory. */
  stats(): { statements: number; rowsWritten: number; pending: number; rollupRowsRead: number; visitorRowsRead: number } {
    return { ...this.db.counts, pending: this.pending.size, rollupRowsRead: this.rollupRowsRead, visitorRowsRead: this.visitorRowsRead };
  }

  /** Writes every pending ping now (tests, resharding, before reads that must see them). */
  flushNow(): void {
    this.schema();
    this.flushPending(true);
  }

  private seedStatements(r: RawVisitor, conversation: TrackConversation | null): ShardStatement[] {
    return [
      this.db
        .prepare(
          `INSERT INTO visitors (site_id, id, name, email, first_seen_at, last_seen_at, external_id, verified, visits, page_views,
             time_on_site_ms, first_source, last_source, first_source_label, last_source_label, device_type, browser, os, country,
             city, language, attributes, cart, chat_claimed_at, slot, directory, conversation_id, conversation_visitor_id)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, 1, ?26, ?27)
           ON CONFLICT (site_id, id) DO NOTHING`,
        )
        .bind(
          r.site_id,
          r.id,
          r.name,
          r.email,
          r.first_seen_at,
          r.last_seen_at,
          r.external_id,
          r.verified,
          r.visits,
          r.page_views,
          r.time_on_site_ms,
          r.first_source,
          r.last_source,
          r.first_source_label,
          r.last_source_label,
          r.device_type,
          r.browser,
          r.os,
          r.country,
          r.city,
          r.language,
          r.attributes ?? "{}",
          r.cart,
          r.chat_claimed_at,
          slotOf(r.id),
          conversation?.id ?? null,
          conversation?.visitorId ?? null,
        ),
    ];
  }

  private isDirectory(visitorId: string): boolean {
    const r = this.ctx.storage.sql.exec("SELECT directory FROM visitors WHERE site_id = ? AND id = ?", this.siteId, visitorId).toArray()[0];
    return r?.directory === 1;
  }

  private markDirty(visitorId: string): ShardStatement {
    return this.db.prepare("UPDATE visitors SET dirty = 1 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, visitorId);
  }

  private conversationOf(visitorId: string): TrackConversation | null {
    const r = this.ctx.storage.sql
      .exec("SELECT conversation_id, conversation_visitor_id FROM visitors WHERE site_id = ? AND id = ?", this.siteId, visitorId)
      .toArray()[0];
    return r?.conversation_id ? { id: String(r.conversation_id), visitorId: String(r.conversation_visitor_id) } : null;
  }

  // ---- the directory (D1) ----------------------------------------------------------------------

  /**
   * The visitor matters beyond this visit (a chat, an identity, an email, an invitation): from
   * now on D1's directory has the profile. Returns the row (null: no such visitor here).
   */
  promote(siteId: string, shard: number, visitorId: string): ShardVisitorRow | null {
    this.bind(siteId, shard);
    this.flushPendingOf(visitorId);
    this.db.batchSync([
      this.db
        .prepare("UPDATE visitors SET directory = 1, dirty = 1 WHERE site_id = ?1 AND id = ?2 AND merged_into IS NULL")
        .bind(siteId, visitorId),
    ]);
    return this.rawRow(visitorId);
  }

  /** The visitor's conversation (created or found for them), so their beacons answer with it. */
  noteConversation(siteId: string, shard: number, visitorId: string, conversation: TrackConversation): boolean {
    this.bind(siteId, shard);
    const { changes } = this.db
      .prepare(
        `UPDATE visitors SET conversation_id = ?3, conversation_visitor_id = ?4, directory = 1, dirty = 1
         WHERE site_id = ?1 AND id = ?2 AND merged_into IS NULL`,
      )
      .bind(siteId, visitorId, conversation.id, conversation.visitorId)
      .exec();
    if (changes) this.timers.setIfEarlier("directory", Date.now() + DIRECTORY_DELAY_MS);
    this.forgetUnread(conversation.id);
    return changes > 0;
  }

  /** Write-behind of changed directory profiles: one `INSERT … SELECT FROM json_each` per 100. */
  private async flushDirectory(): Promise<void> {
    const run = this.flushing.then(() => this.flushDirectoryOnce());
    this.flushing = run.catch(() => {});
    await run;
  }

  private async flushDirectoryOnce(): Promise<void> {
    this.schema();
    for (;;) {
      const rows = this.ctx.storage.sql
        .exec(
          `SELECT site_id, id, ${DIRECTORY_COLUMNS.join(", ")} FROM visitors WHERE dirty = 1 AND directory = 1 LIMIT ?`,
          DIRECTORY_BATCH,
        )
        .toArray();
      if (!rows.length) return;
      const ids = rows.map((r) => String(r.id));
      const mark = (v: number) =>
        this.ctx.storage.sql.exec(`UPDATE visitors SET dirty = ? WHERE id IN (SELECT value FROM json_each(?))`, v, JSON.stringify(ids));
      // Cleared before the write: a change while it is under way marks the row again.
      mark(0);
      try {
        await directoryUpsert(this.env.DB, String(rows[0]!.site_id), rows).run();
      } catch (err) {
        mark(1);
        throw err;
      }
      if (rows.length < DIRECTORY_BATCH) return;
    }
  }

  /** Writes the directory now (tests; before an erase so nothing is left under way). */
  async flushDirectoryNow(): Promise<void> {
    await this.flushDirectory();
  }

  /** An order the shop API recorded for this shard's profile (D1 has it too): counted in its list and sidebar. */
  putOrder(siteId: string, shard: number, o: RawOrder & { recorded_at: number }): void {
    this.bind(siteId, shard);
    this.ctx.storage.sql.exec(
      `INSERT OR REPLACE INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      siteId,
      o.order_id,
      o.visitor_id,
      o.customer_id,
      o.total,
      o.currency,
      o.items,
      o.created_at,
      o.recorded_at,
      o.source,
    );
  }

  /** The shop API changed the profile in D1's directory: the shard's copy follows (no write-behind needed). */
  setProfile(siteId: string, shard: number, visitorId: string, p: { email: string | null; name: string | null; attributes: string }): void {
    this.bind(siteId, shard);
    this.ctx.storage.sql.exec(
      "UPDATE visitors SET email = ?, name = ?, attributes = ?, directory = 1 WHERE site_id = ? AND id = ?",
      p.email,
      p.name,
      p.attributes,
      siteId,
      visitorId,
    );
  }

  // ---- identify and merges -----------------------------------------------------------------

  /** The visitor's row as a beacon sees it (pending pings laid over). */
  async trackRow(siteId: string, shard: number, visitorId: string): Promise<TrackRow | null> {
    this.bind(siteId, shard);
    this.flushPendingOf(visitorId);
    return loadTrackRow(this.db.asD1(), siteId, visitorId);
  }

  /** `Gadka('identify')` applied to this shard's visitor (the Worker checked the hash and the directory). */
  async applyIdentify(
    siteId: string,
    shard: number,
    visitorId: string,
    d: { id: string; email?: string | undefined; name?: string | undefined },
    verified: boolean,
    now: number,
    facts: RequestFacts,
  ): Promise<ShardVisitorRow | null> {
    this.bind(siteId, shard);
    this.flushPendingOf(visitorId);
    const row = await loadTrackRow(this.db.asD1(), siteId, visitorId);
    if (!row || row.merged_into) return null;
    const w = new TrackWriter(this.db.asD1(), siteId, visitorId, row, now, facts);
    w.touch();
    w.identify(d, verified);
    const promote = verified || w.row.email !== null || this.isDirectory(visitorId);
    if (promote) {
      w.statements.push(
        this.db.prepare("UPDATE visitors SET directory = 1, dirty = 1 WHERE site_id = ?1 AND id = ?2").bind(siteId, visitorId) as never,
      );
    }
    this.db.batchSync(w.statements as unknown as ShardStatement[]);
    if (promote) this.timers.setIfEarlier("directory", now + DIRECTORY_DELAY_MS);
    return this.rawRow(visitorId);
  }

  /** Merge within this shard (both profiles here): today's D1 merge, on the shard's tables. */
  async mergeHere(
    siteId: string,
    shard: number,
    from: string,
    into: string,
    identity: { email?: string; name?: string },
  ): Promise<boolean> {
    this.bind(siteId, shard);
    this.flushPendingOf(from);
    this.flushPendingOf(into);
    const row = await loadTrackRow(this.db.asD1(), siteId, from);
    if (!row || row.merged_into) return false;
    const conversation = this.conversationOf(from);
    const statements = mergeStatements(this.db.asD1(), siteId, row, into, identity) as unknown as ShardStatement[];
    statements.push(...this.afterMerge(from, into, conversation), ...this.moveExposures(from, into));
    this.db.batchSync(statements);
    this.live(siteId, shard).forget(from);
    this.timers.setIfEarlier("directory", Date.now() + DIRECTORY_DELAY_MS);
    return true;
  }

  /** A merge into a profile of another shard, first half: everything of `visitorId`, unchanged here. */
  async exportTrail(siteId: string, shard: number, visitorId: string): Promise<Trail | null> {
    this.bind(siteId, shard);
    this.flushPendingOf(visitorId);
    const row = await loadTrackRow(this.db.asD1(), siteId, visitorId);
    if (!row || row.merged_into) return null;
    const q = (sql: string) => this.ctx.storage.sql.exec(sql, siteId, visitorId).toArray();
    return {
      row,
      visits: q("SELECT * FROM visits WHERE site_id = ? AND visitor_id = ?") as unknown as RawVisit[],
      pageViews: q(
        "SELECT id, visit_id, url, title, at, duration_ms, view_key FROM page_views WHERE site_id = ? AND visitor_id = ? ORDER BY id",
      ) as unknown as Trail["pageViews"],
      events: q(
        "SELECT visit_id, type, data, at FROM visitor_events WHERE site_id = ? AND visitor_id = ? ORDER BY id",
      ) as unknown as Trail["events"],
      orders: q("SELECT * FROM orders WHERE site_id = ? AND visitor_id = ?") as unknown as RawOrder[],
      conversation: this.conversationOf(visitorId),
      exposures: q("SELECT * FROM trigger_exposures WHERE site_id = ? AND visitor_id = ?") as unknown as ExposureRow[],
    };
  }

  /**
   * Second half: the trail joins profile `into` here (its rows under `into`, the counters folded
   * as a merge does), in one transaction. The conversation of the merged visitor comes along.
   */
  async importTrail(
    siteId: string,
    shard: number,
    into: string,
    trail: Trail,
    identity: { email?: string; name?: string },
    conversation: TrackConversation | null,
  ): Promise<boolean> {
    this.bind(siteId, shard);
    this.flushPendingOf(into);
    if (!this.ctx.storage.sql.exec("SELECT 1 FROM visitors WHERE site_id = ? AND id = ?", siteId, into).toArray().length) return false;
    const s: ShardStatement[] = [];
    for (const v of trail.visits) {
      s.push(
        this.db
          .prepare(
            `INSERT OR IGNORE INTO visits (id, site_id, visitor_id, started_at, last_at, page_views, referrer, utm_source, utm_medium,
               utm_campaign, utm_term, utm_content, landing_url, source_label, device_type, browser, os, country, city, is_returning)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)`,
          )
          .bind(
            v.id,
            siteId,
            into,
            v.started_at,
            v.last_at,
            v.page_views,
            v.referrer,
            v.utm_source,
            v.utm_medium,
            v.utm_campaign,
            v.utm_term,
            v.utm_content,
            v.landing_url,
            (v as RawVisit & { source_label: string }).source_label ?? "direct",
            v.device_type,
            v.browser,
            v.os,
            v.country,
            v.city,
            (v as RawVisit & { is_returning?: number }).is_returning ?? 0,
          ),
      );
    }
    for (const e of trail.events) {
      s.push(
        this.db
          .prepare("INSERT INTO visitor_events (site_id, visitor_id, visit_id, type, data, at) VALUES (?, ?, ?, ?, ?, ?)")
          .bind(siteId, into, e.visit_id, e.type, e.data, e.at),
      );
    }
    for (const o of trail.orders) {
      s.push(
        this.db
          .prepare(
            `INSERT OR IGNORE INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .bind(
            siteId,
            o.order_id,
            into,
            o.customer_id,
            o.total,
            o.currency,
            o.items,
            o.created_at,
            (o as RawOrder & { recorded_at: number }).recorded_at ?? o.created_at,
            o.source,
          ),
      );
    }
    this.ctx.storage.transactionSync(() => {
      for (const st of s) st.exec();
      for (const x of trail.exposures ?? []) {
        const cols = EXPOSURE_COLUMNS.filter((c) => c in x) as (keyof ExposureRow)[];
        this.ctx.storage.sql.exec(
          `INSERT OR IGNORE INTO trigger_exposures (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
          ...cols.map((c) => toValue(c === "visitor_id" ? into : c === "slot" ? slotOf(into) : c === "site_id" ? siteId : x[c])),
        );
      }
      // Page views one by one: the merged visitor's current page keeps pointing at its copy.
      let currentView: number | null = null;
      for (const p of trail.pageViews) {
        const c = this.ctx.storage.sql.exec(
          "INSERT INTO page_views (site_id, visitor_id, visit_id, url, title, at, duration_ms, view_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          siteId,
          into,
          p.visit_id,
          p.url,
          p.title,
          p.at,
          p.duration_ms,
          p.view_key,
        );
        const id = Number(c.toArray()[0]!.id);
        if (p.id === trail.row.current_view_id) currentView = id;
      }
      const from = { ...trail.row, current_view_id: currentView };
      for (const st of mergeStatements(this.db.asD1(), siteId, from, into, identity) as unknown as ShardStatement[]) st.exec();
      if (conversation) {
        this.ctx.storage.sql.exec(
          `UPDATE visitors SET conversation_id = COALESCE(conversation_id, ?), conversation_visitor_id = COALESCE(conversation_visitor_id, ?)
           WHERE site_id = ? AND id = ?`,
          conversation.id,
          conversation.visitorId,
          siteId,
          into,
        );
      }
      this.ctx.storage.sql.exec("UPDATE visitors SET dirty = 1 WHERE site_id = ? AND id = ? AND directory = 1", siteId, into);
    });
    this.timers.setIfEarlier("directory", Date.now() + DIRECTORY_DELAY_MS);
    return true;
  }

  /** Third half: `visitorId` has moved to `into` (another shard): only its tombstone stays here. */
  tombstone(siteId: string, shard: number, visitorId: string, into: string): void {
    this.bind(siteId, shard);
    this.pending.delete(visitorId);
    const conversation = this.conversationOf(visitorId);
    this.db.batchSync([
      ...ACTIVITY_TABLES.map((t) => this.db.prepare(`DELETE FROM ${t} WHERE site_id = ?1 AND visitor_id = ?2`).bind(siteId, visitorId)),
      this.db
        .prepare("UPDATE visitors SET merged_into = ?3, current_visit_id = NULL, current_view_id = NULL WHERE site_id = ?1 AND id = ?2")
        .bind(siteId, visitorId, into),
      ...this.afterMerge(visitorId, into, conversation).slice(0, 1),
    ]);
    this.live(siteId, shard).forget(visitorId);
  }

  /** A merge: the exposures follow the profile (where both have a row for one experiment, the profile's stays). */
  private moveExposures(from: string, into: string): ShardStatement[] {
    return [
      this.db
        .prepare("UPDATE OR IGNORE trigger_exposures SET visitor_id = ?3, slot = ?4 WHERE site_id = ?1 AND visitor_id = ?2")
        .bind(this.siteId, from, into, slotOf(into)),
      this.db.prepare("DELETE FROM trigger_exposures WHERE site_id = ?1 AND visitor_id = ?2").bind(this.siteId, from),
    ];
  }

  /** After a merge: the merged row is no directory profile of its own; its conversation goes with the profile. */
  private afterMerge(from: string, into: string, conversation: TrackConversation | null): ShardStatement[] {
    const out = [this.db.prepare("UPDATE visitors SET directory = 0, dirty = 0 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, from)];
    if (conversation) {
      out.push(
        this.db
          .prepare(
            `UPDATE visitors SET conversation_id = COALESCE(conversation_id, ?3), conversation_visitor_id = COALESCE(conversation_visitor_id, ?4)
             WHERE site_id = ?1 AND id = ?2`,
          )
          .bind(this.siteId, into, conversation.id, conversation.visitorId),
      );
    }
    out.push(this.db.prepare("UPDATE visitors SET dirty = 1 WHERE site_id = ?1 AND id = ?2 AND directory = 1").bind(this.siteId, into));
    return out;
  }

  // ---- moving visitors: resharding and the D1 migration ------------------------------------

  /** Everything of one visitor here, to move to another store (nothing changes here). */
  exportVisitor(siteId: string, shard: number, visitorId: string): MovedVisitor | null {
    this.bind(siteId, shard);
    this.flushPendingOf(visitorId);
    const q = (sql: string) => this.ctx.storage.sql.exec(sql, siteId, visitorId).toArray() as Record<string, unknown>[];
    const row = q("SELECT * FROM visitors WHERE site_id = ? AND id = ?")[0];
    if (!row) return null;
    return {
      row,
      visits: q("SELECT * FROM visits WHERE site_id = ? AND visitor_id = ?"),
      pageViews: q("SELECT * FROM page_views WHERE site_id = ? AND visitor_id = ? ORDER BY id"),
      events: q("SELECT * FROM visitor_events WHERE site_id = ? AND visitor_id = ? ORDER BY id"),
      orders: q("SELECT * FROM orders WHERE site_id = ? AND visitor_id = ?"),
      exposures: q("SELECT * FROM trigger_exposures WHERE site_id = ? AND visitor_id = ?"),
    };
  }

  /** A reshard: hands the visitor over (its copy stays until the reshard drops copied slots). */
  handOver(siteId: string, shard: number, visitorId: string): MovedVisitor | null {
    const moved = this.exportVisitor(siteId, shard, visitorId);
    if (!moved) return null;
    // From now on the new shard has the live copy: this one leaves the lists and the Live view.
    this.ctx.storage.sql.exec("INSERT OR IGNORE INTO handed_over (id, slot) VALUES (?, ?)", visitorId, slotOf(visitorId));
    this.pending.delete(visitorId);
    this.live(siteId, shard).forget(visitorId);
    return moved;
  }

  /**
   * Takes visitors moved here. Idempotent, so a job that stopped can run the same batch again: a
   * visitor already here keeps its row, and only visits not here yet bring their page views and
   * events. Returns how many visitors were new here.
   */
  adopt(siteId: string, shard: number, visitors: MovedVisitor[]): number {
    this.bind(siteId, shard);
    let added = 0;
    for (const v of visitors) if (this.adoptOne(v)) added++;
    return added;
  }

  private adoptOne(v: MovedVisitor): boolean {
    const sql = this.ctx.storage.sql;
    const insert = (table: string, cols: string[], r: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      const names = cols.filter((c) => c in r || c in extra);
      const c = sql.exec(
        `INSERT OR IGNORE INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
        ...names.map((c) => toValue(c in extra ? extra[c] : r[c])),
      );
      c.toArray();
      return c.rowsWritten;
    };
    const id = String(v.row.id);
    return this.ctx.storage.transactionSync(() => {
      const isNew = insert("visitors", VISITOR_COLUMNS, v.row, { current_view_id: null, slot: slotOf(id) }) > 0;
      if (isNew) sql.exec("UPDATE visitors SET slot = ? WHERE id = ?", slotOf(id), id);
      const known = new Set(
        sql
          .exec("SELECT id FROM visits WHERE visitor_id = ?", id)
          .toArray()
          .map((r) => String(r.id)),
      );
      const fresh = new Set<string>();
      for (const visit of v.visits) {
        if (known.has(String(visit.id))) continue;
        insert("visits", VISIT_COLUMNS, visit);
        fresh.add(String(visit.id));
      }
      const take = (r: Record<string, unknown>) => (r.visit_id == null ? isNew : fresh.has(String(r.visit_id)));
      let currentView: number | null = null;
      for (const p of v.pageViews) {
        if (!take(p)) continue;
        const c = sql.exec(
          "INSERT INTO page_views (site_id, visitor_id, visit_id, url, title, at, duration_ms, view_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
          ...["site_id", "visitor_id", "visit_id", "url", "title", "at", "duration_ms", "view_key"].map((c) => toValue(p[c])),
        );
        const newId = Number(c.toArray()[0]!.id);
        if (p.id === v.row.current_view_id) currentView = newId;
      }
      for (const e of v.events) if (take(e)) insert("visitor_events", EVENT_COLUMNS, e);
      for (const o of v.orders) insert("orders", ORDER_COLUMNS, o);
      for (const x of v.exposures ?? []) insert("trigger_exposures", EXPOSURE_COLUMNS, x);
      if (isNew && currentView !== null) sql.exec("UPDATE visitors SET current_view_id = ? WHERE id = ?", currentView, id);
      if (isNew && v.row.directory === 1) sql.exec("UPDATE visitors SET dirty = 1 WHERE id = ?", id);
      return isNew;
    });
  }

  /** After a reshard copied a slot away: the visitors of `slot` leave this shard. */
  dropSlot(siteId: string, shard: number, slot: number): number {
    this.bind(siteId, shard);
    const ids = JSON.stringify(
      this.ctx.storage.sql
        .exec("SELECT id FROM visitors WHERE slot = ?", slot)
        .toArray()
        .map((r) => String(r.id)),
    );
    let n = 0;
    this.ctx.storage.transactionSync(() => {
      for (const t of ACTIVITY_TABLES) {
        this.ctx.storage.sql.exec(`DELETE FROM ${t} WHERE visitor_id IN (SELECT value FROM json_each(?))`, ids);
      }
      const c = this.ctx.storage.sql.exec("DELETE FROM visitors WHERE id IN (SELECT value FROM json_each(?))", ids);
      c.toArray();
      n = c.rowsWritten;
    });
    const presence = this.live(siteId, shard);
    for (const id of JSON.parse(ids) as string[]) {
      this.pending.delete(id);
      presence.forget(id);
    }
    this.ctx.storage.sql.exec("DELETE FROM moved_slots WHERE slot = ?", slot);
    this.ctx.storage.sql.exec("DELETE FROM handed_over WHERE slot = ?", slot);
    return n;
  }

  /** The slots of visitors here that a reshard to `to` shards moves elsewhere and has not copied yet. */
  slotsToCopy(siteId: string, shard: number, to: number): number[] {
    this.bind(siteId, shard);
    return this.ctx.storage.sql
      .exec(
        "SELECT DISTINCT slot FROM visitors WHERE (slot & (? - 1)) != ? AND slot NOT IN (SELECT slot FROM moved_slots) ORDER BY slot",
        to,
        shard,
      )
      .toArray()
      .map((r) => Number(r.slot));
  }

  /** The reshard to `to` shards is complete: every visitor whose slot now lives elsewhere leaves. */
  dropMoved(siteId: string, shard: number, to: number): number {
    this.bind(siteId, shard);
    const slots = this.ctx.storage.sql
      .exec("SELECT DISTINCT slot FROM visitors WHERE (slot & (? - 1)) != ?", to, shard)
      .toArray()
      .map((r) => Number(r.slot));
    let n = 0;
    for (const slot of slots) n += this.dropSlot(siteId, shard, slot);
    this.ctx.storage.sql.exec("DELETE FROM moved_slots");
    this.ctx.storage.sql.exec("DELETE FROM handed_over");
    return n;
  }

  markSlotCopied(siteId: string, shard: number, slot: number): void {
    this.bind(siteId, shard);
    this.ctx.storage.sql.exec("INSERT OR REPLACE INTO moved_slots (slot, at) VALUES (?, ?)", slot, Date.now());
    // The slot's visitors now beacon to their new shard: their entries here would show them twice.
    const presence = this.live(siteId, shard);
    for (const r of this.ctx.storage.sql.exec("SELECT id FROM visitors WHERE slot = ?", slot)) {
      this.pending.delete(String(r.id));
      presence.forget(String(r.id));
    }
  }

  /** Ids of this shard's visitors in `slot`, after `afterId`, at most `limit` (a reshard's cursor). */
  slotVisitors(siteId: string, shard: number, slot: number, afterId: string, limit: number): string[] {
    this.bind(siteId, shard);
    return this.ctx.storage.sql
      .exec("SELECT id FROM visitors WHERE slot = ? AND id > ? ORDER BY id LIMIT ?", slot, afterId, limit)
      .toArray()
      .map((r) => String(r.id));
  }

  // ---- admin reads ---------------------------------------------------------------------------

  /** The row of a visitor here (merged ones too: the caller follows `merged_into`). */
  profileRow(siteId: string, shard: number, visitorId: string): ShardVisitorRow | null {
    this.bind(siteId, shard);
    return this.rawRow(visitorId);
  }

  async trail(siteId: string, shard: number, visitorId: string, now: number): Promise<VisitorTrail | null> {
    this.bind(siteId, shard);
    this.flushPendingOf(visitorId);
    const row = this.rawRow(visitorId);
    if (!row || row.merged_into) return null;
    return visitorTrail(this.db.asD1(), siteId, row, now);
  }

  async listPage(siteId: string, shard: number, f: VisitorFilter): Promise<VisitorListResponse> {
    this.bind(siteId, shard);
    // A reshard under way: visitors whose live copy is in their new shard are listed there only.
    return listVisitors(this.db.asD1(), siteId, f, { excludeMoved: true });
  }

  /** This shard's Audience of [from, to): whole hours from its rollups, the partial ends raw. */
  audiencePart(siteId: string, shard: number, from: number, to: number, top: number): AudienceResponse {
    this.bind(siteId, shard);
    const read = audienceFromRollups(this.ctx.storage.sql, siteId, from, to, top);
    this.rollupRowsRead += read.rowsRead;
    this.visitorRowsRead += read.visitorRowsRead;
    return read.part;
  }

  /** The same from the raw visits (tests compare the two; the old path, for the benchmark). */
  async audienceRaw(siteId: string, shard: number, from: number, to: number, top: number): Promise<AudienceResponse> {
    this.bind(siteId, shard);
    return audience(this.db.asD1(), siteId, from, to, top);
  }

  /**
   * Reports (issue 13), sales attribution: these visitors' orders created in [from, to] — the
   * page's purchases and the API orders copied here. One statement over `orders_by_visitor`.
   */
  ordersOf(siteId: string, shard: number, ids: string[], from: number, to: number): RawOrder[] {
    this.bind(siteId, shard);
    return this.ctx.storage.sql
      .exec(
        `SELECT order_id, visitor_id, customer_id, total, currency, items, created_at, source FROM orders
         WHERE site_id = ?1 AND visitor_id IN (SELECT value FROM json_each(?2)) AND created_at >= ?3 AND created_at <= ?4`,
        siteId,
        JSON.stringify(ids),
        from,
        to,
      )
      .toArray() as unknown as RawOrder[];
  }

  /**
   * Reports (issue 13), uplift: per trigger × salt × arm of the exposures first made in
   * [from, to), the visitors and those who bought within `windowMs` of their first exposure, and
   * per currency the power sums of each visitor's revenue (worker/reports/uplift.ts). Two
   * statements over `trigger_exposures_by_trigger` (or the site's exposures) and `orders_by_visitor`.
   */
  triggerArms(siteId: string, shard: number, triggerIds: string[] | null, from: number, to: number, windowMs: number): TriggerArmRow[] {
    this.bind(siteId, shard);
    const per = `WITH ex AS (
        SELECT visitor_id, trigger_id, salt, arm, first_at FROM trigger_exposures
        WHERE site_id = ?1 AND first_at >= ?2 AND first_at < ?3
          AND (?5 IS NULL OR trigger_id IN (SELECT value FROM json_each(?5)))
      ), per AS (
        SELECT ex.trigger_id, ex.salt, ex.arm, ex.visitor_id, o.currency, SUM(o.total) AS s, COUNT(o.order_id) AS n
        FROM ex LEFT JOIN orders o ON o.site_id = ?1 AND o.visitor_id = ex.visitor_id
          AND o.created_at >= ex.first_at AND o.created_at <= ex.first_at + ?4
        GROUP BY ex.trigger_id, ex.salt, ex.arm, ex.visitor_id, o.currency
      )`;
    const args = [siteId, from, to, windowMs, triggerIds === null ? null : JSON.stringify(triggerIds)];
    const arms = this.ctx.storage.sql
      .exec(
        `${per} SELECT trigger_id, salt, arm, COUNT(DISTINCT visitor_id) AS visitors,
           COUNT(DISTINCT CASE WHEN n > 0 THEN visitor_id END) AS converted
         FROM per GROUP BY trigger_id, salt, arm`,
        ...args,
      )
      .toArray();
    const money = this.ctx.storage.sql
      .exec(
        `${per} SELECT trigger_id, salt, arm, currency, COUNT(*) AS buyers, SUM(n) AS orders,
           SUM(s) AS sum, SUM(s * s) AS sum_squares, SUM(s * s * s) AS sum_cubes
         FROM per WHERE n > 0 GROUP BY trigger_id, salt, arm, currency`,
        ...args,
      )
      .toArray();
    const key = (r: Record<string, unknown>) => JSON.stringify([r.trigger_id, r.salt, r.arm]);
    const out = new Map<string, TriggerArmRow>();
    for (const r of arms) {
      out.set(key(r), {
        triggerId: String(r.trigger_id),
        salt: String(r.salt),
        arm: r.arm === "shown" ? "shown" : "control",
        visitors: Number(r.visitors),
        converted: Number(r.converted),
        revenue: [],
      });
    }
    for (const r of money) {
      out.get(key(r))?.revenue.push({
        currency: String(r.currency),
        buyers: Number(r.buyers),
        orders: Number(r.orders),
        sum: Number(r.sum),
        sumSquares: Number(r.sum_squares),
        sumCubes: Number(r.sum_cubes),
      });
    }
    return [...out.values()];
  }

  /** Visits started per UTC quarter hour of [start, end): the reports' heatmap. */
  quarterVisits(siteId: string, shard: number, start: number, end: number): { q: number; n: number }[] {
    this.bind(siteId, shard);
    return visitsPerQuarter(this.ctx.storage.sql, start, end);
  }

  /** Ids of the visitors merged into one of `ids` whose tombstones are here. */
  mergedInto(siteId: string, shard: number, ids: string[]): string[] {
    this.bind(siteId, shard);
    return this.ctx.storage.sql
      .exec("SELECT id FROM visitors WHERE site_id = ? AND merged_into IN (SELECT value FROM json_each(?))", siteId, JSON.stringify(ids))
      .toArray()
      .map((r) => String(r.id));
  }

  /** Everything stored here about these visitors, for an export. */
  exportRows(siteId: string, shard: number, ids: string[]) {
    this.bind(siteId, shard);
    for (const id of ids) this.flushPendingOf(id);
    const q = (sql: string) => this.ctx.storage.sql.exec(sql, siteId, JSON.stringify(ids)).toArray();
    const IN = "(SELECT value FROM json_each(?2))";
    return {
      visitors: q(`SELECT * FROM visitors WHERE site_id = ?1 AND id IN ${IN}`) as unknown as RawVisitor[],
      visits: q(`SELECT * FROM visits WHERE site_id = ?1 AND visitor_id IN ${IN} ORDER BY started_at`) as unknown as RawVisit[],
      pageViews: q(
        `SELECT visitor_id, visit_id, url, title, at, duration_ms FROM page_views WHERE site_id = ?1 AND visitor_id IN ${IN} ORDER BY at, id`,
      ) as unknown as {
        visitor_id: string;
        visit_id: string | null;
        url: string;
        title: string | null;
        at: number;
        duration_ms: number | null;
      }[],
      events: q(
        `SELECT visitor_id, type, data, at FROM visitor_events WHERE site_id = ?1 AND visitor_id IN ${IN} ORDER BY at, id`,
      ) as unknown as { visitor_id: string; type: string; data: string | null; at: number }[],
      orders: q(`SELECT * FROM orders WHERE site_id = ?1 AND visitor_id IN ${IN} ORDER BY created_at`) as unknown as RawOrder[],
    };
  }

  // ---- erase and retention -------------------------------------------------------------------

  /**
   * Erases these visitors and every tombstone merged into them here: rows, pending pings,
   * presence. Waits for a directory write under way first, so none lands after the D1 erase.
   * Returns the merged ids it found (the caller erases those everywhere too).
   */
  async erase(siteId: string, shard: number, ids: string[]): Promise<string[]> {
    this.bind(siteId, shard);
    await this.flushing;
    const merged = this.mergedInto(siteId, shard, ids);
    const all = JSON.stringify([...ids, ...merged]);
    this.db.batchSync(
      [...ACTIVITY_TABLES, "visitors"].map((t) =>
        this.db
          .prepare(`DELETE FROM ${t} WHERE site_id = ?1 AND ${t === "visitors" ? "id" : "visitor_id"} IN (SELECT value FROM json_each(?2))`)
          .bind(siteId, all),
      ),
    );
    this.ctx.storage.sql.exec("DELETE FROM handed_over WHERE id IN (SELECT value FROM json_each(?))", all);
    const presence = this.live(siteId, shard);
    for (const id of [...ids, ...merged]) {
      this.pending.delete(id);
      presence.forget(id);
    }
    return merged;
  }

  /** Up to `limit` profiles here last seen before `cutoff` (the retention job erases them). */
  staleProfiles(siteId: string, shard: number, cutoff: number, limit: number): string[] {
    this.bind(siteId, shard);
    return this.ctx.storage.sql
      .exec("SELECT id FROM visitors WHERE site_id = ? AND merged_into IS NULL AND last_seen_at < ? LIMIT ?", siteId, cutoff, limit)
      .toArray()
      .map((r) => String(r.id));
  }

  /** Older activity of everyone else, at most `limit` rows per table a call; returns rows deleted. */
  deleteActivityBefore(siteId: string, shard: number, cutoff: number, limit: number): number {
    this.bind(siteId, shard);
    let deleted = 0;
    this.ctx.storage.transactionSync(() => {
      for (const [t, col] of [
        ["page_views", "at"],
        ["visits", "last_at"],
        ["visitor_events", "at"],
        ["trigger_exposures", "last_at"],
      ] as const) {
        const c = this.ctx.storage.sql.exec(
          `DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE site_id = ? AND ${col} < ? LIMIT ?)`,
          siteId,
          cutoff,
          limit,
        );
        c.toArray();
        // changes(), not rowsWritten: the rollup triggers' writes are not rows deleted.
        deleted += Number(this.ctx.storage.sql.exec("SELECT changes() AS n").one().n);
      }
    });
    return deleted;
  }

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
    if (state.conversationId) this.forgetUnread(state.conversationId);
    this.live(siteId, shard).conversation(visitorId, state);
  }

  private forgetUnread(conversationId: string): void {
    this.nothingUnread.delete(conversationId);
    if (this.unreadChanged.size >= MAX_UNREAD_CACHE) this.unreadChanged.clear();
    this.unreadChanged.set(conversationId, Date.now());
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

  private live(siteId: string, shard: number): ShardPresence {
    this.bind(siteId, shard);
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

  // ---- plumbing ------------------------------------------------------------------------------

  private bind(siteId: string, shard: number): void {
    if (this.siteId !== null && this.siteId !== siteId) throw new Error("shard of another site");
    this.siteId = siteId;
    this.shard = shard;
    this.schema();
  }

  private schema(): void {
    if (this.schemaReady) return;
    migrateShard(this.ctx.storage.sql);
    this.schemaReady = true;
  }

  private rawRow(visitorId: string): ShardVisitorRow | null {
    return (this.ctx.storage.sql.exec("SELECT * FROM visitors WHERE site_id = ? AND id = ?", this.siteId, visitorId).toArray()[0] ??
      null) as ShardVisitorRow | null;
  }
}

function toValue(v: unknown): SqlStorageValue {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v !== null && typeof v === "object") return JSON.stringify(v);
  return v as SqlStorageValue;
}

/**
 * What D1 may know that the shard does not (the chat's email capture writes D1, not the shard):
 * a shard's null never erases it.
 */
/** The conversation columns of a shard's visitor row (LOAD_TRACK_ROW selects them with `v.*`). */
function conversationInRow(row: TrackRow): TrackConversation | null {
  const r = row as TrackRow & { conversation_id?: string | null; conversation_visitor_id?: string | null };
  return r.conversation_id ? { id: r.conversation_id, visitorId: String(r.conversation_visitor_id) } : null;
}

const KEEP_UNLESS_KNOWN = new Set(["name", "email", "language", "external_id"]);

/**
 * D1's directory rows for these profiles, one statement: the rows go in as one JSON parameter.
 * A chat's claim and a merge (D1's own columns) stay as they are; last seen only moves forward;
 * a name, email, language or customer id the shard lacks stays as D1 has it.
 */
export function directoryUpsert(db: D1Database, siteId: string, rows: Record<string, unknown>[]): D1PreparedStatement {
  const cols = DIRECTORY_COLUMNS;
  const pick = cols.map((c) => `json_extract(value, '$.${c}')`).join(", ");
  const set = cols
    .map((c) =>
      c === "last_seen_at"
        ? "last_seen_at = MAX(visitors.last_seen_at, excluded.last_seen_at)"
        : c === "first_seen_at"
          ? "first_seen_at = MIN(visitors.first_seen_at, excluded.first_seen_at)"
          : c === "verified"
            ? "verified = MAX(visitors.verified, excluded.verified)"
            : c === "attributes"
              ? "attributes = COALESCE(excluded.attributes, '{}')"
              : KEEP_UNLESS_KNOWN.has(c)
                ? `${c} = COALESCE(excluded.${c}, visitors.${c})`
                : `${c} = excluded.${c}`,
    )
    .join(", ");
  const json = JSON.stringify(rows.map((r) => Object.fromEntries(["id", ...cols].map((c) => [c, r[c] ?? null]))));
  return db
    .prepare(
      `INSERT INTO visitors (site_id, id, ${cols.join(", ")}, in_shard)
       SELECT ?1, json_extract(value, '$.id'), ${pick}, 1 FROM json_each(?2) WHERE true
       ON CONFLICT (site_id, id) DO UPDATE SET ${set}, in_shard = 1`,
    )
    .bind(siteId, json);
}
