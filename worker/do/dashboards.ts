/**
 * Operators' dashboard sockets on the site hub and their presence: accepting a socket, who is
 * online or away (online on any tab counts as online) with their load and cap, the Live view
 * order each chose, sending to every dashboard, and closing the sockets of a session that signed
 * out. Used by SiteHub.
 */
import {
  CLOSE_CODES,
  DEFAULT_DASHBOARD_SORT,
  type HubServerFrame,
  type LiveSort,
  type OnlineOperator,
  type PresenceStatus,
} from "../../protocol";
import type { Participant, SessionMatch } from "../lib/participant";
import type { HubRoster } from "./hub-roster";
import { sessionMatches } from "./session-match";
import { broadcastFrame, sendFrame } from "./socket-send";

type OperatorParticipant = Extract<Participant, { role: "operator" }>;
/** `liveSort`: the Live view order this dashboard chose (`live.watch`); kept across hibernation. */
type Attachment = OperatorParticipant & { status: PresenceStatus; liveSort?: LiveSort };

export class Dashboards {
  constructor(
    private readonly ctx: DurableObjectState,
    private readonly roster: HubRoster,
    /** Seats held per operator (the hub's assignments). */
    private readonly loads: () => Map<string, number>,
  ) {}

  /** Accepts an operator's dashboard socket (hibernatable); they start online. */
  accept(who: OperatorParticipant): { client: WebSocket; server: WebSocket } {
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [who.operatorId]);
    server.serializeAttachment({ ...who, status: "online" } satisfies Attachment);
    return { client, server };
  }

  setStatus(ws: WebSocket, status: PresenceStatus): void {
    const who = ws.deserializeAttachment() as Attachment;
    ws.serializeAttachment({ ...who, status } satisfies Attachment);
  }

  setLiveSort(ws: WebSocket, liveSort: LiveSort): void {
    const who = ws.deserializeAttachment() as Attachment;
    ws.serializeAttachment({ ...who, liveSort } satisfies Attachment);
  }

  /** Open dashboards and the Live view order each wants. */
  *watchers(): Iterable<{ ws: WebSocket; sort: LiveSort }> {
    for (const ws of this.ctx.getWebSockets()) {
      const who = ws.deserializeAttachment() as Attachment | null;
      if (who && ws.readyState === WebSocket.OPEN) yield { ws, sort: who.liveSort ?? DEFAULT_DASHBOARD_SORT };
    }
  }

  online(): OnlineOperator[] {
    const seen = new Map<string, OnlineOperator>();
    const loads = this.loads();
    for (const ws of this.ctx.getWebSockets()) {
      const who = ws.deserializeAttachment() as Attachment | null;
      if (!who || ws.readyState !== WebSocket.OPEN) continue;
      const known = seen.get(who.operatorId);
      if (known && (known.status === "online" || who.status === "away")) continue;
      seen.set(who.operatorId, {
        id: who.operatorId,
        name: who.name,
        avatarUrl: who.avatarUrl,
        status: who.status,
        load: loads.get(who.operatorId) ?? 0,
        maxChats: this.roster.entry(who.operatorId)?.maxChats ?? 0,
      });
    }
    return [...seen.values()];
  }

  /** Operators taking new chats now. */
  takingChats(): Set<string> {
    return new Set(
      this.online()
        .filter((o) => o.status === "online")
        .map((o) => o.id),
    );
  }

  broadcast(frame: HubServerFrame, except?: WebSocket): void {
    broadcastFrame(this.ctx.getWebSockets(), frame, except);
  }

  broadcastPresence(except?: WebSocket): void {
    this.broadcast({ type: "presence", operatorsOnline: this.online() }, except);
  }

  send(ws: WebSocket, frame: HubServerFrame): void {
    sendFrame(ws, frame);
  }

  /** Closes the matching dashboards with 4401 (sign in again); returns how many. */
  close(match: SessionMatch): number {
    let closed = 0;
    for (const ws of this.ctx.getWebSockets()) {
      const who = ws.deserializeAttachment() as Attachment | null;
      if (!who || !sessionMatches(who, match)) continue;
      try {
        ws.close(CLOSE_CODES.unauthorized, "signed out");
        closed++;
      } catch {
        // already closed
      }
    }
    return closed;
  }
}
