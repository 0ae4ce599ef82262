/**
 * ConversationRoom: one Durable Object per conversation. Holds every visitor tab's and operator's
 * socket (hibernatable), is the single source of truth for the messages and their order, and
 * pushes its summary to D1 (outbox, flushed by alarm) and to the site hub (live inbox).
 * The Worker reaches it through its stub: `fetch` for socket upgrades, RPC for the rest.
 */
import { DurableObject } from "cloudflare:workers";
import {
  type ChatMessage,
  type ClientFrame,
  type ConversationInfo,
  type ConversationServerFrame,
  type ConversationStatus,
  type ConversationSummary,
  decodeClientFrame,
  HISTORY_PAGE_SIZE,
  PING,
  PONG,
  type Priority,
  RESUME_CHUNK_SIZE,
} from "../../protocol";
import { flushConversationOutbox } from "../db/conversations";
import type { IndexedMessage } from "../db/search";
import { getSiteSettings } from "../db/sites";
import type { Env } from "../env";
import { errorResponse } from "../lib/api-error";
import { type Participant, readParticipant, type SessionMatch } from "../lib/participant";
import { type Audience, ConversationStore } from "./conversation-store";
import { answerClose, broadcastFrame, sendFrame } from "./socket-send";

/** How long a change may wait before its summary is flushed to D1 (batches bursts). */
const OUTBOX_FLUSH_MS = 1000;
const OUTBOX_RETRY_MAX_MS = 60_000;
/** Messages indexed for search per flush; a backlog continues right after. */
const OUTBOX_MESSAGES_PER_FLUSH = 400;
/** Site settings are re-read this often; a change (privacy) takes effect within a minute. */
const POLICY_TTL_MS = 60_000;
/**
 * Hub updates of one conversation are at least this far apart: the first change goes at once,
 * a burst is coalesced into its latest summary. An RPC per message was a quarter of the message
 * path's CPU under load; an inbox row a fifth of a second late is not.
 */
const HUB_MIN_INTERVAL_MS = 200;

/** Who a conversation is handed to, and why (the site hub decides; the room records it). */
export interface Assignment {
  operator: { id: string; name: string; avatarUrl: string | null };
  reason: "routed" | "taken" | "transferred" | "reassigned";
  fromName?: string | null;
  note?: string | null;
  afterSeconds?: number;
}

export interface ConversationInit {
  id: string;
  siteId: string;
  visitorId: string;
  createdAt: number;
  /** The skill of the topic the visitor picked, if any. */
  skill: string | null;
}

export class ConversationRoom extends DurableObject<Env> {
  private store: ConversationStore;
  private alarmScheduled = false;
  private outboxFailures = 0;
  /** The outbox flush under way, if any: erasure waits for it, so it cannot write D1 back after. */
  private flushing: Promise<void> | null = null;
  /** Latest summary not yet sent to the hub; sends are coalesced and spaced, one in flight. */
  private hubPending: ConversationSummary | null = null;
  private hubInFlight = false;
  private hubSentAt = 0;
  private policy: { typingPreview: boolean; at: number } | null = null;
  private policyLoading = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // SQLite calls are synchronous, so the schema is ready before any event is delivered.
    this.store = new ConversationStore(ctx.storage.sql);
    // Keep-alives are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // ---- RPC (called by the Worker after it has authorised the caller) -----------------------

  /** Creates the conversation once; later calls with the same owner return it unchanged. */
  initialize(init: ConversationInit): ConversationInfo {
    const info = this.store.info();
    if (info) {
      if (info.siteId !== init.siteId || info.visitorId !== init.visitorId) throw new Error("conversation owner mismatch");
      return info;
    }
    this.store.create(init);
    this.changed();
    return this.store.info()!;
  }

  summary(siteId: string): ConversationSummary | null {
    return this.ownedBy(siteId) ? this.store.summary() : null;
  }

  history(siteId: string, before: number | null, limit: number): { messages: ChatMessage[]; hasMore: boolean } | null {
    return this.ownedBy(siteId) ? this.store.page("operator", before, limit) : null;
  }

