/**
 * D1 writes of the tracking beacon. One read (the visitor with their current visit and page, and
 * their conversation) and one batch (a transaction) per beacon; the statements are built against
 * an in-memory copy of the row, so the Live view entry comes from the same state without a
 * second read. Every statement names the site.
 */
import {
  type Attributes,
  type CartInfo,
  type DeviceInfo,
  type LiveVisitor,
  MAX_ATTRIBUTES,
  type TrafficSource,
  VISIT_IDLE_MS,
} from "../../protocol";
import { newId } from "../lib/crypto";
import { sourceLabel, trafficSource } from "../lib/traffic";
import { cartOf, GROUP, mergeAttributes, parseJson, type RawVisitor, type SourceColumns, sourceOfVisit } from "./profiles";

export interface TrackRow extends RawVisitor, SourceColumns {
  visit_started_at: number | null;
  visit_returning: number | null;
  view_url: string | null;
  view_title: string | null;
  view_at: number | null;
  view_duration: number | null;
  /** The latest page view with the beacon's page-view key (`TrackBody.pv`), if any. */
  key_view_id: number | null;
  key_view_url: string | null;
  key_view_title: string | null;
  key_view_at: number | null;
  key_view_duration: number | null;
}

/** A page view a ping or leave is about. */
export interface PageViewRef {
  id: number;
  url: string;
  title: string | null;
  at: number;
  duration: number | null;
  /** Whether it is the visitor's current page (the latest view of any tab). */
  current: boolean;
}

export interface TrackConversation {
  id: string;
  visitorId: string;
}

/** A visitor's tracking row with its current visit, page view and this tab's view (D1 or a shard's SQLite). */
export const LOAD_TRACK_ROW = `SELECT v.*, vi.started_at AS visit_started_at, vi.is_returning AS visit_returning, vi.referrer, vi.utm_source,
    vi.utm_medium, vi.utm_campaign, vi.utm_term, vi.utm_content, vi.landing_url,
    pv.url AS view_url, pv.title AS view_title, pv.at AS view_at, pv.duration_ms AS view_duration,
    kv.id AS key_view_id, kv.url AS key_view_url, kv.title AS key_view_title, kv.at AS key_view_at, kv.duration_ms AS key_view_duration
  FROM visitors v
  LEFT JOIN visits vi ON vi.site_id = v.site_id AND vi.id = v.current_visit_id
  LEFT JOIN page_views pv ON pv.site_id = v.site_id AND pv.id = v.current_view_id
  LEFT JOIN page_views kv ON kv.id = (
    SELECT k.id FROM page_views k WHERE k.site_id = v.site_id AND k.visitor_id = v.id AND k.view_key = ?3 ORDER BY k.id DESC LIMIT 1)
  WHERE v.site_id = ?1 AND v.id = ?2`;

export async function loadTrackRow(db: D1Database, siteId: string, visitorId: string): Promise<TrackRow | null> {
  return db.prepare(LOAD_TRACK_ROW).bind(siteId, visitorId, null).first<TrackRow>();
}

/**
 * The visitor (with current visit and page, and the page view `viewKey` names) and their
 * conversation, in one round trip.
 */
export async function loadTrack(
  db: D1Database,
  siteId: string,
  visitorId: string,
  viewKey: string | null,
): Promise<{ row: TrackRow | null; conversation: TrackConversation | null }> {
  const [row, conversation] = await db.batch([
    db.prepare(LOAD_TRACK_ROW).bind(siteId, visitorId, viewKey),
    conversationStatement(db, siteId, visitorId),
  ]);
  const c = (conversation!.results as { id: string; visitor_id: string }[])[0];
  return { row: (row!.results as TrackRow[])[0] ?? null, conversation: c ? { id: c.id, visitorId: c.visitor_id } : null };
}

