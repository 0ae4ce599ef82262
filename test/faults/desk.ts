// An operator's dashboard in the fault test: the inbox socket (`/ws/sites/:siteId/inbox`, a
// signed-in cookie and the app's Origin) through the protocol's ReconnectingSocket, as the admin
// holds it. It goes online on every connection, knows each conversation by its newest revision
// (a snapshot starts that knowledge afresh) and logs every routing frame for the invariant checks.
import type { ConversationSummary, HubServerFrame } from "../../protocol";
import { ReconnectingSocket } from "../../protocol/client/reconnecting-socket";
import { TrackedConnector } from "./node-socket";
import type { HubObservation, RoutingFrame } from "./routing-invariants";

export interface TeamMember {
  id: string;
  name: string;
  email: string;
  cap: number;
}

export class Desk {
  readonly socket: ReconnectingSocket;
  /** Connections that delivered a snapshot so far; the current one is numbered by it. */
  connection = 0;
  private readonly connector: TrackedConnector;
  private view = new Map<string, ConversationSummary>();

  constructor(
    readonly name: string,
    readonly operator: TeamMember,
    url: string,
    headers: { cookie: string; origin: string },
    private readonly log: HubObservation[],
  ) {
    this.connector = new TrackedConnector(headers);
    this.socket = new ReconnectingSocket({
      url: () => url,
      connect: this.connector.connect,
      onText: (text) => this.receive(JSON.parse(text) as HubServerFrame),
      minBackoffMs: 100,
      maxBackoffMs: 2000,
      pingMs: 5000,
    });
  }

  /** Local port of the current connection (for the fault proxy), null while not connected. */
  get port(): number | null {
    return this.socket.state === "open" ? this.connector.port : null;
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  /** Closes the socket politely (a close handshake); it reconnects after backoff. */
  drop(): boolean {
    if (this.port === null) return false;
    this.socket.drop();
    return true;
  }

  /** Open conversations this dashboard shows as its operator's. */
  mine(): Set<string> {
    const mine = new Set<string>();
    for (const s of this.view.values()) if (s.assigneeId === this.operator.id && s.status === "open") mine.add(s.id);
    return mine;
  }

  private receive(frame: HubServerFrame): void {
    if (frame.type === "inbox.snapshot") {
      this.connection++;
      this.view = new Map();
      for (const s of frame.conversations) this.merge(s);
      this.socket.markHealthy();
      this.socket.send(JSON.stringify({ type: "presence", status: "online" }));
    } else if (frame.type === "inbox.update") {
      this.merge(frame.conversation);
    }
    if (isRoutingFrame(frame)) this.log.push({ desk: this.name, connection: this.connection, at: Date.now(), frame });
  }

  private merge(s: ConversationSummary): void {
    const known = this.view.get(s.id);
    if (!known || known.rev < s.rev) this.view.set(s.id, s);
  }
}

function isRoutingFrame(f: HubServerFrame): f is RoutingFrame {
  return f.type === "inbox.snapshot" || f.type === "inbox.update" || f.type === "queue.state" || f.type === "presence";
}
