/**
 * Flood limits on a visitor's socket: messages and typing frames as token buckets per socket,
 * and how many visitor sockets one conversation keeps open. Set far above what a real visitor
 * does (typing with preview sends about 2.5 frames a second; a fast typist sends a message every
 * few seconds), so only scripts meet them. Used by ConversationRoom.
 *
 * The buckets live in memory: hibernation resets them. That is acceptable because an object
 * hibernates only after its sockets have been quiet for a while, and a quiet socket is not
 * flooding; a socket that keeps sending keeps the object awake and its budget with it.
 */

/** Visitor sockets (tabs) one conversation keeps open; the next is accepted and closed with 4429. */
export const MAX_VISITOR_SOCKETS = 8;

interface Rate {
  /** Frames allowed at once. */
  burst: number;
  /** One more frame is allowed every this many ms. */
  everyMs: number;
}

/** `message.send`: 20 per 10 s. */
const SENDS: Rate = { burst: 20, everyMs: 500 };
/** `typing`: 10 per second. */
const TYPING: Rate = { burst: 10, everyMs: 100 };

class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: Rate,
    now: number,
  ) {
    this.tokens = rate.burst;
    this.at = now;
  }

  /** Takes one token: 0 when allowed, else the ms until one is free. */
  take(now: number): number {
    this.tokens = Math.min(this.rate.burst, this.tokens + (now - this.at) / this.rate.everyMs);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.tokens) * this.rate.everyMs);
  }

  /** The ms until a token is free (0: one is), taking nothing. */
  wait(now: number): number {
    const tokens = Math.min(this.rate.burst, this.tokens + (now - this.at) / this.rate.everyMs);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) * this.rate.everyMs);
  }
}

interface Budget {
  sends: Bucket;
  /**
   * The first send refused since the last accepted one. Until it comes again, every other send
   * of the socket is refused too, so a socket's stored messages keep the order they were written
   * in: a later message never overtakes a refused one, even when a token frees up before the
   * refused one is retried (a burst processed slowly, or a client sending on while it waits).
   */
  blockedBy: string | null;
  typing: Bucket;
  /** A typing refusal was already reported since the last accepted frame. */
  typingReported: boolean;
}

export class FloodLimits {
  private readonly budgets = new WeakMap<WebSocket, Budget>();

  /**
   * 0 when this send may go ahead, else the ms until it would. After a refusal only the refused
   * message may go first (the client sends its outbox again in order once the wait is over).
   */
  send(ws: WebSocket, now: number, clientId: string): number {
    const b = this.budget(ws, now);
    if (b.blockedBy !== null && b.blockedBy !== clientId) return Math.max(1, b.sends.wait(now));
    const wait = b.sends.take(now);
    b.blockedBy = wait > 0 ? clientId : null;
    return wait;
  }

  /**
   * "ok", or "refused" for the first refused frame of a burst (answer it), or "quiet" for the
   * rest of that burst (drop it without an answer: a flood should not be echoed frame by frame).
   */
  typing(ws: WebSocket, now: number): "ok" | "refused" | "quiet" {
    const b = this.budget(ws, now);
    if (b.typing.take(now) === 0) {
      b.typingReported = false;
      return "ok";
    }
    if (b.typingReported) return "quiet";
    b.typingReported = true;
    return "refused";
  }

  private budget(ws: WebSocket, now: number): Budget {
    let b = this.budgets.get(ws);
    if (!b) {
      b = { sends: new Bucket(SENDS, now), typing: new Bucket(TYPING, now), blockedBy: null, typingReported: false };
      this.budgets.set(ws, b);
    }
    return b;
  }
}
