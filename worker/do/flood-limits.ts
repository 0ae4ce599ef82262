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
}

interface Budget {
  sends: Bucket;
  typing: Bucket;
  /** A typing refusal was already reported since the last accepted frame. */
  typingReported: boolean;
}

export class FloodLimits {
  private readonly budgets = new WeakMap<WebSocket, Budget>();

  /** 0 when this send may go ahead, else the ms until it would. */
  send(ws: WebSocket, now: number): number {
    return this.budget(ws, now).sends.take(now);
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
      b = { sends: new Bucket(SENDS, now), typing: new Bucket(TYPING, now), typingReported: false };
      this.budgets.set(ws, b);
    }
    return b;
  }
}
