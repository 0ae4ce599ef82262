/**
 * ConversationRoom: one Durable Object per conversation. Holds every visitor tab's and operator's
 * socket (hibernatable), is the single source of truth for the messages and their order, records
 * the conversation's facts as domain events, and pushes its summary to D1 (outbox, on a durable
 * timer) and to the site hub (live inbox, routing).
 * The Worker reaches it through its stub: `fetch` for socket upgrades, RPC for the rest.
 * One file over 400 lines because every RPC and socket handler below changes the same state and
 * tells the same sockets; its storage, event log, timers, flood limits, policy and hub link are
 * parts of their own.
 */
import { DurableObject } from "cloudflare:workers";
import * as v from "valibot";
import {
  type ChatMessage,
  CLOSE_CODES,
  type ClientFrame,
  type ConversationInfo,
  type ConversationServerFrame,
  type ConversationStatus,
  type ConversationSummary,
  decodeClientFrame,
  HISTORY_PAGE_SIZE,
  isPositiveRating,
  MAX_FIRST_MESSAGE_EVENT_CHARS,
  type MessageKind,
  MessageText,
  type NoticeEvent,
  PING,
  PONG,
  type Priority,
  RESUME_CHUNK_SIZE,
  type StatusEvent,
} from "../../protocol";
import { flushConversationOutbox } from "../db/conversations";
import type { IndexedMessage } from "../db/search";
import type { Env } from "../env";
import { errorResponse } from "../lib/api-error";
import { type Participant, readParticipant, type SessionMatch } from "../lib/participant";
import { type Appended, type Audience, ConversationStore } from "./conversation-store";
import { DurableTimers } from "./durable-timers";
import type { Actor } from "./event-log";
import { FloodLimits, MAX_VISITOR_SOCKETS } from "./flood-limits";
import { HubLink } from "./hub-link";
import { type MailTimer, RoomMail } from "./room-mail";
import { sessionMatches } from "./session-match";
import { type Policy, SitePolicy } from "./site-policy";
import { answerClose, broadcastFrame, refuseSocket, sendFrame } from "./socket-send";

/** How long a change may wait before its summary is flushed to D1 (batches bursts). */
const OUTBOX_FLUSH_MS = 1000;
/** Messages indexed for search per flush; a backlog continues right after. */
const OUTBOX_MESSAGES_PER_FLUSH = 400;

/** Who is handed the conversation, and why (the site hub decides; the room records it). */
export interface Assignment {
  operator: { id: string; name: string; avatarUrl: string | null };
  reason: "routed" | "taken" | "transferred" | "reassigned";
  /** The operator who took or transferred it; absent when routing decided. */
  by?: { id: string; name: string } | null;
  /** Who held it before, when the hub knows better than the room (a transfer from the queue). */
  fromId?: string | null;
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
  /** The trigger whose message the visitor replied to (issue 12). */
  trigger?: string | null | undefined;
}

/** Who changed something, as the history and the domain events record it. */
interface By extends Actor {
  name: string | null;
}

const SYSTEM: By = { role: "system", id: null, name: null };

type OperatorParticipant = Extract<Participant, { role: "operator" }>;