  /** Resolves or reopens on behalf of an operator; tells every socket. Null if not this site's. */
  setStatus(siteId: string, status: ConversationStatus, byName: string, snoozeUntil: number | null = null): ConversationSummary | null {
    if (!this.ownedBy(siteId)) return null;
    this.applyStatus(status, byName, snoozeUntil);
    return this.store.summary();
  }

  /** Priority and tags, on behalf of an operator. Null if not this site's. */
  updateDetails(siteId: string, d: { priority?: Priority | undefined; tags?: string[] | undefined }): ConversationSummary | null {
    if (!this.ownedBy(siteId)) return null;
    this.applyDetails(d);
    return this.store.summary();
  }

  /**
   * Hands the conversation to an operator: everyone sees "Anna joined the conversation";
   * operators also see a transfer or re-assignment with its note. Null if not this site's.
   */
  assign(siteId: string, a: Assignment): ConversationSummary | null {
    if (!this.ownedBy(siteId)) return null;
    const now = Date.now();
    this.store.assign(a.operator.id);
    const joined = { type: "joined" as const, operatorName: a.operator.name, operatorAvatar: a.operator.avatarUrl };
    this.appendSystem("event", `${a.operator.name} joined the conversation`, joined, now);
    if (a.reason === "transferred" || a.reason === "reassigned") {
      const detail = {
        ...joined,
        type: a.reason,
        fromName: a.fromName ?? null,
        note: a.note ?? null,
        ...(a.afterSeconds ? { afterSeconds: a.afterSeconds } : {}),
      };
      this.appendSystem(
        "note",
        `${a.reason === "transferred" ? "Transferred" : "Re-assigned"} to ${a.operator.name}${a.note ? `: ${a.note}` : ""}`,
        detail,
        now,
      );
    }
    this.broadcast({ type: "queue", position: null, etaSeconds: null }, undefined, "visitor");
    this.changed();
    return this.store.summary();
  }

  /** The site hub tells a queued conversation its place; the visitor sees it live. */
  setQueue(siteId: string, position: number | null, etaSeconds: number | null): void {
    if (this.ownedBy(siteId) && this.store.setQueue(position, etaSeconds)) {
      this.broadcast({ type: "queue", position, etaSeconds }, undefined, "visitor");
    }
  }

  /**
   * An operator's invitation from the Live view: creates the conversation if needed (as
   * `initialize`), reopens it, gives it to the inviting operator unless someone has it, and
   * stores the text as that operator's ordinary message (seq, broadcast, outbox, unread count).
   * One synchronous turn, so the hub hears of the result once, already assigned.
   */
  invite(init: ConversationInit, operator: Assignment["operator"], text: string): { message: ChatMessage; summary: ConversationSummary } {
    const info = this.store.info();
    if (info && (info.siteId !== init.siteId || info.visitorId !== init.visitorId)) throw new Error("conversation owner mismatch");
    if (!info) this.store.create(init);
    const now = Date.now();
    if (this.store.info()!.status !== "open") this.applyStatus("open", operator.name);
    if (!this.store.info()!.assigneeId) this.store.assign(operator.id);
    const { message } = this.store.append(
      {
        clientId: `invite-${now}-${crypto.randomUUID()}`,
        kind: "text",
        role: "operator",
        authorId: operator.id,
        authorName: operator.name,
        authorAvatar: operator.avatarUrl,
        text,
      },
      now,
    );
    this.broadcast({ type: "message", message });
    this.changed();
    return { message, summary: this.store.summary()! };
  }

  /** Every message (notes included) for a data export; null unless the conversation is this site's. */
  exportMessages(siteId: string): { info: ConversationInfo; messages: ChatMessage[] } | null {
    if (!this.ownedBy(siteId)) return null;
    const messages: ChatMessage[] = [];
    let after = 0;
    for (;;) {
      const chunk = this.store.after("operator", after, 1000);
      messages.push(...chunk);
      if (chunk.length < 1000) break;
      after = chunk[chunk.length - 1]!.seq;
    }
    return { info: this.store.info()!, messages };
  }

