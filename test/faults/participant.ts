// One side of a conversation in the fault test: the shared ConversationClient over Node `ws`,
// recording what it sent, what was acknowledged and every message it saw, by seq.
import type { ChatMessage, ConversationServerFrame } from "../../protocol";
import { ConversationClient } from "../../protocol/client/conversation-client";
import { TrackedConnector } from "./node-socket";

export class Participant {
  readonly sent: string[] = [];
  readonly acked = new Map<string, number>();
  /** seq → clientId of every message this participant has seen. */
  readonly seen = new Map<number, string>();
  /** The first seq this participant was shown (it holds everything from there on). */
  firstSeq: number | null = null;
  readonly client: ConversationClient;
  private readonly connector: TrackedConnector;
  private n = 0;

  constructor(
    readonly name: string,
    /** Visitors are never shown internal notes; operators see every message. */
    readonly audience: "visitor" | "operator",
    url: (after: number | null) => string,
    headers: Record<string, string>,
  ) {
    this.connector = new TrackedConnector(headers);
    this.client = new ConversationClient({
      url,
      connect: this.connector.connect,
      onFrame: (f) => this.observe(f),
      newId: () => `${name}-${++this.n}`,
      minBackoffMs: 100,
      maxBackoffMs: 2000,
      pingMs: 5000,
    });
  }

  /** Local port of the current connection (for the fault proxy), null while not connected. */
  get port(): number | null {
    return this.client.connectionState === "open" ? this.connector.port : null;
  }

  start(): void {
    this.client.start();
  }

  send(): void {
    const item = this.client.send(`${this.name} says ${this.n + 1}`);
    this.sent.push(item.clientId);
  }

  /** Closes the socket politely (a close handshake); the client reconnects and resumes. */
  drop(): boolean {
    if (this.port === null) return false;
    this.client.dropConnection();
    return true;
  }

  get unacknowledged(): number {
    return this.client.unacknowledged.length;
  }

  private observe(f: ConversationServerFrame): void {
    const note = (messages: ChatMessage[]) => {
      for (const m of messages) {
        const known = this.seen.get(m.seq);
        // Two different messages at one seq would be a reordering: keep the evidence.
        this.seen.set(m.seq, known && known !== m.clientId ? `CONFLICT:${known}|${m.clientId}` : m.clientId);
        if (this.firstSeq === null || m.seq < this.firstSeq) this.firstSeq = m.seq;
      }
    };
    if (f.type === "hello" || f.type === "resume" || f.type === "history") note(f.messages);
    if (f.type === "message") note([f.message]);
    if (f.type === "ack") {
      note([f.message]);
      this.acked.set(f.clientId, f.message.seq);
    }
  }
}
