/**
 * A socket that stays connected: reconnect with jittered exponential backoff, keep-alive pings,
 * dead-connection detection — until the server refuses it for good (FINAL_CLOSE_CODES: 4401
 * after one fresh credential, 4403, 4404). Runtime-neutral (the socket constructor and timers
 * are injected); the admin's inbox socket uses it directly and `ConversationClient` builds on it.
 */
import { CLOSE_CODES, FINAL_CLOSE_CODES, PING, PONG } from "../limits";

/** Method-style (bivariant) handler type, so the DOM's `WebSocket` and Node's `ws` both fit. */
type Handler<E> = { bivarianceHack(ev: E): void }["bivarianceHack"];

/** The part of a WebSocket this module uses (browser `WebSocket` and Node `ws` both fit). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number }> | null;
  onerror: Handler<unknown> | null;
}

export type ConnectionState = "connecting" | "open" | "waiting" | "closed";

export interface ReconnectingSocketOptions {
  /** Called before every attempt, so the URL can carry the latest resume point. */
  url(): string;
  connect(url: string): SocketLike;
  /** Every text frame except keep-alive answers. */
  onText(text: string): void;
  onOpen?(): void;
  onState?(state: ConnectionState, retryInMs?: number): void;
  /** The server closed with a final code: no reconnect follows (the state is "closed"). */
  onFinal?(code: number): void;
  /**
   * On 4401 (credential refused): get a fresh one, which the next `url()` carries, and resolve
   * true to try again at once. Once per healthy connection, so a credential the server keeps
   * refusing ends the socket; a rejection (offline) is retried like a network error.
   */
  renewCredential?(): Promise<boolean>;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Keep-alive period; a socket silent for a whole period after a ping is replaced. */
  pingMs?: number;
  /** A connection attempt not open by then is abandoned and retried (a handshake can hang). */
  connectTimeoutMs?: number;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(id: unknown): void;
}

const OPEN = 1;
type Timers = { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(id: unknown): void };
const globalTimers = globalThis as unknown as Timers;

export class ReconnectingSocket {
  private socket: SocketLike | null = null;
  private current: ConnectionState = "closed";
  private attempt = 0;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private heard = true;
  private stopped = true;
  private renewed = false;

  constructor(private readonly o: ReconnectingSocketOptions) {}

  get state(): ConnectionState {
    return this.current;
  }

  get isOpen(): boolean {
    return this.socket !== null && this.socket.readyState === OPEN;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  /** Closes for good (no reconnect). */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const s = this.socket;
    this.socket = null;
    if (s) {
      s.onclose = s.onmessage = s.onopen = null;
      // Closing a socket that is still connecting reports an error; Node's `ws` throws an
      // unhandled one when nobody listens, so keep a listener that ignores it.
      s.onerror = () => {};
      try {
        s.close(1000, "bye");
      } catch {
        // already closing
      }
    }
    this.setState("closed");
  }

  /** Drops the current socket as a bad network would; a new one follows after backoff. */
  drop(): void {
    this.socket?.close(4000, "dropped");
  }

  /** Reconnects now, skipping the backoff wait (for example when the browser comes online). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    this.clearTimers();
    this.open();
  }

  /** Sends when connected; returns false (and sends nothing) otherwise. */
  send(text: string): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    try {
      this.socket.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /** Marks the connection healthy: resets the backoff. Call once the server has greeted us. */
  markHealthy(): void {
    this.attempt = 0;
    this.renewed = false;
    this.setState("open");
  }

  private open(): void {
    this.setState("connecting");
    let socket: SocketLike;
    try {
      socket = this.o.connect(this.o.url());
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    // The ping timer is not running yet, so this guards the handshake itself.
    this.pingTimer = this.timer(() => {
      if (this.socket === socket && socket.readyState !== OPEN) socket.close(4002, "connect timeout");
    }, this.o.connectTimeoutMs ?? 10_000);
    socket.onopen = () => {
      this.clearTimers();
      this.schedulePing();
      this.o.onOpen?.();
    };
    socket.onmessage = (ev) => {
      this.heard = true;
      if (typeof ev.data === "string" && ev.data !== PONG) this.o.onText(ev.data);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (this.stopped) return;
      if (FINAL_CLOSE_CODES.includes(ev.code)) this.refused(ev.code);
      else this.scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
  }

  /** A final close: renew the credential once (4401), else stop for good and say so. */
  private refused(code: number): void {
    const renew = this.o.renewCredential;
    if (code === CLOSE_CODES.unauthorized && renew && !this.renewed) {
      this.renewed = true;
      this.setState("connecting");
      renew().then(
        (ok) => {
          if (this.stopped) return;
          if (ok) this.open();
          else this.end(code);
        },
        () => {
          this.renewed = false;
          if (!this.stopped) this.scheduleReconnect();
        },
      );
      return;
    }
    this.end(code);
  }

  private end(code: number): void {
    this.stopped = true;
    this.setState("closed");
    this.o.onFinal?.(code);
  }

  private scheduleReconnect(): void {
    const min = this.o.minBackoffMs ?? 500;
    const max = this.o.maxBackoffMs ?? 30_000;
    // Full jitter: spreads the reconnects of many clients after a deploy drops them all at once.
    const ceiling = Math.min(max, min * 2 ** this.attempt);
    const delay = Math.round(min / 2 + Math.random() * Math.max(0, ceiling - min / 2));
    this.attempt++;
    this.setState("waiting", delay);
    this.retryTimer = this.timer(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private schedulePing(): void {
    const every = this.o.pingMs ?? 25_000;
    this.heard = true;
    const tick = () => {
      const s = this.socket;
      if (!s || this.stopped) return;
      if (!this.heard) {
        // Nothing came back for a whole period: the network dropped us without a close frame.
        s.close(4001, "keep-alive timeout");
        return;
      }
      this.heard = false;
      this.send(PING);
      this.pingTimer = this.timer(tick, every);
    };
    this.pingTimer = this.timer(tick, every);
  }

  private clearTimers(): void {
    const clear = this.o.clearTimer ?? ((id: unknown) => globalTimers.clearTimeout(id));
    if (this.retryTimer !== null) clear(this.retryTimer);
    if (this.pingTimer !== null) clear(this.pingTimer);
    this.retryTimer = this.pingTimer = null;
  }

  private timer(fn: () => void, ms: number): unknown {
    return this.o.setTimer ? this.o.setTimer(fn, ms) : globalTimers.setTimeout(fn, ms);
  }

  private setState(state: ConnectionState, retryInMs?: number): void {
    this.current = state;
    this.o.onState?.(state, retryInMs);
  }
}
