/**
 * SiteHub: one Durable Object per shop. Holds the operators' dashboard sockets and their
 * presence, keeps the live inbox (latest summary of each recent conversation), fans changes out
 * to every dashboard, and routes conversations: least-loaded online operator under their cap
 * (with the skill asked for), a queue in arrival order when nobody is free, re-assignment when
 * the assignee does not answer in time. Rebuilt from D1 when its storage is new.
 * The Worker reaches it through its stub: `fetch` for dashboard sockets, RPC for the rest.
 */
import { DurableObject } from "cloudflare:workers";
import {
  type ConversationSummary,
  decodeHubFrame,
  type HubServerFrame,
  INVITE_TTL_MS,
  LEAVE_GRACE_MS,
  LIVE_TIMEOUT_MS,
  type LiveVisitor,
  type OnlineOperator,
  PING,
  PONG,
  type PresenceStatus,
  type SiteSettings,
} from "../../protocol";
import { recentConversations } from "../db/conversations";
import { type RosterEntry, siteRoster } from "../db/operators";
import { getSiteSettings } from "../db/sites";
import type { Env } from "../env";
import { errorResponse } from "../lib/api-error";
import { type Participant, readParticipant, type SessionMatch } from "../lib/participant";
import type { Assignment } from "./conversation-room";
import { type Candidate, estimateWaitSeconds, pickOperator } from "./routing";
import { answerClose, broadcastFrame, sendFrame } from "./socket-send";

/** Resolved conversations stay in the live inbox this long after their last activity. */
const RECENT_MS = 7 * 24 * 3600 * 1000;
const SNAPSHOT_LIMIT = 200;

type OperatorParticipant = Extract<Participant, { role: "operator" }>;
type Attachment = OperatorParticipant & { status: PresenceStatus };