function conversationStatement(db: D1Database, siteId: string, visitorId: string): D1PreparedStatement {
  return db
    .prepare(`SELECT id, visitor_id FROM conversations WHERE site_id = ?1 AND ${GROUP()} ORDER BY updated_at DESC LIMIT 1`)
    .bind(siteId, visitorId);
}

/** The conversation of this visitor or of a profile merged into it (the chat may still use the old id). */
export async function conversationOfGroup(db: D1Database, siteId: string, visitorId: string): Promise<TrackConversation | null> {
  const r = await db
    .prepare(`SELECT id, visitor_id FROM conversations WHERE site_id = ?1 AND ${GROUP()} ORDER BY updated_at DESC LIMIT 1`)
    .bind(siteId, visitorId)
    .first<{ id: string; visitor_id: string }>();
  return r ? { id: r.id, visitorId: r.visitor_id } : null;
}

export interface RequestFacts {
  device: DeviceInfo | null;
  country: string | null;
  city: string | null;
  language: string | null;
}

/**
 * One beacon's changes to one visitor: call the event methods, then `commit()`. `row` is kept
 * up to date in memory as statements are added.
 */
export class TrackWriter {
  readonly statements: D1PreparedStatement[] = [];
  readonly row: TrackRow;

  constructor(
    private readonly db: D1Database,
    readonly siteId: string,
    visitorId: string,
    existing: TrackRow | null,
    readonly now: number,
    private readonly facts: RequestFacts,
  ) {
    this.row = existing ?? blankRow(siteId, visitorId, now);
    if (!existing) {
      this.statements.push(
        db
          .prepare(
            `INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT (site_id, id) DO NOTHING`,
          )
          .bind(siteId, visitorId, now),
      );
    }
  }

  get visitorId(): string {
    return this.row.id;
  }

  /** Whether the current visit has ended by idleness (or there is none). */
  get idle(): boolean {
    return !this.row.current_visit_id || this.now - this.row.last_seen_at > VISIT_IDLE_MS;
  }

