/**
 * SiteHub: one Durable Object per shop. Holds the operators' dashboard sockets, knows who is
 * online, keeps the live inbox (latest summary of each recent conversation in its SQLite) and
 * fans every conversation change out to the dashboards. Rebuilt from D1 when its storage is new.
 * The Worker reaches it through its stub: `fetch` for dashboard sockets, RPC for the rest.
 */
import { DurableObject } from "cloudflare:workers";
import { answerClose, broadcastFrame, sendFrame } from "./socket-send";
import { recentConversations } from "../db/conversations";
import type { Env } from "../env";
import { errorResponse } from "../lib/api-error";
import { type Participant, readParticipant } from "../lib/participant";
import {
  type ConversationSummary,
  decodeClientFrame,
  type HubServerFrame,
  type OnlineOperator,
  PING,
  PONG,
} from "../protocol";

/** Resolved conversations stay in the live inbox this long after their last activity. */
const RECENT_MS = 7 * 24 * 3600 * 1000;
const SNAPSHOT_LIMIT = 200;

type OperatorParticipant = Extract<Participant, { role: "operator" }>;

export class SiteHub extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);`);
    if (!this.sql.exec("SELECT version FROM schema_version").toArray()[0]) {
      this.sql.exec(`
        CREATE TABLE inbox (id TEXT PRIMARY KEY, status TEXT NOT NULL, updated_at INTEGER NOT NULL,
                            rev INTEGER NOT NULL, summary TEXT NOT NULL);
        CREATE INDEX inbox_by_activity ON inbox (updated_at DESC);
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO schema_version (version) VALUES (1);
      `);
    }
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // ---- RPC ----------------------------------------------------------------------------------

  /** A conversation changed: keep the newest revision and tell every dashboard. */
  conversationChanged(summary: ConversationSummary): void {
    const current = this.sql.exec("SELECT rev, summary FROM inbox WHERE id = ?", summary.id).toArray()[0];
    if (current && Number(current.rev) >= summary.rev) return;
    // Profiles live in D1, not in the room: keep the visitor name the hub already knows.
    const knownName = current ? (JSON.parse(String(current.summary)) as ConversationSummary).visitorName : null;
    const merged: ConversationSummary = { ...summary, visitorName: summary.visitorName ?? knownName };
    this.sql.exec(
      "INSERT OR REPLACE INTO inbox (id, status, updated_at, rev, summary) VALUES (?, ?, ?, ?, ?)",
      merged.id,
      merged.status,
      merged.updatedAt,
      merged.rev,
      JSON.stringify(merged),
    );
    this.broadcast({ type: "inbox.update", conversation: merged });
  }

  operatorsOnline(): OnlineOperator[] {
    const seen = new Map<string, OnlineOperator>();
    for (const ws of this.ctx.getWebSockets()) {
      const who = ws.deserializeAttachment() as OperatorParticipant | null;
      if (who && !seen.has(who.operatorId)) seen.set(who.operatorId, { id: who.operatorId, name: who.name, avatarUrl: who.avatarUrl });
    }
    return [...seen.values()];
  }

  // ---- dashboard sockets --------------------------------------------------------------------

  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return errorResponse("bad_request", "Expected a WebSocket upgrade.");
    }
    const who = readParticipant(request);
    if (!who || who.role !== "operator") return errorResponse("unauthorized", "Operators only.");
    await this.loadFromD1Once(who.siteId);

    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [who.operatorId]);
    server.serializeAttachment(who);
    this.send(server, { type: "inbox.snapshot", conversations: this.snapshot(), operatorsOnline: this.operatorsOnline() });
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline() }, server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): void {
    // Dashboards only listen; anything but the keep-alive is answered with a coded error.
    const decoded = decodeClientFrame(raw);
    this.send(
      ws,
      decoded.ok
        ? { type: "error", code: "unknown_type", message: `The inbox socket does not accept "${decoded.value.type}".` }
        : { type: "error", ...decoded.error },
    );
  }

  override webSocketClose(ws: WebSocket, code: number): void {
    answerClose(ws, code);
    this.broadcast({ type: "presence", operatorsOnline: this.operatorsOnline().filter((o) => this.hasOtherSocket(o.id, ws)) }, ws);
  }

  // ---- internals ----------------------------------------------------------------------------

  private hasOtherSocket(operatorId: string, closing: WebSocket): boolean {
    return this.ctx.getWebSockets(operatorId).some((s) => s !== closing && s.readyState === WebSocket.OPEN);
  }

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
    for (const summary of rows) this.conversationChanged(summary);
    this.sql.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('loaded', ?)", String(Date.now()));
  }

  private broadcast(frame: HubServerFrame, except?: WebSocket): void {
    broadcastFrame(this.ctx.getWebSockets(), frame, except);
  }

  private send(ws: WebSocket, frame: HubServerFrame): void {
    sendFrame(ws, frame);
  }
}