  /**
   * Erasure (GDPR, retention): closes every socket and deletes all of this object's storage,
   * history, state and alarm. Afterwards the object is as if never created. False when the
   * conversation is not this site's (nothing is touched).
   */
  async erase(siteId: string): Promise<boolean> {
    const info = this.store.info();
    if (info && info.siteId !== siteId) return false;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(4404, "conversation erased");
      } catch {
        // already closed
      }
    }
    this.hubPending = null;
    await this.flushing?.catch(() => {});
    this.alarmScheduled = false;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.store = new ConversationStore(this.ctx.storage.sql);
    return true;
  }

  /** Operator messages the visitor has not read; null unless the conversation is theirs. */
  visitorUnread(siteId: string, visitorId: string): number | null {
    const info = this.store.info();
    if (!info || info.siteId !== siteId || info.visitorId !== visitorId) return null;
    return this.store.unreadForVisitor();
  }

  /**
   * A message that did not come through a socket (a visitor's reply by email): stored, ordered
   * and broadcast like one that did, idempotent on `clientId`. Null if not this site's.
   * Contract stub (issue 9); the email work calls it through the conversation service.
   */
  appendExternal(
    _siteId: string,
    _m: { role: "visitor"; clientId: string; text: string; via: "email" },
  ): { message: ChatMessage; duplicate: boolean } | null {
    return null;
  }

  /** The site's policy changed (typing preview): it applies to the next frame. Contract stub (issue 9). */
  applyPolicy(_siteId: string, _policy: { typingPreview: boolean }): void {}

  /** Closes the operator sockets of a session that signed out. Contract stub (issue 9). */
  closeSessions(_siteId: string, _match: SessionMatch): void {}

  // ---- sockets ------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse("bad_request", "Expected a WebSocket upgrade.");
    }
    const who = readParticipant(request);
    const info = this.store.info();
    if (!who) return errorResponse("unauthorized", "Missing participant.");
    if (!info || info.siteId !== who.siteId) return errorResponse("not_found", "No such conversation.");
    if (who.role === "visitor" && info.visitorId !== who.visitorId) {
      return errorResponse("forbidden", "This conversation belongs to someone else.");
    }
    const afterParam = new URL(request.url).searchParams.get("after");
    const after = afterParam === null || afterParam === "" ? null : Number(afterParam);
    if (after !== null && !(Number.isInteger(after) && after >= 0)) {
      return errorResponse("validation_failed", "after must be a whole number (the last seq you hold).");
    }

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [who.role]);
    server.serializeAttachment(who);
    this.greet(server, who.role, info, after);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): void {
    const who = ws.deserializeAttachment() as Participant;
    const decoded = decodeClientFrame(raw);
    if (!decoded.ok) {
      this.send(ws, { type: "error", ...decoded.error });
      return;
    }
    this.handle(ws, who, decoded.value);
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    answerClose(ws, code);
  }

  override webSocketError(_ws: WebSocket, error: unknown): void {
    console.warn("conversation socket error", String(error));
  }

  // ---- outbox -------------------------------------------------------------------------------

  /**
   * The one alarm serves two timers: the outbox flush, and waking a snoozed conversation whose
   * time has come. Whichever is due first is what the alarm is set for; the other re-arms here.
   */
  override async alarm(): Promise<void> {
    this.alarmScheduled = false;
    const { status, snoozedUntil } = this.store.summary() ?? {};
    if (status === "snoozed" && snoozedUntil != null && snoozedUntil <= Date.now()) this.applyStatus("open", null);
    this.flushing = this.flushOutbox();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    const later = this.store.summary();
    if (!this.alarmScheduled && later?.status === "snoozed" && later.snoozedUntil != null) {
      await this.ctx.storage.setAlarm(later.snoozedUntil);
    }
  }

  /** Flushes the outbox to D1. Idempotent (rev-guarded upserts); failures retry with backoff. */
  private async flushOutbox(): Promise<void> {
    const info = this.store.info();
    if (!info || !this.store.outboxPending()) return;
    const batch = this.store.outbox(OUTBOX_MESSAGES_PER_FLUSH);
    const messages: IndexedMessage[] = batch.messages.map((m) => ({ ...m, siteId: info.siteId, conversationId: info.id }));
    try {
      await flushConversationOutbox(this.env.DB, batch.summary ? [batch.summary] : [], messages);
    } catch (err) {
      this.outboxFailures++;
      const delay = Math.min(OUTBOX_RETRY_MAX_MS, OUTBOX_FLUSH_MS * 2 ** this.outboxFailures);
      console.error("outbox flush failed; retrying", { inMs: delay, error: String(err) });
      this.alarmScheduled = true;
      await this.ctx.storage.setAlarm(Date.now() + delay);
      return;
    }
    this.outboxFailures = 0;
    if (!this.store.initialized) return; // erased while the flush was on its way
    this.store.outboxDelivered(batch);
    if (this.store.outboxPending()) {
      // A backlog (or changes made during the flush): continue soon.
      this.alarmScheduled = true;
      await this.ctx.storage.setAlarm(Date.now() + 100);
    }
    // The hub may have missed a live update (it is not durable); the flushed state repairs it.
    const latest = this.store.summary();
    if (latest) this.notifyHub(latest);
  }

  // ---- internals ----------------------------------------------------------------------------

  private handle(ws: WebSocket, who: Participant, frame: ClientFrame): void {
    switch (frame.type) {
      case "message.send": {
        if (frame.kind === "note" && who.role !== "operator") {
          this.send(ws, { type: "error", code: "forbidden", message: "Only operators can write notes.", clientId: frame.clientId });
          return;
        }
        const { message, duplicate } = this.store.append(
          {
            clientId: frame.clientId,
            kind: frame.kind,
            role: who.role,
            authorId: who.role === "operator" ? who.operatorId : who.visitorId,
            authorName: who.role === "operator" ? who.name : null,
            authorAvatar: who.role === "operator" ? who.avatarUrl : null,
            text: frame.text,
          },
          Date.now(),
        );
        // The output gate holds this ack until the insert above is durable.
        this.send(ws, { type: "ack", clientId: frame.clientId, message });
        if (!duplicate) {
          // Internal notes reach operator sockets only.
          this.broadcast({ type: "message", message }, ws, message.kind === "note" ? "operator" : undefined);
          this.changed();
        }
        return;
      }
      case "typing":
        if (who.role === "visitor") {
          // To operators only (not to the visitor's other tabs); the draft only if the site allows.
          const draft = frame.active && frame.draft !== undefined && this.typingPreviewAllowed(who.siteId) ? frame.draft : undefined;
          this.broadcast(
            { type: "typing", role: "visitor", name: null, active: frame.active, ...(draft === undefined ? {} : { draft }) },
            ws,
            "operator",
          );
        } else {
          // An operator's draft is never forwarded: the visitor sees only "Anna is typing…".
          this.broadcast({ type: "typing", role: "operator", name: who.name, active: frame.active }, ws);
        }
        return;
      case "read":
        if (this.store.markRead(who.role, frame.seq)) {
          this.broadcast({ type: "read", role: who.role, seq: Math.min(frame.seq, this.store.info()!.lastSeq) }, ws);
          this.changed();
        }
        return;
      case "history": {
        const page = this.store.page(who.role, frame.before, HISTORY_PAGE_SIZE);
        this.send(ws, { type: "history", ...page });
        return;
      }
      case "status":
      case "update":
        if (who.role !== "operator") {
          this.send(ws, { type: "error", code: "forbidden", message: "Only operators can change the status, priority or tags." });
          return;
        }
        if (frame.type === "status") this.applyStatus(frame.status, who.name, frame.snoozeUntil ?? null);
        else this.applyDetails(frame);
        return;
    }
  }

  private appendSystem(kind: "event" | "note", text: string, event: ChatMessage["event"], now: number): void {
    const { message } = this.store.append(
      {
        clientId: `system-${now}-${crypto.randomUUID()}`,
        kind,
        role: "system",
        authorId: null,
        authorName: null,
        authorAvatar: null,
        text,
        event,
      },
      now,
    );
    this.broadcast({ type: "message", message }, undefined, kind === "note" ? "operator" : undefined);
  }

  private applyStatus(status: ConversationStatus, byName: string | null, snoozeUntil: number | null = null): void {
    if (!this.store.setStatus(status, Date.now(), snoozeUntil)) return;
    const snoozedUntil = this.store.summary()!.snoozedUntil;
    // Visitors learn only whether it is resolved; the rest is the team's workflow.
    this.broadcast({ type: "status", status, byName, snoozedUntil }, undefined, "operator");
    this.broadcast({ type: "status", status: status === "resolved" ? "resolved" : "open", byName }, undefined, "visitor");
    this.changed();
  }

  private applyDetails(d: { priority?: Priority | undefined; tags?: string[] | undefined }): void {
    if (!this.store.setDetails(d)) return;
    const { priority, tags } = this.store.summary()!;
    this.broadcast({ type: "updated", priority, tags }, undefined, "operator");
    this.changed();
  }

  /** First frames of a new socket: the latest page, or exactly what it missed after `after`. */
  private greet(ws: WebSocket, audience: Audience, full: ConversationInfo, after: number | null): void {
    const info: ConversationInfo = audience === "visitor" && full.status !== "resolved" ? { ...full, status: "open" } : full;
    if (after === null) {
      const page = this.store.page(audience, null, HISTORY_PAGE_SIZE);
      this.send(ws, { type: "hello", conversation: info, ...page, resuming: false });
      return;
    }
    let chunk = this.store.after(audience, after, RESUME_CHUNK_SIZE);
    let resuming = chunk.length === RESUME_CHUNK_SIZE && chunk[chunk.length - 1]!.seq < info.lastSeq;
    this.send(ws, { type: "hello", conversation: info, messages: chunk, hasMore: after > 0, resuming });
    while (resuming) {
      chunk = this.store.after(audience, chunk[chunk.length - 1]!.seq, RESUME_CHUNK_SIZE);
      resuming = chunk.length === RESUME_CHUNK_SIZE && chunk[chunk.length - 1]!.seq < info.lastSeq;
      this.send(ws, { type: "resume", messages: chunk, done: !resuming });
    }
  }

  /** After any change: queue the D1 flush and tell the hub. */
  private changed(): void {
    if (!this.alarmScheduled) {
      this.alarmScheduled = true;
      void this.ctx.storage.setAlarm(Date.now() + OUTBOX_FLUSH_MS);
    }
    const summary = this.store.summary();
    if (summary) this.notifyHub(summary);
  }

  private notifyHub(summary: ConversationSummary): void {
    this.hubPending = summary;
    if (this.hubInFlight) return;
    this.hubInFlight = true;
    this.ctx.waitUntil(this.drainHub());
  }

  private async drainHub(): Promise<void> {
    try {
      while (this.hubPending) {
        const wait = this.hubSentAt + HUB_MIN_INTERVAL_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const summary = this.hubPending;
        if (!summary) break; // erased while waiting
        this.hubPending = null;
        this.hubSentAt = Date.now();
        try {
          await this.env.SITE_HUB.getByName(summary.siteId).conversationChanged(summary);
        } catch (err) {
          // The next change or outbox flush sends a newer summary; nothing to retry here.
          console.warn("site hub update failed", String(err));
        }
      }
    } finally {
      this.hubInFlight = false;
    }
  }

  /**
   * Whether the site lets operators preview visitors' drafts. Cached; refreshed in the
   * background, and until it is known the answer is no (privacy first).
   */
  private typingPreviewAllowed(siteId: string): boolean {
    const fresh = this.policy && Date.now() - this.policy.at < POLICY_TTL_MS;
    if (!fresh && !this.policyLoading) {
      this.policyLoading = true;
      this.ctx.waitUntil(
        getSiteSettings(this.env.DB, siteId)
          .then((p) => {
            this.policy = { typingPreview: p.typingPreview, at: Date.now() };
          })
          .catch((err) => console.warn("site policy read failed", String(err)))
          .finally(() => {
            this.policyLoading = false;
          }),
      );
    }
    return this.policy?.typingPreview ?? false;
  }

  private ownedBy(siteId: string): boolean {
    return this.store.info()?.siteId === siteId;
  }

  /** Sends to every socket (or those tagged with `role`) except `except`. */
  private broadcast(frame: ConversationServerFrame, except?: WebSocket, role?: Participant["role"]): void {
    broadcastFrame(this.ctx.getWebSockets(role), frame, except);
  }

  private send(ws: WebSocket, frame: ConversationServerFrame): void {
    sendFrame(ws, frame);
  }
}
