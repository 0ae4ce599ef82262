/**
 * A conversation room's updates to its site hub (the live inbox and routing): the latest
 * summary, coalesced and spaced, one call in flight. Not durable: the outbox flush sends the
 * flushed state again, which repairs anything the hub missed. Used by ConversationRoom.
 */
import type { ConversationSummary } from "../../protocol";
import type { Env } from "../env";

/**
 * Hub updates of one conversation are at least this far apart: the first change goes at once,
 * a burst is coalesced into its latest summary. An RPC per message was a quarter of the message
 * path's CPU under load; an inbox row a fifth of a second late is not.
 */
const HUB_MIN_INTERVAL_MS = 200;

export class HubLink {
  private pending: ConversationSummary | null = null;
  private inFlight = false;
  private sentAt = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  notify(summary: ConversationSummary): void {
    this.pending = summary;
    if (this.inFlight) return;
    this.inFlight = true;
    this.ctx.waitUntil(this.drain());
  }

  /** The conversation was erased: nothing more goes out. */
  cancel(): void {
    this.pending = null;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const wait = this.sentAt + HUB_MIN_INTERVAL_MS - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const summary = this.pending;
        if (!summary) break; // erased while waiting
        this.pending = null;
        this.sentAt = Date.now();
        try {
          await this.env.SITE_HUB.getByName(summary.siteId).conversationChanged(summary);
        } catch (err) {
          // The next change or outbox flush sends a newer summary; nothing to retry here.
          console.warn("site hub update failed", String(err));
        }
      }
    } finally {
      this.inFlight = false;
    }
  }
}
