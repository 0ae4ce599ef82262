// Node `ws` sockets for the protocol's ReconnectingSocket that remember which local TCP port
// carries the current connection, so the fault proxy can break exactly that connection.
import WebSocket from "ws";
import type { SocketLike } from "../../protocol/client/reconnecting-socket";

export class TrackedConnector {
  /** Local port of the current connection; null until its upgrade has been answered. */
  port: number | null = null;

  constructor(private readonly headers: Record<string, string>) {}

  readonly connect = (url: string): SocketLike => {
    this.port = null;
    const ws = new WebSocket(url, { headers: this.headers });
    ws.once("upgrade", (res) => {
      this.port = res.socket.localPort ?? null;
    });
    return ws as unknown as SocketLike;
  };
}
