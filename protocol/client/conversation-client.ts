/**
 * The one client side of a conversation socket: resume from the last seq after every reconnect,
 * and an outbox of unacknowledged sends retried (same clientId, so never duplicated) until stored.
 * Runtime-neutral, so the widget, the admin, the fault tests and the benchmarks run this code.
 */
import type { ConversationServerFrame } from "../frames";
import type { ChatMessage, MessageKind } from "../models";
import { type ConnectionState, ReconnectingSocket, type ReconnectingSocketOptions, type SocketLike } from "./reconnecting-socket";

export type { ConnectionState, SocketLike };

/** A message written by this client and not yet acknowledged as stored. */
export interface PendingSend {
  clientId: string;
  text: string;
  createdAt: number;
  /** Absent means "text"; operators may send "note". */
  kind?: MessageKind;
}

export interface ConversationClientOptions
  extends Pick<
    ReconnectingSocketOptions,
    "connect" | "onState" | "onFinal" | "renewCredential" | "minBackoffMs" | "maxBackoffMs" | "pingMs" | "setTimer" | "clearTimer"
  > {
  /** Socket URL; `after` is the last seq this client holds (null: send the latest page). */
  url(after: number | null): string;
  /** Every server frame, after the client has updated its own state from it. */
  onFrame(frame: ConversationServerFrame): void;
  /** Called whenever the outbox changes, so it can be persisted (and restored via `pending`). */
  onPendingChange?(pending: readonly PendingSend[]): void;
  /** Unsent messages from an earlier page or visit. */
  pending?: PendingSend[];
  /** Resume point from an earlier page or visit. */
  lastSeq?: number | null;
  newId(): string;
  now?(): number;
}

/** A message list in seq order with `incoming` merged in (a seq seen twice keeps the newer). */
export function mergeMessages(list: ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  if (incoming.length === 0) return list;
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  for (const m of incoming) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

export class ConversationClient {
  /** Highest seq received; the resume point of the next connection. */
  lastSeq: number | null;
  private readonly pending: PendingSend[];
  private readonly socket: ReconnectingSocket;
  /** True between the server's `hello` (plus any `resume` frames) and the socket's close. */
  private ready = false;
  /**
   * A send was refused for load: nothing more goes out until its wait is over, then the whole
   * outbox again in order, so a later message never overtakes the refused one. Counts up so a
   * wait begun on an earlier socket ends nothing on a new one.
   */
  private paused = 0;
  private pauses = 0;

  constructor(private readonly o: ConversationClientOptions) {
    this.pending = [...(o.pending ?? [])];
    this.lastSeq = o.lastSeq ?? null;
    this.socket = new ReconnectingSocket({
      ...o,
      url: () => o.url(this.lastSeq),
      onText: (text) => this.receive(text),
      onOpen: () => {
        this.ready = false;
      },
      onState: (state, retryInMs) => {
        if (state !== "open") this.ready = false;
        o.onState?.(state, retryInMs);
      },
    });
  }

  get connectionState(): ConnectionState {
    return this.socket.state;
  }

  get unacknowledged(): readonly PendingSend[] {
    return this.pending;
  }

  start(): void {
    this.socket.start();
  }

  /** Closes for good. Pending sends stay in the outbox for a later start. */
  stop(): void {
    this.socket.stop();
  }

  /** Drops the current socket as a bad network would; the client reconnects and resumes. */
  dropConnection(): void {
    this.socket.drop();
  }

  retryNow(): void {
    this.socket.retryNow();
  }

  /** Queues a message; it is sent now if connected, else after the next successful resume. */
  send(text: string, kind: MessageKind = "text"): PendingSend {
    const item: PendingSend = { clientId: this.o.newId(), text, createdAt: (this.o.now ?? Date.now)() };
    if (kind !== "text") item.kind = kind;
    this.pending.push(item);
    this.o.onPendingChange?.(this.pending);
    if (this.ready && !this.paused) this.transmit(item);
    return item;
  }

  /** Sends an ephemeral frame (typing, read, history, status); dropped when not connected. */
  sendFrame(frame: { type: string } & Record<string, unknown>): boolean {
    return this.ready && this.socket.send(JSON.stringify(frame));
  }

  private receive(text: string): void {
    let frame: ConversationServerFrame;
    try {
      frame = JSON.parse(text) as ConversationServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case "hello":
        this.noteMessages(frame.messages);
        if (!frame.resuming) this.becomeReady();
        break;
      case "resume":
        this.noteMessages(frame.messages);
        if (frame.done) this.becomeReady();
        break;
      case "message":
        this.noteMessages([frame.message]);
        break;
      case "ack":
        this.noteMessages([frame.message]);
        this.removePending(frame.clientId);
        break;
      case "error":
        if (!frame.clientId) break;
        if (frame.code === "rate_limited") this.pause(frame.retryInMs ?? 1000);
        // A send refused for its content will never succeed: drop it from the outbox.
        else if (frame.code !== "internal") this.removePending(frame.clientId);
        break;
    }
    this.o.onFrame(frame);
  }

  /** A send the server refused for now (too many at once): the outbox again, in order, after its wait. */
  private pause(ms: number): void {
    if (this.paused) return; // the first refusal's wait covers the rest of its burst
    const pause = ++this.pauses;
    this.paused = pause;
    const again = () => {
      if (this.paused !== pause) return;
      this.paused = 0;
      if (this.ready) for (const item of this.pending) this.transmit(item);
    };
    if (this.o.setTimer) this.o.setTimer(again, ms);
    else (globalThis as unknown as { setTimeout(fn: () => void, ms: number): unknown }).setTimeout(again, ms);
  }

  private becomeReady(): void {
    this.ready = true;
    // A new socket has a fresh budget: an earlier socket's wait does not hold it back.
    this.paused = 0;
    this.socket.markHealthy();
    for (const item of this.pending) this.transmit(item);
  }

  private transmit(item: PendingSend): void {
    this.sendFrame({ type: "message.send", clientId: item.clientId, text: item.text, kind: item.kind ?? "text" });
  }

  private noteMessages(messages: readonly ChatMessage[]): void {
    const last = messages[messages.length - 1];
    if (last && (this.lastSeq === null || last.seq > this.lastSeq)) this.lastSeq = last.seq;
  }

  private removePending(clientId: string): void {
    const i = this.pending.findIndex((p) => p.clientId === clientId);
    if (i < 0) return;
    this.pending.splice(i, 1);
    this.o.onPendingChange?.(this.pending);
  }
}
