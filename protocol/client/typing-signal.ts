/**
 * The sending side of typing indicators, shared by the widget and the admin: "typing" at most
 * every `everyMs` while the text changes (with the draft itself when `withDraft`, for the
 * operators' preview), and "stopped" after `idleMs` without input, on send, or when cleared.
 */
/** A client `typing` frame, as `../frames.ts` defines it (typed here without importing valibot). */
type Frame = { type: "typing"; active: boolean; draft?: string };
type Timers = { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(id: unknown): void };
const timers = globalThis as unknown as Timers;

export class TypingSignal {
  private active = false;
  private lastSentAt = 0;
  private draft = "";
  private trailing: unknown = null;
  private idle: unknown = null;

  constructor(
    /** Returns false when the frame could not be sent (socket down); it is then retried later. */
    private readonly sendFrame: (frame: Frame) => boolean,
    private readonly o: { withDraft: boolean; everyMs: number; idleMs: number },
  ) {}

  /** Call on every change of the composer's text. */
  input(text: string): void {
    if (text.trim() === "") {
      this.stop();
      return;
    }
    this.draft = text;
    timers.clearTimeout(this.idle);
    this.idle = timers.setTimeout(() => this.stop(), this.o.idleMs);
    const wait = this.lastSentAt + this.o.everyMs - Date.now();
    if (wait <= 0) this.flush();
    else if (this.o.withDraft && this.trailing === null) {
      // The last keystrokes of a burst still reach the preview.
      this.trailing = timers.setTimeout(() => {
        this.trailing = null;
        if (this.idle !== null) this.flush();
      }, wait);
    }
  }

  /** Call when the message is sent or the composer loses its text. */
  stop(): void {
    timers.clearTimeout(this.idle);
    timers.clearTimeout(this.trailing);
    this.idle = this.trailing = null;
    if (this.active) this.sendFrame({ type: "typing", active: false });
    this.active = false;
    this.lastSentAt = 0;
  }

  private flush(): void {
    const frame: Frame = this.o.withDraft ? { type: "typing", active: true, draft: this.draft } : { type: "typing", active: true };
    if (this.sendFrame(frame)) {
      this.active = true;
      this.lastSentAt = Date.now();
    }
  }
}