export class ConversationRoom extends DurableObject<Env> {
  private store: ConversationStore;
  private readonly timers: DurableTimers<"outbox" | "snooze" | MailTimer>;
  /** Follow-up, no-answer, operator-alert and transcript emails (their own timers). */
  private readonly mail: RoomMail;
  private readonly flood = new FloodLimits();
  private readonly policy: SitePolicy;
  private readonly hub: HubLink;
  /** The outbox flush under way, if any: erasure waits for it, so it cannot write D1 back after. */
  private flushing: Promise<void> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // SQLite calls are synchronous, so the state is ready before any event is delivered.
    this.store = new ConversationStore(ctx.storage.sql);
    const room = this;
    this.mail = new RoomMail({
      ctx,
      get env() {
        return room.env;
      },
      store: () => room.store,
      get timers() {
        return room.timers;
      },
      visitorSockets: () => room.openSockets("visitor"),
      notice: (event, kind) => room.notice(event, kind),
    });
    this.timers = new DurableTimers(ctx.storage, {
      ...this.mail.handlers(),
      // Today's back-off: 2 s, doubling, at most a minute (D1 briefly unavailable).
      outbox: { run: () => this.flushOutbox(), retry: { firstMs: 2 * OUTBOX_FLUSH_MS, maxMs: 60_000 } },
      snooze: { run: () => this.wakeFromSnooze() },
    });
    if (this.store.upgradedFrom > 0 && this.store.upgradedFrom < 6) this.adoptTimers();
    this.policy = new SitePolicy(ctx, env);
    this.hub = new HubLink(ctx, env);
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
    this.create(init, { role: "visitor", id: init.visitorId }, false);
    this.changed();
    return this.store.info()!;
  }

  /**
   * A visitor's reply to a trigger's teaser: creates the conversation (its `created` event names
   * the trigger) with the trigger's message as its first message, from the named operator or the
   * team. A conversation that exists already is returned unchanged (no second copy of the message).
   */
  initializeFromTrigger(
    init: ConversationInit & { trigger: string },
    sender: { id: string | null; name: string; avatarUrl: string | null },
    text: string,
  ): ConversationInfo {
    const info = this.store.info();
    if (info) {
      if (info.siteId !== init.siteId || info.visitorId !== init.visitorId) throw new Error("conversation owner mismatch");
      return info;
    }
    this.create(init, { role: "visitor", id: init.visitorId }, false);
    this.writeText(
      { role: "operator", id: sender.id, name: sender.name, avatarUrl: sender.avatarUrl },
      { clientId: `trigger-${init.trigger}-${init.createdAt}`, text, kind: "text" },
    );
    this.changed();
    return this.store.info()!;
  }

  summary(siteId: string): ConversationSummary | null {
    return this.ownedBy(siteId) ? this.store.summary() : null;
  }

  history(siteId: string, before: number | null, limit: number): { messages: ChatMessage[]; hasMore: boolean } | null {
    return this.ownedBy(siteId) ? this.store.page("operator", before, limit) : null;
  }

  /** Changes the status on behalf of an operator; tells every socket. Null if not this site's. */
  setStatus(
    siteId: string,
    status: ConversationStatus,
    byName: string,
    snoozeUntil: number | null = null,
    byId: string | null = null,
  ): ConversationSummary | null {
    if (!this.ownedBy(siteId)) return null;
    this.applyStatus(status, { role: "operator", id: byId, name: byName }, snoozeUntil);
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
   * operators also see a transfer or re-assignment with its note. Null if not this site's, or
   * when routing offers a seat to a conversation that was resolved meanwhile.
   */
  assign(siteId: string, a: Assignment): ConversationSummary | null {
    if (!this.ownedBy(siteId)) return null;
    // Resolved while it waited (the hub hears of it a moment after deciding): nobody is needed.
    if (a.reason === "routed" && this.store.status === "resolved") return null;
    const now = Date.now();
    const before = this.store.assign(a.operator.id);
    const fromId = a.fromId !== undefined ? a.fromId : before !== a.operator.id ? before : null;
    this.store.events.record("assigned", now, a.by ? { role: "operator", id: a.by.id } : SYSTEM, {
      operatorId: a.operator.id,
      operatorName: a.operator.name,
      how: a.reason,
      byName: a.by?.name ?? null,
      fromId,
      fromName: a.fromName ?? null,
    });
    const joined = { type: "joined" as const, operatorName: a.operator.name, operatorAvatar: a.operator.avatarUrl };
    this.appendSystem("event", "", joined, now);
    if (a.reason === "transferred" || a.reason === "reassigned") {
      const detail = {
        ...joined,
        type: a.reason,
        fromName: a.fromName ?? null,
        note: a.note ?? null,
        ...(a.afterSeconds ? { afterSeconds: a.afterSeconds } : {}),
      };
      // The note is the only text of its own here: clients word the rest from `event`, and only
      // the note is searchable (an English sentence around it would be found in every language).
      this.appendSystem("note", a.note ?? "", detail, now);
    }
    this.broadcast({ type: "queue", position: null, etaSeconds: null }, undefined, "visitor");
    this.changed();
    return this.store.summary();
  }

  /**
   * Nobody holds it any more: the site hub queued it for a skill after a transfer. Null if not
   * this site's.
   */
  unassign(siteId: string, by: { id: string; name: string } | null): ConversationSummary | null {
    if (!this.ownedBy(siteId)) return null;
    const before = this.store.assign(null);
    if (before) {
      this.store.events.record("unassigned", Date.now(), by ? { role: "operator", id: by.id } : SYSTEM, {
        operatorId: before,
        byName: by?.name ?? null,
      });
      this.changed();
    }
    return this.store.summary();
  }

  /** The site hub tells a queued conversation its place; the visitor sees it live. */
  setQueue(siteId: string, position: number | null, etaSeconds: number | null): void {
    const info = this.store.info();
    if (!info || info.siteId !== siteId) return;
    // A place computed before an assignment that overtook it: the conversation is not waiting.
    if (position !== null && info.assigneeId !== null) return;
    if (!this.store.setQueue(position, etaSeconds)) return;
    if (info.queuePosition === null && position !== null) {
      this.store.events.record("queued", Date.now(), SYSTEM, { position });
      this.scheduleFlush();
    }
    this.broadcast({ type: "queue", position, etaSeconds }, undefined, "visitor");
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
    const by: By = { role: "operator", id: operator.id, name: operator.name };
    if (!info) this.create(init, by, true);
    const now = Date.now();
    if (this.store.status !== "open") this.applyStatus("open", by);
    if (!this.store.info()!.assigneeId) {
      this.store.assign(operator.id);
      this.store.events.record("assigned", now, by, {
        operatorId: operator.id,
        operatorName: operator.name,
        how: "invited",
        byName: operator.name,
        fromId: null,
        fromName: null,
      });
    }
    const { message } = this.writeText(
      { role: "operator", id: operator.id, name: operator.name, avatarUrl: operator.avatarUrl },
      { clientId: `invite-${now}-${crypto.randomUUID()}`, text, kind: "text" },
    );
    return { message, summary: this.store.summary()! };
  }

  /**
   * The visitor rates the conversation after it was resolved (issue 13): a `rated` event (a later
   * rating replaces the earlier one in reports) and a system note operators see with the comment.
   * "not_found" unless the conversation is this visitor's; "not_resolved" while it is open.
   */
  rate(
    siteId: string,
    visitorId: string,
    r: { scale: "faces3" | "points5"; score: number; comment: string | null },
  ): "rated" | "not_found" | "not_resolved" {
    const info = this.store.info();
    if (!info || info.siteId !== siteId || info.visitorId !== visitorId) return "not_found";
    if (info.status !== "resolved") return "not_resolved";
    const now = Date.now();
    const positive = isPositiveRating(r.scale, r.score);
    this.store.events.record(
      "rated",
      now,
      { role: "visitor", id: visitorId },
      { scale: r.scale, score: r.score, positive, comment: r.comment, operatorId: info.assigneeId },
    );
    this.appendSystem("note", r.comment ?? "", { type: "rated", scale: r.scale, score: r.score, positive }, now);
    this.changed();
    return "rated";
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
   * history, state, timers and alarm. Afterwards the object is as if never created (no schema
   * is made again). False when the conversation is not this site's (nothing is touched).
   */
  async erase(siteId: string): Promise<boolean> {
    const info = this.store.info();
    if (info && info.siteId !== siteId) return false;
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.close(CLOSE_CODES.notFound, "conversation erased");
      } catch {
        // already closed
      }
    }
    if (!info) return true; // never created, or erased already: there is nothing to delete
    this.hub.cancel();
    await this.flushing?.catch(() => {});
    this.timers.reset();
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
   * A message that did not come through a socket (a visitor's reply by email): stored, ordered,
   * broadcast, flushed, routed and recorded like one that did, idempotent on `clientId`. Null
   * if not this site's, or when the text is not a message (empty, too long: the caller checks
   * it with `MessageText` first; the room stores nothing it would refuse from a socket).
   */
  appendExternal(
    siteId: string,
    m: { role: "visitor"; clientId: string; text: string; via: "email" },
  ): { message: ChatMessage; duplicate: boolean } | null {
    const info = this.store.info();
    if (!info || info.siteId !== siteId) return null;
    const text = v.safeParse(MessageText, m.text);
    if (!text.success) return null;
    const { message, duplicate } = this.writeText(
      { role: "visitor", id: info.visitorId, name: null, avatarUrl: null },
      { clientId: m.clientId, text: text.output, kind: "text", via: m.via },
    );
    return { message, duplicate };
  }

  /**
   * An offline fact for the history (the visitor left an email): operators see it live. False
   * if the conversation is not this site's.
   */
  addNotice(siteId: string, event: Extract<NoticeEvent, { type: "email_captured" }>): boolean {
    if (!this.ownedBy(siteId)) return false;
    this.notice(event, "note");
    this.mail.onEmailLeft();
    return true;
  }

  /**
   * Emails the visible conversation to the visitor's email (a request from the chat or an
   * operator). Null if not this site's; otherwise what the send path answered.
   */
  async sendTranscript(siteId: string): Promise<Awaited<ReturnType<RoomMail["sendTranscript"]>>> {
    if (!this.ownedBy(siteId)) return null;
    return this.mail.sendTranscript();
  }

  /**
   * The site's policy changed: it applies to the very next frame. Turning the typing preview off
   * also clears a draft operators are being shown.
   */
  applyPolicy(siteId: string, policy: Policy): void {
    if (!this.ownedBy(siteId)) return;
    this.policy.apply(policy);
    if (!policy.typingPreview) this.broadcast({ type: "typing", role: "visitor", name: null, active: false }, undefined, "operator");
  }

  /** Closes the operator sockets of a session that signed out (4401: sign in again). */
  closeSessions(siteId: string, match: SessionMatch): void {
    if (!this.ownedBy(siteId)) return;
    for (const ws of this.ctx.getWebSockets("operator")) {
      const who = ws.deserializeAttachment() as OperatorParticipant | null;
      if (!who || !sessionMatches(who, match)) continue;
      try {
        ws.close(CLOSE_CODES.unauthorized, "signed out");
      } catch {
        // already closed
      }
    }
  }

  // ---- sockets ------------------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse("bad_request", "Expected a WebSocket upgrade.");
    }
    const who = readParticipant(request);
    if (!who) return errorResponse("unauthorized", "Missing participant.");
    // Final refusals are sockets closed with a code, so a reconnecting client stops for good.
    const info = this.store.info();
    if (!info || info.siteId !== who.siteId) return refuseSocket(CLOSE_CODES.notFound, "No such conversation.");
    if (who.role === "visitor" && info.visitorId !== who.visitorId) {
      return refuseSocket(CLOSE_CODES.forbidden, "This conversation belongs to someone else.");
    }
    const afterParam = new URL(request.url).searchParams.get("after");
    const after = afterParam === null || afterParam === "" ? null : Number(afterParam);
    if (after !== null && !(Number.isInteger(after) && after >= 0)) {
      return errorResponse("validation_failed", "after must be a whole number (the last seq you hold).");
    }
    if (who.role === "visitor" && this.openSockets("visitor") >= MAX_VISITOR_SOCKETS) {
      return refuseSocket(CLOSE_CODES.tooMany, `At most ${MAX_VISITOR_SOCKETS} chat windows at once.`);
    }

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [who.role]);
    server.serializeAttachment(who);
    if (who.role === "visitor") this.mail.onVisitorBack(info.lastSeq);
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

  /** Every timer (outbox flush, snooze wake-up) shares the one alarm. */
  override async alarm(): Promise<void> {
    await this.timers.run();
  }

  // ---- internals ----------------------------------------------------------------------------

  private handle(ws: WebSocket, who: Participant, frame: ClientFrame): void {
    switch (frame.type) {
      case "message.send": {
        if (frame.kind === "note" && who.role !== "operator") {
          this.send(ws, { type: "error", code: "forbidden", message: "Only operators can write notes.", clientId: frame.clientId });
          return;
        }
        if (who.role === "visitor") {
          const retryInMs = this.flood.send(ws, Date.now(), frame.clientId);
          if (retryInMs > 0) {
            this.send(ws, {
              type: "error",
              code: "rate_limited",
              message: "Too many messages at once; this one is sent again shortly.",
              clientId: frame.clientId,
              retryInMs,
            });
            return;
          }
        }
        this.writeText(authorOf(who), frame, ws);
        return;
      }
      case "typing":
        if (who.role === "visitor") {
          const verdict = this.flood.typing(ws, Date.now());
          if (verdict !== "ok") {
            if (verdict === "refused")
              this.send(ws, { type: "error", code: "rate_limited", message: "Typing signals are sent too often." });
            return;
          }
          // To operators only (not to the visitor's other tabs); the draft only if the site allows.
          const draft = frame.active && frame.draft !== undefined && this.policy.typingPreview(who.siteId) ? frame.draft : undefined;
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
        if (frame.type === "status") {
          this.applyStatus(frame.status, { role: "operator", id: who.operatorId, name: who.name }, frame.snoozeUntil ?? null);
        } else this.applyDetails(frame);
        return;
    }
  }

  /**
   * Stores a visitor's or operator's message (from a socket, an invitation, an email), acks the
   * sending socket, tells everyone else, and records what it made happen: the visitor's first
   * message, the first answer, a resolved conversation opening again.
   */
  private writeText(
    author: By & { avatarUrl: string | null },
    m: { clientId: string; text: string; kind: Exclude<MessageKind, "event">; via?: "email" },
    sender?: WebSocket,
  ): Appended {
    const now = Date.now();
    // Writing again reopens a resolved, pending or snoozed conversation: someone waits for an answer.
    const reopens = author.role === "visitor" && m.kind === "text" && this.store.status !== "open";
    const r = this.store.append(
      {
        clientId: m.clientId,
        kind: m.kind,
        role: author.role,
        authorId: author.id,
        authorName: author.name,
        authorAvatar: author.avatarUrl,
        text: m.text,
        ...(m.via ? { via: m.via } : {}),
      },
      now,
    );
    // The output gate holds this ack until the insert above is durable.
    if (sender) this.send(sender, { type: "ack", clientId: m.clientId, message: r.message });
    if (r.duplicate) return r;
    // Internal notes reach operator sockets only.
    this.broadcast({ type: "message", message: r.message }, sender, m.kind === "note" ? "operator" : undefined);
    this.mail.onMessage(r.message);
    if (r.firstFromVisitor) {
      this.store.events.record("visitor_first_message", now, author, {
        seq: r.message.seq,
        via: m.via ?? "chat",
        text: m.text.slice(0, MAX_FIRST_MESSAGE_EVENT_CHARS),
      });
    }
    if (r.firstAnswerAfterMs !== null) {
      this.store.events.record("operator_first_answer", now, author, {
        operatorName: author.name ?? "",
        seq: r.message.seq,
        msSinceVisitorFirstMessage: r.firstAnswerAfterMs,
      });
    }
    if (reopens) this.applyStatus("open", author);
    else this.changed();
    return r;
  }

  /**
   * A status change, in the history both sides see and as domain events: resolved, and open
   * again after it, for everyone; pending and snoozed (and their end) for operators only.
   */
  private applyStatus(status: ConversationStatus, by: By, snoozeUntil: number | null = null): void {
    const now = Date.now();
    const from = this.store.setStatus(status, now, snoozeUntil);
    if (from === null) return;
    const snoozedUntil = this.store.summary()!.snoozedUntil;
    const event: StatusEvent = { type: "status", status, from, byRole: by.role, byName: by.name };
    if (status === "snoozed") event.snoozedUntil = snoozedUntil;
    const visitorSees = status === "resolved" || from === "resolved";
    this.appendSystem(visitorSees ? "event" : "note", "", event, now);
    this.store.events.record("status_changed", now, by, { from, to: status, byName: by.name, snoozedUntil });
    if (from === "resolved") this.store.events.record("reopened", now, by, { byName: by.name });
    this.mail.onStatus(status);
    if (snoozedUntil !== null) this.timers.set("snooze", snoozedUntil);
    else this.timers.clear("snooze");
    this.broadcast({ type: "status", status, byName: by.name, snoozedUntil }, undefined, "operator");
    // Visitors learn only whether it is resolved; the rest is the team's workflow.
    if (visitorSees)
      this.broadcast({ type: "status", status: status === "resolved" ? "resolved" : "open", byName: by.name }, undefined, "visitor");
    this.changed();
  }

  private applyDetails(d: { priority?: Priority | undefined; tags?: string[] | undefined }): void {
    if (!this.store.setDetails(d)) return;
    const { priority, tags } = this.store.summary()!;
    this.broadcast({ type: "updated", priority, tags }, undefined, "operator");
    this.changed();
  }

  /** System lines carry no words of their own (clients word them from `event`) unless given. */
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

  /** A notice in the history: `event` for everyone (no_answer), `note` for operators (emails). */
  private notice(event: NoticeEvent, kind: "event" | "note"): void {
    if (!this.store.initialized) return;
    this.appendSystem(kind, "", event, Date.now());
    this.changed();
  }

  private create(init: ConversationInit, by: Actor, invited: boolean): void {
    this.store.create(init);
    this.store.events.record("created", init.createdAt, by, {
      skill: init.skill,
      invited,
      ...(init.trigger ? { trigger: init.trigger } : {}),
    });
  }

  /**
   * A snoozed conversation whose time has come opens again. The timer is set to the snooze's
   * time whenever the status changes, so its firing is the sign that the time has come.
   */
  private wakeFromSnooze(): void {
    if (this.store.status === "snoozed") this.applyStatus("open", SYSTEM);
  }

  /** A room from before durable timers: its pending flush and snooze become timers. */
  private adoptTimers(): void {
    const s = this.store.summary();
    if (!s) return;
    if (this.store.outboxPending()) this.timers.set("outbox", Date.now());
    if (s.status === "snoozed" && s.snoozedUntil !== null) this.timers.set("snooze", s.snoozedUntil);
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
    this.scheduleFlush();
    const summary = this.store.summary();
    if (summary) this.hub.notify(summary);
  }

  /** At most one flush per OUTBOX_FLUSH_MS; a timer already due costs no write (the mirror knows). */
  private scheduleFlush(): void {
    this.timers.setIfEarlier("outbox", Date.now() + OUTBOX_FLUSH_MS);
  }

  /** Flushes the outbox to D1. Idempotent (rev-guarded upserts, keyed events); a throw is retried. */
  private async flushOutbox(): Promise<void> {
    const info = this.store.info();
    if (!info || !this.store.outboxPending()) return;
    const batch = this.store.outbox(OUTBOX_MESSAGES_PER_FLUSH);
    const where = { siteId: info.siteId, conversationId: info.id };
    const messages: IndexedMessage[] = batch.messages.map((m) => ({ ...m, ...where }));
    this.flushing = flushConversationOutbox(
      this.env.DB,
      batch.summary ? [batch.summary] : [],
      messages,
      batch.events.map((e) => ({ ...e, ...where })),
    );
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
    if (!this.store.initialized) return; // erased while the flush was on its way
    this.store.outboxDelivered(batch);
    // A backlog (or changes made during the flush): continue soon.
    if (this.store.outboxPending()) this.timers.set("outbox", Date.now() + 100);
    // The hub may have missed a live update (it is not durable); the flushed state repairs it.
    const latest = this.store.summary();
    if (latest) this.hub.notify(latest);
  }

  private openSockets(role: Participant["role"]): number {
    return this.ctx.getWebSockets(role).filter((ws) => ws.readyState === WebSocket.OPEN).length;
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

function authorOf(who: Participant): By & { avatarUrl: string | null } {
  return who.role === "operator"
    ? { role: "operator", id: who.operatorId, name: who.name, avatarUrl: who.avatarUrl }
    : { role: "visitor", id: who.visitorId, name: null, avatarUrl: null };
}
