/**
 * Opens a conversation socket the way the widget and the admin do — the protocol's
 * ConversationClient over Node's `ws` — and resolves once the server's greeting has made it
 * ready, with the time that took. A later reconnect is reported through `onDrop`, because in a
 * benchmark it is a failure even though the client would recover.
 */
import WebSocket from "ws";
import type { ConversationServerFrame } from "../../../protocol";
import { ConversationClient, type SocketLike } from "../../../protocol/client";
import type { Endpoint } from "../targets/target";

export interface OpenOptions {
  onFrame?(frame: ConversationServerFrame): void;
  onDrop?(): void;
  /** Resume point: the last seq this client holds (null: ask for the latest page). */
  lastSeq?: number | null;
  timeoutMs?: number;
}

export interface OpenedClient {
  client: ConversationClient;
  /** From `start()` (before the TCP connect) to ready: greeted, and resumed when resuming. */
  readyMs: number;
}

let clientIds = 0;

export function openClient(endpoint: Endpoint, o: OpenOptions = {}): Promise<OpenedClient> {
  return new Promise((resolve, reject) => {
    let ready = false;
    let lastError = "";
    const startedAt = performance.now();
    const client = new ConversationClient({
      url: endpoint.url,
      lastSeq: o.lastSeq ?? null,
      // Unique across every client of this process, so any frame's clientId finds its send.
      newId: () => `b${(++clientIds).toString(36)}`,
      connect: (url) => {
        // Compression off: the cost being measured is the server's, not zlib's on both ends.
        const ws = new WebSocket(url, { headers: endpoint.headers, perMessageDeflate: false });
        ws.on("error", (e) => (lastError = e.message));
        // `ws` types its event handlers with its own event classes; the shapes used are the same.
        return ws as unknown as SocketLike;
      },
      onFrame: (frame) => o.onFrame?.(frame),
      onState: (state) => {
        if (state === "open" && !ready) {
          ready = true;
          clearTimeout(timer);
          resolve({ client, readyMs: performance.now() - startedAt });
        } else if (state === "waiting") {
          if (ready) o.onDrop?.();
          else fail(`socket ${redact(endpoint.url(o.lastSeq ?? null))} closed before it was ready ${lastError}`);
        }
      },
    });
    const fail = (why: string) => {
      clearTimeout(timer);
      client.stop();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`socket not ready within ${o.timeoutMs ?? 10_000} ms`), o.timeoutMs ?? 10_000);
    client.start();
  });
}

/** Visitor tokens are credentials; they stay out of error messages. */
function redact(url: string): string {
  return url.replace(/token=[^&]+/, "token=…");
}