const SCHEMA = [
  `CREATE TABLE inbox (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL,
                       rev INTEGER NOT NULL, summary TEXT NOT NULL);
   CREATE INDEX inbox_by_activity ON inbox (updated_at DESC);
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // v2: routing. An assignment row holds an operator's capacity from the moment the hub decides,
  // before the room confirms, so two decisions in flight never overfill an operator.
  `CREATE TABLE assignments (conversation_id TEXT PRIMARY KEY, operator_id TEXT NOT NULL,
                             assigned_at INTEGER NOT NULL, answered INTEGER NOT NULL,
                             tried TEXT NOT NULL DEFAULT '[]');
   CREATE TABLE queue (conversation_id TEXT PRIMARY KEY, skill TEXT, enqueued_at INTEGER NOT NULL);`,
  // v3: the Live view (visitors on the site now, until expires_at) and pending invitations.
  `CREATE TABLE live (visitor_id TEXT PRIMARY KEY, data TEXT NOT NULL, expires_at INTEGER NOT NULL);
   CREATE INDEX live_by_expiry ON live (expires_at);
   CREATE TABLE invites (visitor_id TEXT PRIMARY KEY, at INTEGER NOT NULL);`,
];

export class SiteHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private roster: RosterEntry[] | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const from = Number(this.sql.exec("SELECT version FROM schema_version").toArray()[0]?.version ?? 0);
    if (from < SCHEMA.length) {
      for (let v = from; v < SCHEMA.length; v++) this.sql.exec(SCHEMA[v]!);
      this.sql.exec("DELETE FROM schema_version");
      this.sql.exec("INSERT INTO schema_version (version) VALUES (?)", SCHEMA.length);
    }
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // ---- RPC ----------------------------------------------------------------------------------

  /** A conversation changed: keep the newest revision, tell every dashboard, route if needed. */
  async conversationChanged(summary: ConversationSummary): Promise<void> {
    const current = this.sql.exec("SELECT rev, summary FROM inbox WHERE id = ?", summary.id).toArray()[0];
    if (current && Number(current.rev) >= summary.rev) return;
    this.rememberSite(summary.siteId);
    // Profiles live in D1, not in the room: keep the visitor name the hub already knows.
    const knownName = current ? (JSON.parse(String(current.summary)) as ConversationSummary).visitorName : null;
    const merged: ConversationSummary = {
      ...summary,
      visitorName: summary.visitorName ?? knownName ?? this.liveEntry(summary.visitorId)?.name ?? null,
    };
    this.sql.exec(
      "INSERT OR REPLACE INTO inbox (id, status, updated_at, rev, summary) VALUES (?, ?, ?, ?, ?)",
      merged.id,
      merged.status,
      merged.updatedAt,
      merged.rev,
      JSON.stringify(merged),
    );
    this.broadcast({ type: "inbox.update", conversation: merged });
    this.refreshLiveChat(merged);
    await this.followUp(merged);
  }

  // ---- Live view ----------------------------------------------------------------------------

  /**
   * The tracking beacon saw a visitor: `visitor` is their Live view entry when they are on a page
   * (null otherwise). Dashboards hear of it only when something they show changed, not on every
   * ping. Returns whether an operator's invitation was waiting for them (and clears it).
   */
  async visitorSeen(siteId: string, visitorId: string, visitor: LiveVisitor | null, leaving = false): Promise<{ invited: boolean }> {
    this.rememberSite(siteId);
    if (visitor) {
      const now = Date.now();
      const entry = this.withChat(visitor);
      const before = this.liveEntry(entry.visitorId);
      const expiresAt = leaving ? now + LEAVE_GRACE_MS : Math.max(now, entry.lastSeenAt) + LIVE_TIMEOUT_MS;
      this.sql.exec(
        "INSERT OR REPLACE INTO live (visitor_id, data, expires_at) VALUES (?, ?, ?)",
        entry.visitorId,
        JSON.stringify(entry),
        expiresAt,
      );
      if (!before || material(before) !== material(entry)) this.broadcast({ type: "live.update", visitor: entry });
      if (entry.name && entry.conversationId) this.nameInInbox(entry.conversationId, entry.name);
      await this.scheduleAt(expiresAt);
    }
    const invite = this.sql.exec("SELECT at FROM invites WHERE visitor_id = ?", visitorId).toArray()[0];
    if (!invite) return { invited: false };
    this.sql.exec("DELETE FROM invites WHERE visitor_id = ?", visitorId);
    return { invited: Number(invite.at) > Date.now() - INVITE_TTL_MS };
  }

  /** An operator invited this visitor: their loader's next beacon answers `o: 1`. */
  invite(siteId: string, visitorId: string): void {
    this.rememberSite(siteId);
    this.sql.exec("INSERT OR REPLACE INTO invites (visitor_id, at) VALUES (?, ?)", visitorId, Date.now());
  }

  /**
   * Visitors erased or merged away: out of the Live view, and (erasure) their conversations out
   * of the inbox, routing and the queue.
   */
  async forgetVisitors(siteId: string, visitorIds: string[], conversationIds: string[] = []): Promise<void> {
    if (this.siteId() !== siteId) return;
    for (const id of visitorIds) {
      this.sql.exec("DELETE FROM invites WHERE visitor_id = ?", id);
      if (this.sql.exec("DELETE FROM live WHERE visitor_id = ? RETURNING visitor_id", id).toArray().length) {
        this.broadcast({ type: "live.gone", visitorId: id });
      }
    }
    let freed = false;
    for (const id of conversationIds) {
      this.sql.exec("DELETE FROM inbox WHERE id = ?", id);
      freed = this.sql.exec("DELETE FROM assignments WHERE conversation_id = ? RETURNING 1", id).toArray().length > 0 || freed;
      freed = this.sql.exec("DELETE FROM queue WHERE conversation_id = ? RETURNING 1", id).toArray().length > 0 || freed;
      this.broadcast({ type: "inbox.remove", conversationId: id });
    }
    if (freed) {
      await this.publishQueue();
      await this.drainQueue();
    }
  }

  /** A visitor gave their name (identify) after their conversation began: the inbox shows it. */
  private nameInInbox(conversationId: string, name: string): void {
    const row = this.sql.exec("SELECT summary FROM inbox WHERE id = ?", conversationId).toArray()[0];
    if (!row) return;
    const summary = JSON.parse(String(row.summary)) as ConversationSummary;
    if (summary.visitorName === name) return;
    const renamed = { ...summary, visitorName: name };
    this.sql.exec("UPDATE inbox SET summary = ? WHERE id = ?", JSON.stringify(renamed), conversationId);
    this.broadcast({ type: "inbox.update", conversation: renamed });
  }

  /** Everyone on the site now (dashboards get this on connect). */
  liveVisitors(): LiveVisitor[] {
    return this.sql
      .exec("SELECT data FROM live WHERE expires_at > ? ORDER BY expires_at DESC LIMIT 2000", Date.now())
      .toArray()
      .map((r) => JSON.parse(String(r.data)) as LiveVisitor);
  }

  private liveEntry(visitorId: string): LiveVisitor | null {
    const r = this.sql.exec("SELECT data FROM live WHERE visitor_id = ?", visitorId).toArray()[0];
    return r ? (JSON.parse(String(r.data)) as LiveVisitor) : null;
  }

  /** `chatting`: the visitor's conversation is open and has messages, an invitation's included (from the live inbox). */
  private withChat(v: LiveVisitor): LiveVisitor {
    const summary = v.conversationId ? this.summaryOf(v.conversationId) : null;
    return { ...v, chatting: summary !== null && summary.status === "open" && summary.messageCount > 0 };
  }

  /** A conversation changed: its visitor's Live view entry may now be (or stop being) chatting. */
  private refreshLiveChat(s: ConversationSummary): void {
    const entry = this.liveEntry(s.visitorId);
    if (!entry) return;
    const next = this.withChat({ ...entry, conversationId: s.id });
    if (material(next) === material(entry)) return;
    this.sql.exec("UPDATE live SET data = ? WHERE visitor_id = ?", JSON.stringify(next), s.visitorId);
    this.broadcast({ type: "live.update", visitor: next });
  }

  /** Drops visitors whose time is up (O(expired), by the expiry index). */
  private expireLive(): void {
    const gone = this.sql.exec("DELETE FROM live WHERE expires_at <= ? RETURNING visitor_id", Date.now()).toArray();
    for (const r of gone) this.broadcast({ type: "live.gone", visitorId: String(r.visitor_id) });
    this.sql.exec("DELETE FROM invites WHERE at <= ?", Date.now() - INVITE_TTL_MS);
  }

  /** The one alarm serves re-assignment and the Live view: it is set for whichever is due first. */
  private async scheduleAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private async scheduleLiveCheck(): Promise<void> {
    const next = this.sql.exec("SELECT MIN(expires_at) AS t FROM live").one().t as number | null;
    if (next !== null) await this.scheduleAt(next);
  }

  operatorsOnline(): OnlineOperator[] {
    const seen = new Map<string, OnlineOperator>();
    const loads = this.loads();
    for (const ws of this.ctx.getWebSockets()) {
      const who = ws.deserializeAttachment() as Attachment | null;
      if (!who || ws.readyState !== WebSocket.OPEN) continue;
      const known = seen.get(who.operatorId);
      // Online on any tab counts as online.
      if (known && (known.status === "online" || who.status === "away")) continue;
      const cap = this.roster?.find((r) => r.id === who.operatorId)?.maxChats ?? 0;
      seen.set(who.operatorId, {
        id: who.operatorId,
        name: who.name,
        avatarUrl: who.avatarUrl,
        status: who.status,
        load: loads.get(who.operatorId) ?? 0,
        maxChats: cap,
      });
    }
    return [...seen.values()];
  }

  /** Capacity, skills or the team changed: reload them; freed capacity may drain the queue. */
  async rosterChanged(): Promise<void> {
    this.roster = null;
    await this.loadRoster();
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline() });
    await this.drainQueue();
  }

  /** An operator picks a conversation (from the queue or anyone's); caps do not apply. */
  async take(conversationId: string, operatorId: string): Promise<ConversationSummary | null> {
    const to = await this.rosterEntry(operatorId);
    if (!to || !this.inInbox(conversationId)) return null;
    return this.assign(conversationId, to, { reason: "taken" });
  }

  /**
   * Passes a conversation to an operator, or to whoever is free with a skill (queued for that
   * skill when nobody is). Null when the conversation or the operator is unknown.
   */
  async transfer(
    conversationId: string,
    by: { operatorId: string; name: string },
    target: { operatorId: string } | { skill: string },
    note: string | null,
  ): Promise<ConversationSummary | null> {
    if (!this.inInbox(conversationId)) return null;
    const from = this.assignmentOf(conversationId)?.operatorId ?? by.operatorId;
    const fromName = (await this.rosterEntry(from))?.name ?? by.name;
    if ("operatorId" in target) {
      const to = await this.rosterEntry(target.operatorId);
      if (!to) return null;
      return this.assign(conversationId, to, { reason: "transferred", fromName, note });
    }
    const chosen = await this.choose(target.skill, new Set([from]));
    if (chosen) return this.assign(conversationId, chosen, { reason: "transferred", fromName, note });
    this.sql.exec("DELETE FROM assignments WHERE conversation_id = ?", conversationId);
    this.enqueue(conversationId, target.skill);
    await this.publishQueue();
    return this.summaryOf(conversationId);
  }

  // ---- contract for the coming work (issue 9); implemented with the hub's split ---------------

  /** Site settings changed: conversations that cache a policy (typing preview) hear it at once. */
  async settingsChanged(_siteId: string, _settings: SiteSettings): Promise<void> {}

  /** Sign-out: the dashboard and conversation sockets of that session (or operator) close. */
  async closeSessions(_siteId: string, _match: SessionMatch): Promise<void> {}

  /** A visitor gave their name (identify): inbox rows of their conversations show it. */
  async visitorNamed(_siteId: string, _visitorId: string, _name: string): Promise<void> {}

  /** An operator opened a conversation socket; a sign-out of that session closes it too. */
  async noteViewer(_siteId: string, _sessionTag: string, _operatorId: string, _conversationId: string): Promise<void> {}

  // ---- dashboard sockets --------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse("bad_request", "Expected a WebSocket upgrade.");
    }
    const who = readParticipant(request);
    if (who?.role !== "operator") return errorResponse("unauthorized", "Operators only.");
    this.rememberSite(who.siteId);
    await this.loadFromD1Once(who.siteId);
    this.roster = await siteRoster(this.env.DB, who.siteId); // caps and skills may have changed

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [who.operatorId]);
    server.serializeAttachment({ ...who, status: "online" } satisfies Attachment);
    this.send(server, { type: "inbox.snapshot", conversations: this.snapshot(), operatorsOnline: this.operatorsOnline() });
    this.send(server, { type: "queue.state", conversationIds: this.queued().map((q) => q.id) });
    this.send(server, { type: "live.snapshot", visitors: this.liveVisitors() });
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline() }, server);
    this.ctx.waitUntil(this.drainQueue());
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const decoded = decodeHubFrame(raw);
    if (!decoded.ok) {
      this.send(ws, { type: "error", ...decoded.error });
      return;
    }
    const who = ws.deserializeAttachment() as Attachment;
    ws.serializeAttachment({ ...who, status: decoded.value.status } satisfies Attachment);
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline() });
    if (decoded.value.status === "online") await this.drainQueue();
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    answerClose(ws, code);
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline() }, ws);
  }

  // ---- routing ------------------------------------------------------------------------------

  /** Re-assigns conversations whose assignee did not answer in time, then sleeps until the next. */
  override async alarm(): Promise<void> {
    this.expireLive();
    await this.scheduleLiveCheck();
    const siteId = this.siteId();
    if (!siteId) return;
    const { reassignAfterSeconds } = await getSiteSettings(this.env.DB, siteId);
    const due = Date.now() - reassignAfterSeconds * 1000;
    const overdue = this.sql
      .exec("SELECT conversation_id, operator_id, tried FROM assignments WHERE answered = 0 AND assigned_at <= ? ORDER BY assigned_at", due)
      .toArray();
    for (const row of overdue) {
      const id = String(row.conversation_id);
      const tried = new Set([...(JSON.parse(String(row.tried)) as string[]), String(row.operator_id)]);
      const chosen = await this.choose(null, tried);
      const fromName = (await this.rosterEntry(String(row.operator_id)))?.name ?? null;
      if (chosen) {
        await this.assign(id, chosen, { reason: "reassigned", fromName, afterSeconds: reassignAfterSeconds }, [...tried]);
      } else {
        // Nobody else is free: keep it, and look again after another period.
        this.sql.exec("UPDATE assignments SET assigned_at = ? WHERE conversation_id = ?", Date.now(), id);
      }
    }
    await this.scheduleReassignCheck(reassignAfterSeconds);
  }

  /** After a conversation changed: free capacity, note answers, route what needs an operator. */
  private async followUp(s: ConversationSummary): Promise<void> {
    const held = this.assignmentOf(s.id);
    if (s.status === "resolved") {
      const freed = held !== null || this.isQueued(s.id);
      this.sql.exec("DELETE FROM assignments WHERE conversation_id = ?", s.id);
      this.sql.exec("DELETE FROM queue WHERE conversation_id = ?", s.id);
      if (freed) await this.drainQueue();
      return;
    }
    if (held && !held.answered && s.lastOperatorReplyAt !== null && s.lastOperatorReplyAt >= held.assignedAt) {
      this.sql.exec("UPDATE assignments SET answered = 1 WHERE conversation_id = ?", s.id);
    }
    if (held || this.isQueued(s.id)) return;
    if (s.assigneeId) {
      // Reopened by the visitor: back on its operator's plate, waiting for an answer.
      // Nobody waits for an answer when the last word is the operator's (an invitation).
      this.sql.exec(
        "INSERT INTO assignments (conversation_id, operator_id, assigned_at, answered) VALUES (?, ?, ?, ?)",
        s.id,
        s.assigneeId,
        Date.now(),
        s.lastMessageRole === "operator" ? 1 : 0,
      );
      await this.scheduleReassignCheck();
      return;
    }
    const chosen = await this.choose(s.skill);
    if (chosen) await this.assign(s.id, chosen, { reason: "routed" });
    else {
      this.enqueue(s.id, s.skill);
      await this.publishQueue();
    }
  }

  /** Queued conversations get operators in arrival order as capacity frees. */
  private async drainQueue(): Promise<void> {
    let changed = false;
    for (const q of this.queued()) {
      const chosen = await this.choose(q.skill);
      if (!chosen) continue;
      this.sql.exec("DELETE FROM queue WHERE conversation_id = ?", q.id);
      await this.assign(q.id, chosen, { reason: "routed" });
      changed = true;
    }
    if (changed) await this.publishQueue();
  }

  private async assign(
    conversationId: string,
    to: RosterEntry,
    how: Omit<Assignment, "operator">,
    tried: string[] = [],
  ): Promise<ConversationSummary | null> {
    const siteId = this.siteId();
    if (!siteId) return null;
    // Reserve the capacity before the room is asked, so concurrent decisions see it.
    this.sql.exec("DELETE FROM queue WHERE conversation_id = ?", conversationId);
    this.sql.exec(
      "INSERT OR REPLACE INTO assignments (conversation_id, operator_id, assigned_at, answered, tried) VALUES (?, ?, ?, 0, ?)",
      conversationId,
      to.id,
      Date.now(),
      JSON.stringify(tried),
    );
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_chosen', ?)", to.id);
    await this.scheduleReassignCheck();
    const summary = await this.env.CONVERSATION.getByName(conversationId).assign(siteId, {
      ...how,
      operator: { id: to.id, name: to.name, avatarUrl: to.avatarUrl },
    });
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline() });
    return summary;
  }

  /** The operator routing would pick now, or null. */
  private async choose(wanted: string | null, exclude?: ReadonlySet<string>): Promise<RosterEntry | null> {
    const roster = await this.loadRoster();
    const loads = this.loads();
    const online = new Set(
      this.operatorsOnline()
        .filter((o) => o.status === "online")
        .map((o) => o.id),
    );
    // When nobody online has the skill, the visitor should not wait for someone who is not
    // there: route as if none was asked. Skilled operators who are online but busy are waited for.
    const skill = wanted && roster.some((r) => online.has(r.id) && r.skills.includes(wanted)) ? wanted : null;
    const candidates: Candidate[] = roster
      .filter((r) => online.has(r.id))
      .map((r) => ({ id: r.id, load: loads.get(r.id) ?? 0, maxChats: r.maxChats, skills: r.skills }));
    const lastChosen =
      (this.sql.exec("SELECT value FROM meta WHERE key = 'last_chosen'").toArray()[0]?.value as string | undefined) ?? null;
    const id = pickOperator(candidates, { skill, lastChosen, exclude });
    return roster.find((r) => r.id === id) ?? null;
  }

  private loads(): Map<string, number> {
    const rows = this.sql.exec("SELECT operator_id, COUNT(*) AS n FROM assignments GROUP BY operator_id").toArray();
    return new Map(rows.map((r) => [String(r.operator_id), Number(r.n)]));
  }

  private enqueue(conversationId: string, skill: string | null): void {
    this.sql.exec("INSERT OR IGNORE INTO queue (conversation_id, skill, enqueued_at) VALUES (?, ?, ?)", conversationId, skill, Date.now());
  }

  private queued(): { id: string; skill: string | null }[] {
    return this.sql
      .exec("SELECT conversation_id, skill FROM queue ORDER BY enqueued_at, rowid")
      .toArray()
      .map((r) => ({ id: String(r.conversation_id), skill: (r.skill as string | null) ?? null }));
  }

  /** Tells every queued visitor their place and every dashboard the queue. */
  private async publishQueue(): Promise<void> {
    const siteId = this.siteId();
    const queued = this.queued();
    this.broadcast({ type: "queue.state", conversationIds: queued.map((q) => q.id) });
    if (!siteId) return;
    const online = Math.max(1, this.operatorsOnline().length);
    await Promise.all(
      queued.map((q, i) =>
        this.env.CONVERSATION.getByName(q.id)
          .setQueue(siteId, i + 1, estimateWaitSeconds(i + 1, online))
          .catch((err) => console.warn("queue update failed", String(err))),
      ),
    );
  }

  private async scheduleReassignCheck(afterSeconds?: number): Promise<void> {
    const oldest = this.sql.exec("SELECT MIN(assigned_at) AS t FROM assignments WHERE answered = 0").one().t as number | null;
    if (oldest === null) return;
    const siteId = this.siteId();
    const seconds = afterSeconds ?? (siteId ? (await getSiteSettings(this.env.DB, siteId)).reassignAfterSeconds : 60);
    const at = Math.max(Date.now() + 100, oldest + seconds * 1000);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private assignmentOf(id: string): { operatorId: string; assignedAt: number; answered: boolean } | null {
    const r = this.sql.exec("SELECT operator_id, assigned_at, answered FROM assignments WHERE conversation_id = ?", id).toArray()[0];
    return r ? { operatorId: String(r.operator_id), assignedAt: Number(r.assigned_at), answered: Number(r.answered) === 1 } : null;
  }

  private isQueued(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM queue WHERE conversation_id = ?", id).toArray().length > 0;
  }

  private inInbox(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM inbox WHERE id = ?", id).toArray().length > 0;
  }

  private summaryOf(id: string): ConversationSummary | null {
    const r = this.sql.exec("SELECT summary FROM inbox WHERE id = ?", id).toArray()[0];
    return r ? (JSON.parse(String(r.summary)) as ConversationSummary) : null;
  }

  private async loadRoster(): Promise<RosterEntry[]> {
    const siteId = this.siteId();
    if (!this.roster && siteId) this.roster = await siteRoster(this.env.DB, siteId);
    return this.roster ?? [];
  }

  private async rosterEntry(operatorId: string): Promise<RosterEntry | null> {
    return (await this.loadRoster()).find((r) => r.id === operatorId) ?? null;
  }

  private rememberSite(siteId: string): void {
    this.sql.exec("INSERT OR IGNORE INTO meta (key, value) VALUES ('site_id', ?)", siteId);
  }

  private siteId(): string | null {
    return (this.sql.exec("SELECT value FROM meta WHERE key = 'site_id'").toArray()[0]?.value as string | undefined) ?? null;
  }

  // ---- inbox --------------------------------------------------------------------------------

  private snapshot(): ConversationSummary[] {
    return this.sql
      .exec(
        "SELECT summary FROM inbox WHERE status = 'open' OR updated_at > ? ORDER BY updated_at DESC LIMIT ?",
        Date.now() - RECENT_MS,
        SNAPSHOT_LIMIT,
      )
      .toArray()
      .map((r) => JSON.parse(String(r.summary)) as ConversationSummary);
  }

  /** A new (or wiped) hub starts from D1's rows, so the live inbox survives losing this object. */
  private async loadFromD1Once(siteId: string): Promise<void> {
    if (this.sql.exec("SELECT 1 FROM meta WHERE key = 'loaded'").toArray().length > 0) return;
    const rows = await recentConversations(this.env.DB, siteId, Date.now() - RECENT_MS, SNAPSHOT_LIMIT);
    for (const s of rows) {
      this.sql.exec(
        "INSERT OR IGNORE INTO inbox (id, status, updated_at, rev, summary) VALUES (?, ?, ?, ?, ?)",
        s.id,
        s.status,
        s.updatedAt,
        s.rev,
        JSON.stringify(s),
      );
      if (s.status === "open" && s.assigneeId) {
        this.sql.exec(
          "INSERT OR IGNORE INTO assignments (conversation_id, operator_id, assigned_at, answered) VALUES (?, ?, ?, 1)",
          s.id,
          s.assigneeId,
          s.updatedAt,
        );
      }
    }
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('loaded', ?)", String(Date.now()));
  }

  private broadcast(frame: HubServerFrame, except?: WebSocket): void {
    broadcastFrame(this.ctx.getWebSockets(), frame, except);
  }

  private send(ws: WebSocket, frame: HubServerFrame): void {
    sendFrame(ws, frame);
  }
}

/** What a dashboard shows of an entry, without the heartbeat (a ping alone changes nothing visible). */
function material(v: LiveVisitor): string {
  const { lastSeenAt: _, ...rest } = v;
  return JSON.stringify(rest);
}
