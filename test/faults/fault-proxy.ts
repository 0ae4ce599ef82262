// A TCP proxy between the fault test's sockets and `wrangler dev`, so a connection can fail the way
// networks fail instead of closing politely: a reset (RST on both legs, no close frame), or a stall
// that starts mid-frame (part of the next chunk forwarded, the rest held) and ends with the held
// bytes flowing on in order (a slow network) or with both legs reset (a dead one). Test-only.
import net from "node:net";

type Ending = "resume" | "reset";

/** One way of a proxied connection. */
interface Leg {
  from: net.Socket;
  to: net.Socket;
  /** Bytes held back while the link is stalled, in order. */
  held: Buffer[];
  /** The next chunk during a stall is cut: a prefix goes through, the rest is held. */
  cutNext: boolean;
  /** `from` ended while stalled; the end follows the held bytes. */
  ended: boolean;
}

interface Link {
  /** The client's local port: how the test names the connection. */
  port: number;
  client: net.Socket;
  upstream: net.Socket;
  legs: [Leg, Leg];
  stalled: boolean;
}

export class FaultProxy {
  /** What the proxy did: resets, stalls, stalls that cut a chunk, and how stalls ended. */
  readonly counts = { resets: 0, stalls: 0, cutMidFrame: 0, resumed: 0, stallsReset: 0 };
  /** Live links by the client's local port (the port its WebSocket connected from). */
  private readonly links = new Map<number, Link>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 and forwards every connection to `upstreamPort`. */
  static async listen(upstreamPort: number): Promise<FaultProxy> {
    const server = net.createServer({ noDelay: true });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new FaultProxy(server, (server.address() as net.AddressInfo).port);
    server.on("connection", (client) => proxy.accept(client, upstreamPort));
    return proxy;
  }

  /** Resets the connection coming from `clientPort` on both legs. False when there is none. */
  reset(clientPort: number | null): boolean {
    const link = clientPort === null ? undefined : this.links.get(clientPort);
    if (!link) return false;
    this.counts.resets++;
    this.destroy(link);
    return true;
  }

  /**
   * Stops forwarding the connection from `clientPort` for `ms`, starting inside the next chunk
   * each way; then the held bytes flow on (`resume`) or both legs are reset. False when there is
   * no such connection or it is already stalled.
   */
  stall(clientPort: number | null, ms: number, then: Ending): boolean {
    const link = clientPort === null ? undefined : this.links.get(clientPort);
    if (!link || link.stalled) return false;
    this.counts.stalls++;
    link.stalled = true;
    for (const leg of link.legs) leg.cutNext = true;
    setTimeout(() => {
      if (this.links.get(link.port) !== link) return; // closed meanwhile
      if (then === "reset") {
        this.counts.stallsReset++;
        this.destroy(link);
        return;
      }
      this.counts.resumed++;
      link.stalled = false;
      for (const leg of link.legs) {
        for (const chunk of leg.held.splice(0)) leg.to.write(chunk);
        if (leg.ended) leg.to.end();
      }
    }, ms).unref();
    return true;
  }

  async close(): Promise<void> {
    for (const link of this.links.values()) this.destroy(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, upstreamPort: number): void {
    const upstream = net.connect({ port: upstreamPort, host: "127.0.0.1", noDelay: true });
    const leg = (from: net.Socket, to: net.Socket): Leg => ({ from, to, held: [], cutNext: false, ended: false });
    const port = client.remotePort!;
    const link: Link = { port, client, upstream, legs: [leg(client, upstream), leg(upstream, client)], stalled: false };
    this.links.set(port, link);
    for (const l of link.legs) {
      l.from.on("data", (chunk: Buffer) => {
        if (!link.stalled) {
          l.to.write(chunk);
          return;
        }
        if (l.cutNext && chunk.length > 1) {
          l.cutNext = false;
          this.counts.cutMidFrame++;
          const at = 1 + Math.floor(Math.random() * (chunk.length - 1));
          l.to.write(chunk.subarray(0, at));
          l.held.push(chunk.subarray(at));
          return;
        }
        l.held.push(chunk);
      });
      l.from.on("end", () => {
        if (link.stalled) l.ended = true;
        else l.to.end();
      });
      // A reset or refusal on one leg (wrangler down, killed, or restarting) resets the other.
      l.from.on("error", () => this.destroy(link));
      l.from.on("close", () => {
        if (this.links.get(port) === link && client.destroyed && upstream.destroyed) this.links.delete(port);
      });
    }
  }

  private destroy(link: Link): void {
    if (this.links.get(link.port) === link) this.links.delete(link.port);
    for (const s of [link.client, link.upstream]) {
      if (s.destroyed) continue;
      try {
        s.resetAndDestroy();
      } catch {
        s.destroy();
      }
    }
  }
}
