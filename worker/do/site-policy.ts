/**
 * What a conversation room knows of its site's privacy policy (today: whether operators may
 * preview visitors' drafts). The site hub pushes a change the moment it is saved
 * (`applyPolicy`); otherwise the setting is read from D1 in the background and kept a minute.
 * Until it is known the answer is no: privacy first. Used by ConversationRoom.
 */
import { getSiteSettings } from "../db/sites";
import type { Env } from "../env";

/** A backstop for a push that did not arrive (the hub was unreachable); pushes are immediate. */
const POLICY_TTL_MS = 60_000;

export interface Policy {
  typingPreview: boolean;
}

export class SitePolicy {
  private known: (Policy & { at: number }) | null = null;
  private loading = false;
  /** Bumped by every push, so a read that began before it cannot overwrite it with older data. */
  private epoch = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  typingPreview(siteId: string): boolean {
    const fresh = this.known && Date.now() - this.known.at < POLICY_TTL_MS;
    if (!fresh && !this.loading) this.refresh(siteId);
    return this.known?.typingPreview ?? false;
  }

  /** A change pushed by the site hub: it applies to the very next frame. */
  apply(p: Policy): void {
    this.epoch++;
    this.known = { typingPreview: p.typingPreview, at: Date.now() };
  }

  private refresh(siteId: string): void {
    this.loading = true;
    const epoch = this.epoch;
    this.ctx.waitUntil(
      getSiteSettings(this.env.DB, siteId)
        .then((s) => {
          if (epoch === this.epoch) this.known = { typingPreview: s.typingPreview, at: Date.now() };
        })
        .catch((err) => console.warn("site policy read failed", String(err)))
        .finally(() => {
          this.loading = false;
        }),
    );
  }
}