  /**
   * A page view (also each SPA navigation): closes the previous one, starts a visit after
   * idleness. `key`: the presence module's name for this page view, which its pings carry.
   */
  view(url: string, rawUrl: string, title: string | null, referrer: string | undefined, key: string | null): void {
    const r = this.row;
    const startVisit = this.idle;
    this.closeView(startVisit);
    if (startVisit) this.startVisit(rawUrl, referrer);
    this.statements.push(
      this.db
        .prepare("INSERT INTO page_views (site_id, visitor_id, visit_id, url, title, at, view_key) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(this.siteId, r.id, r.current_visit_id, url, title, this.now, key),
      // Right after the insert, in the same transaction: its rowid is the new current page.
      this.db
        .prepare(
          `UPDATE visitors SET current_view_id = last_insert_rowid(), page_views = page_views + 1, last_seen_at = ?3
           WHERE site_id = ?1 AND id = ?2`,
        )
        .bind(this.siteId, r.id, this.now),
      this.db
        .prepare("UPDATE visits SET page_views = page_views + 1, last_at = ?3 WHERE site_id = ?1 AND id = ?2")
        .bind(this.siteId, r.current_visit_id, this.now),
    );
    r.page_views++;
    r.last_seen_at = this.now;
    r.current_view_id = -1; // set by the database; only "there is one" matters from here
    r.view_url = url;
    r.view_title = title;
    r.view_at = this.now;
    r.view_duration = null;
  }

  /**
   * The page view a ping or leave is about: the one its key names (each tab names its own), or,
   * from a presence module that sends no key, the current page view if the URL is its URL.
   * Null when this visitor never viewed it: a ping never invents a page view.
   */
  pageView(key: string | undefined, url: string | null): PageViewRef | null {
    const r = this.row;
    if (key !== undefined) {
      if (r.key_view_id === null || r.key_view_url === null || r.key_view_at === null) return null;
      if (r.key_view_id === r.current_view_id) return this.currentView();
      return {
        id: r.key_view_id,
        url: r.key_view_url,
        title: r.key_view_title,
        at: r.key_view_at,
        duration: r.key_view_duration,
        current: false,
      };
    }
    return url !== null && r.view_url === url ? this.currentView() : null;
  }

  private currentView(): PageViewRef | null {
    const r = this.row;
    if (r.current_view_id === null || r.view_url === null || r.view_at === null) return null;
    return { id: r.current_view_id, url: r.view_url, title: r.view_title, at: r.view_at, duration: r.view_duration, current: true };
  }

  /** Still on that page (ms: time on it so far), or left it (leave); only its own duration moves. */
  stillThere(view: PageViewRef, ms: number | undefined): void {
    const duration = Math.min(ms ?? this.now - view.at, VISIT_IDLE_MS);
    if (duration > (view.duration ?? 0)) this.setViewDuration(view, duration);
    this.touch();
  }

  /** Any other event: the visitor is active now. */
  touch(): void {
    const r = this.row;
    this.statements.push(
      this.db.prepare("UPDATE visitors SET last_seen_at = ?3 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, r.id, this.now),
    );
    if (r.current_visit_id && !this.idle) {
      this.statements.push(
        this.db.prepare("UPDATE visits SET last_at = ?3 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, r.current_visit_id, this.now),
      );
    }
    r.last_seen_at = this.now;
  }

  language(l: string | undefined): void {
    if (!l || l === this.row.language) return;
    this.row.language = l;
    this.statements.push(
      this.db.prepare("UPDATE visitors SET language = ?3 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, this.row.id, l),
    );
  }

  attributes(patch: Attributes): void {
    const next = mergeAttributes(parseJson<Attributes>(this.row.attributes, {}), patch, MAX_ATTRIBUTES);
    this.row.attributes = JSON.stringify(next);
    this.statements.push(
      this.db
        .prepare("UPDATE visitors SET attributes = ?3 WHERE site_id = ?1 AND id = ?2")
        .bind(this.siteId, this.row.id, this.row.attributes),
    );
    this.event("attributes", patch);
  }

  cart(cart: Omit<CartInfo, "updatedAt">): void {
    const value: CartInfo | null = cart.items.length || cart.total > 0 ? { ...cart, updatedAt: this.now } : null;
    this.row.cart = value ? JSON.stringify(value) : null;
    this.statements.push(
      this.db.prepare("UPDATE visitors SET cart = ?3 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, this.row.id, this.row.cart),
    );
    this.event("cart", cart);
  }

  /** A purchase reported by the page: an order (source "page") unless the shop already has it; the cart empties. */
  purchase(p: { orderId: string; items?: CartInfo["items"] | undefined; total: number; currency: string }): void {
    this.statements.push(
      this.db
        .prepare(
          `INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 'page') ON CONFLICT (site_id, order_id) DO NOTHING`,
        )
        .bind(
          this.siteId,
          p.orderId,
          this.row.id,
          this.row.verified ? this.row.external_id : null,
          p.total,
          p.currency,
          JSON.stringify(p.items ?? []),
          this.now,
        ),
      this.db.prepare("UPDATE visitors SET cart = NULL WHERE site_id = ?1 AND id = ?2").bind(this.siteId, this.row.id),
    );
    this.row.cart = null;
    this.event("purchase", p);
  }

  /**
   * The visitor says who they are. `verified`: the hash checked out (and no other profile has
   * that id), so the profile becomes the customer's. Otherwise the claim is kept as unverified —
   * and never written over a verified profile.
   */
  identify(d: { id: string; email?: string | undefined; name?: string | undefined }, verified: boolean): void {
    const r = this.row;
    if (!verified && r.verified) return;
    r.external_id = d.id;
    r.email = d.email ?? r.email;
    r.name = d.name ?? r.name;
    if (verified) r.verified = 1;
    this.statements.push(
      this.db
        .prepare(
          `UPDATE visitors SET external_id = ?3, email = ?4, name = ?5, verified = ?6
           WHERE site_id = ?1 AND id = ?2 AND (?6 = 1 OR verified = 0)`,
        )
        .bind(this.siteId, r.id, r.external_id, r.email, r.name, verified ? 1 : 0),
    );
    this.event("identify", { id: d.id, verified });
  }

  event(type: string, data: unknown): void {
    this.statements.push(
      this.db
        .prepare("INSERT INTO visitor_events (site_id, visitor_id, visit_id, type, data, at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(this.siteId, this.row.id, this.idle ? null : this.row.current_visit_id, type, JSON.stringify(data), this.now),
    );
  }

  async commit(): Promise<void> {
    if (this.statements.length) await this.db.batch(this.statements);
  }

  /** The Live view entry, when the visitor is on a page now. */
  live(conversationId: string | null): LiveVisitor | null {
    const r = this.row;
    if (this.idle || r.view_url === null || r.view_at === null) return null;
    const cart = cartOf(r);
    return {
      visitorId: r.id,
      name: r.name,
      email: r.email,
      verified: r.verified === 1,
      url: r.view_url,
      title: r.view_title,
      pageSince: r.view_at,
      visitStartedAt: r.visit_started_at ?? r.view_at,
      lastSeenAt: r.last_seen_at,
      source: r.visit_started_at !== null ? sourceOfVisit(r) : null,
      returning: r.visits > 1,
      cart: cart ? { total: cart.total, currency: cart.currency } : null,
      conversationId,
      chatting: false, // the hub knows the conversation's state
      country: r.country,
      device: r.device_type ? { type: r.device_type as DeviceInfo["type"], browser: r.browser, os: r.os } : null,
    };
  }

  private setViewDuration(view: PageViewRef, duration: number): void {
    const r = this.row;
    const delta = duration - (view.duration ?? 0);
    this.statements.push(
      this.db
        .prepare(`UPDATE visitors SET time_on_site_ms = time_on_site_ms + ?3 WHERE site_id = ?1 AND id = ?2`)
        .bind(this.siteId, r.id, delta),
      this.db.prepare("UPDATE page_views SET duration_ms = ?3 WHERE site_id = ?1 AND id = ?2").bind(this.siteId, view.id, duration),
    );
    if (view.current) r.view_duration = duration;
    if (view.id === r.key_view_id) r.key_view_duration = duration;
  }

  /** Ends the current page view: by the next view (now) or, after idleness, at the last sign of life. */
  private closeView(afterIdle: boolean): void {
    const r = this.row;
    const current = this.currentView();
    if (!current) return;
    const end = afterIdle ? r.last_seen_at : this.now;
    const duration = Math.max(0, Math.min(end - current.at, VISIT_IDLE_MS));
    if (duration > (current.duration ?? 0)) this.setViewDuration(current, duration);
  }

  private startVisit(rawUrl: string, referrer: string | undefined): void {
    const r = this.row;
    const source: TrafficSource = trafficSource(rawUrl, referrer);
    const label = sourceLabel(source);
    const visitId = newId("vs");
    const returning = r.visits > 0 ? 1 : 0;
    const f = this.facts;
    this.statements.push(
      this.db
        .prepare(
          `INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, referrer, utm_source, utm_medium, utm_campaign,
             utm_term, utm_content, landing_url, source_label, device_type, browser, os, country, city, is_returning)
           VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)`,
        )
        .bind(
          visitId,
          this.siteId,
          r.id,
          this.now,
          source.referrer,
          source.utmSource,
          source.utmMedium,
          source.utmCampaign,
          source.utmTerm,
          source.utmContent,
          source.landingUrl,
          label,
          f.device?.type ?? null,
          f.device?.browser ?? null,
          f.device?.os ?? null,
          f.country,
          f.city,
          returning,
        ),
      this.db
        .prepare(
          `UPDATE visitors SET visits = visits + 1, current_visit_id = ?3, last_source = ?4, last_source_label = ?5,
             first_source = COALESCE(first_source, ?4), first_source_label = COALESCE(first_source_label, ?5),
             device_type = COALESCE(?6, device_type), browser = COALESCE(?7, browser), os = COALESCE(?8, os),
             country = COALESCE(?9, country), city = COALESCE(?10, city), last_seen_at = ?11
           WHERE site_id = ?1 AND id = ?2`,
        )
        .bind(
          this.siteId,
          r.id,
          visitId,
          JSON.stringify(source),
          label,
          f.device?.type ?? null,
          f.device?.browser ?? null,
          f.device?.os ?? null,
          f.country,
          f.city,
          this.now,
        ),
    );
    r.visits++;
    r.current_visit_id = visitId;
    r.last_seen_at = this.now;
    r.visit_started_at = this.now;
    r.visit_returning = returning;
    r.referrer = source.referrer;
    r.utm_source = source.utmSource;
    r.utm_medium = source.utmMedium;
    r.utm_campaign = source.utmCampaign;
    r.utm_term = source.utmTerm;
    r.utm_content = source.utmContent;
    r.landing_url = source.landingUrl;
    r.first_source ??= JSON.stringify(source);
    r.last_source = JSON.stringify(source);
    if (f.device) {
      r.device_type = f.device.type;
      r.browser = f.device.browser ?? r.browser;
      r.os = f.device.os ?? r.os;
    }
    r.country = f.country ?? r.country;
    r.city = f.city ?? r.city;
  }
}

function blankRow(siteId: string, id: string, now: number): TrackRow {
  return {
    site_id: siteId,
    id,
    name: null,
    email: null,
    external_id: null,
    verified: 0,
    merged_into: null,
    first_seen_at: now,
    last_seen_at: now,
    visits: 0,
    page_views: 0,
    time_on_site_ms: 0,
    first_source: null,
    last_source: null,
    first_source_label: null,
    last_source_label: null,
    device_type: null,
    browser: null,
    os: null,
    country: null,
    city: null,
    language: null,
    attributes: "{}",
    cart: null,
    current_visit_id: null,
    current_view_id: null,
    chat_claimed_at: null,
    visit_started_at: null,
    visit_returning: null,
    referrer: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    landing_url: null,
    view_url: null,
    view_title: null,
    view_at: null,
    view_duration: null,
    key_view_id: null,
    key_view_url: null,
    key_view_title: null,
    key_view_at: null,
    key_view_duration: null,
  };
}

/** The verified profile of a customer id, if any (not merged). */
export async function findVerifiedCustomer(db: D1Database, siteId: string, externalId: string): Promise<string | null> {
  return db
    .prepare("SELECT id FROM visitors WHERE site_id = ? AND external_id = ? AND verified = 1 AND merged_into IS NULL")
    .bind(siteId, externalId)
    .first<string>("id");
}

/** Creates a fresh verified profile for a customer id (another device, or a shop API customer). */
export async function createVerifiedVisitor(db: D1Database, v: Parameters<typeof createVerifiedStatement>[1]): Promise<void> {
  await createVerifiedStatement(db, v).run();
}

function createVerifiedStatement(
  db: D1Database,
  v: { siteId: string; id: string; externalId: string; email: string | null; name: string | null; now: number },
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO visitors (site_id, id, first_seen_at, last_seen_at, external_id, verified, email, name)
       VALUES (?1, ?2, ?3, ?3, ?4, 1, ?5, ?6)`,
    )
    .bind(v.siteId, v.id, v.now, v.externalId, v.email, v.name);
}

/**
 * Folds anonymous visitor `from` (its row as read) into verified profile `into`: page views,
 * visits, events and orders move; counters add up; the newer device, place and cart win; `from`
 * is marked merged (its conversation stays under its id and is listed with the profile).
 */
export async function mergeVisitor(
  db: D1Database,
  siteId: string,
  from: TrackRow,
  into: string,
  identity: { email?: string | undefined; name?: string | undefined },
): Promise<void> {
  await db.batch(mergeStatements(db, siteId, from, into, identity));
}

export function mergeStatements(
  db: D1Database,
  siteId: string,
  from: TrackRow,
  into: string,
  identity: { email?: string | undefined; name?: string | undefined },
): D1PreparedStatement[] {
  const moves = ["page_views", "visits", "visitor_events", "orders"].map((table) =>
    db.prepare(`UPDATE ${table} SET visitor_id = ?3 WHERE site_id = ?1 AND visitor_id = ?2`).bind(siteId, from.id, into),
  );
  const newer = "?5 >= last_seen_at";
  return [
    ...moves,
    db
      .prepare(
        `UPDATE visitors SET
           visits = visits + ?3, page_views = page_views + ?4, time_on_site_ms = time_on_site_ms + ?6,
           first_source = CASE WHEN ?7 < first_seen_at AND ?8 IS NOT NULL THEN ?8 ELSE COALESCE(first_source, ?8) END,
           first_source_label = CASE WHEN ?7 < first_seen_at AND ?9 IS NOT NULL THEN ?9 ELSE COALESCE(first_source_label, ?9) END,
           first_seen_at = MIN(first_seen_at, ?7),
           current_visit_id = CASE WHEN ${newer} THEN ?10 ELSE current_visit_id END,
           current_view_id = CASE WHEN ${newer} THEN ?11 ELSE current_view_id END,
           last_source = CASE WHEN ${newer} AND ?12 IS NOT NULL THEN ?12 ELSE last_source END,
           last_source_label = CASE WHEN ${newer} AND ?13 IS NOT NULL THEN ?13 ELSE last_source_label END,
           device_type = CASE WHEN ${newer} THEN COALESCE(?14, device_type) ELSE device_type END,
           browser = CASE WHEN ${newer} THEN COALESCE(?15, browser) ELSE browser END,
           os = CASE WHEN ${newer} THEN COALESCE(?16, os) ELSE os END,
           country = CASE WHEN ${newer} THEN COALESCE(?17, country) ELSE country END,
           city = CASE WHEN ${newer} THEN COALESCE(?18, city) ELSE city END,
           language = CASE WHEN ${newer} THEN COALESCE(?19, language) ELSE language END,
           cart = CASE WHEN ${newer} AND ?20 IS NOT NULL THEN ?20 ELSE cart END,
           attributes = json_patch(?21, attributes),
           email = COALESCE(?22, email, ?24), name = COALESCE(?23, name, ?25),
           last_seen_at = MAX(last_seen_at, ?5),
           -- A chat that claimed the merged visitor claimed the profile: the profile's tracking
           -- token (which the shop page holds) must not give another chat a claim on it.
           chat_claimed_at = COALESCE(chat_claimed_at, ?26)
         WHERE site_id = ?1 AND id = ?2`,
      )
      .bind(
        siteId,
        into,
        from.visits,
        from.page_views,
        from.last_seen_at,
        from.time_on_site_ms,
        from.first_seen_at,
        from.first_source,
        from.first_source_label,
        from.current_visit_id,
        from.current_view_id,
        from.last_source,
        from.last_source_label,
        from.device_type,
        from.browser,
        from.os,
        from.country,
        from.city,
        from.language,
        from.cart,
        from.attributes,
        identity.email ?? null,
        identity.name ?? null,
        from.email,
        from.name,
        from.chat_claimed_at,
      ),
    db
      .prepare("UPDATE visitors SET merged_into = ?3, current_visit_id = NULL, current_view_id = NULL WHERE site_id = ?1 AND id = ?2")
      .bind(siteId, from.id, into),
    db
      .prepare("INSERT INTO visitor_events (site_id, visitor_id, type, data, at) VALUES (?1, ?2, 'merged', ?3, ?4)")
      .bind(siteId, into, JSON.stringify({ from: from.id }), Date.now()),
  ];
}
