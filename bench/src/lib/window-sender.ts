/**
 * The sliding-window sender behind the throughput scenario and the resume scenario's fill: keeps
 * `window` sends unacknowledged on a conversation's operator socket while its visitor socket
 * checks that every stored message arrives once and in order. The operator sends: a visitor's
 * socket is flood-limited (20 messages per 10 s, worker/do/flood-limits.ts), which a burst of
 * 200 in flight is by design. Raw `ws` here, not
 * ConversationClient: a dropped socket must count as a failure rather than be retried, and each
 * frame is timed as it comes off the wire.
 */
import WebSocket from "ws";
import { type AckFrame, type ConversationServerFrame, type HelloFrame, PONG } from "../../../protocol";
import type { ConversationEndpoints, Endpoint } from "../targets/target";
import { waitFor } from "./async";
import { checkStreams, type Integrity, SeqStream } from "./integrity";

export interface PumpOptions {
  window: number;
  /** Stop sending after this long… */
  durationMs?: number;
  /** …or after this many messages, whichever comes first. */
  count?: number;
  /** Hard bound on the whole pump, drain included. */
  timeoutMs: number;
}

export interface PumpResult {
  /** performance.now() when the first send left. */
  startedAt: number;
  sent: number;
  /** Arrival time of every ack, in arrival order. */
  ackTimes: number[];
  /** Send → ack of every message, milliseconds. */
  ackLatencies: number[];
  integrity: Integrity;
}

let pumps = 0;

export async function pump(conversation: ConversationEndpoints, o: PumpOptions): Promise<PumpResult> {
  const sender = await openRaw(conversation.operator);
  const receiver = await openRaw(conversation.visitor);
  const acks = new SeqStream(sender.hello.conversation.lastSeq);
  const deliveries = new SeqStream(receiver.hello.conversation.lastSeq);
  const sentAt = new Map<string, number>();
  const ackTimes: number[] = [];
  const ackLatencies: number[] = [];
  let sent = 0;

  const startedAt = performance.now();
  const stopSendingAt = startedAt + (o.durationMs ?? Infinity);
  const more = () => sent < (o.count ?? Infinity) && performance.now() < stopSendingAt;
  const pumpId = ++pumps;
  const sendOne = () => {
    // Unique per process: the server treats a repeated clientId as a retry and stores nothing.
    const clientId = `w${pumpId}-${sent++}`;
    sentAt.set(clientId, performance.now());
    sender.ws.send(JSON.stringify({ type: "message.send", clientId, text: `window message ${sent}` }));
  };
  /** Frees the send's window slot; `ack` is null when the server refused it. */
  const settle = (clientId: string | undefined, ack: AckFrame | null, at: number) => {
    if (clientId === undefined) return;
    const t0 = sentAt.get(clientId);
    if (t0 === undefined) return;
    sentAt.delete(clientId);
    if (ack) {
      acks.see(ack.message.seq);
      ackTimes.push(at);
      ackLatencies.push(at - t0);
    }
    if (more()) sendOne();
  };

  let refused = 0;
  sender.onFrame = (frame, at) => {
    if (frame.type === "ack") settle(frame.clientId, frame, at);
    else if (frame.type === "error") {
      // Not stored, so it counts as lost; say why once, and keep the window full.
      if (refused++ === 0) console.warn(`  refused: ${frame.code}: ${frame.message}`);
      settle(frame.clientId, null, at);
    }
  };
  receiver.onFrame = (frame) => {
    if (frame.type === "message") deliveries.see(frame.message.seq);
  };

  for (let i = 0; i < o.window && more(); i++) sendOne();
  await waitFor(() => sender.closed || receiver.closed || (!more() && sentAt.size === 0 && deliveries.received >= sent), o.timeoutMs);
  const drops = Number(sender.closed) + Number(receiver.closed);
  acks.expected = deliveries.expected = sent;
  sender.ws.close(1000);
  receiver.ws.close(1000);
  return { startedAt, sent, ackTimes, ackLatencies, integrity: checkStreams([acks, deliveries], drops) };
}

interface RawSocket {
  ws: WebSocket;
  hello: HelloFrame;
  onFrame(frame: ConversationServerFrame, at: number): void;
  /** True once the socket has closed (or failed). */
  closed: boolean;
}

function openRaw(endpoint: Endpoint): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(endpoint.url(null), { headers: endpoint.headers, perMessageDeflate: false });
    let socket: RawSocket | null = null;
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error("no hello within 10 s"));
    }, 10_000);
    ws.on("message", (data, isBinary) => {
      const at = performance.now();
      const text = data.toString();
      if (isBinary || text === PONG) return;
      const frame = JSON.parse(text) as ConversationServerFrame;
      if (socket) socket.onFrame(frame, at);
      else if (frame.type === "hello") {
        clearTimeout(timer);
        socket = { ws, hello: frame, onFrame: () => {}, closed: false };
        resolve(socket);
      }
    });
    ws.on("close", () => {
      if (socket) socket.closed = true;
    });
    ws.on("error", (e) => {
      if (socket) socket.closed = true;
      else {
        clearTimeout(timer);
        reject(e);
      }
    });
  });
}
