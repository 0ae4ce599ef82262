/**
 * The site's team as routing sees it (caps, skills, names, from D1) and the one setting routing
 * needs (how long an assignee may leave a visitor unanswered), kept in memory and read again
 * when the team or the settings change. Used by the site hub's parts.
 */
import { type RosterEntry, siteRoster } from "../db/operators";
import { getSiteSettings } from "../db/sites";
import type { Env } from "../env";

export class HubRoster {
  private entries: RosterEntry[] | null = null;
  private reassignSeconds = 60;
  private loading: Promise<void> | null = null;
  /** Bumped by `invalidate`, so a read that began before a change does not count as current. */
  private generation = 0;
  private settingsEpoch = 0;

  constructor(
    private readonly env: Env,
    private readonly siteId: () => string | null,
  ) {}

  /** The team, read from D1 when not known yet (several callers share one read). */
  async load(): Promise<RosterEntry[]> {
    const siteId = this.siteId();
    while (!this.entries && siteId) {
      this.loading ??= this.read(siteId).finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
    return this.entries ?? [];
  }

  /** The team as last read (empty before the first read): for answers that cannot wait. */
  known(): RosterEntry[] {
    return this.entries ?? [];
  }

  entry(operatorId: string): RosterEntry | null {
    return this.known().find((r) => r.id === operatorId) ?? null;
  }

  /** Seconds an unanswered assignment waits before it moves on (the site's setting). */
  get reassignAfterSeconds(): number {
    return this.reassignSeconds;
  }

  /** Caps, skills or the team changed: the next `load` reads them again. */
  invalidate(): void {
    this.entries = null;
    this.generation++;
  }

  /** The site's settings changed (the settings route tells the hub). */
  settingsChanged(reassignAfterSeconds: number): void {
    this.settingsEpoch++;
    this.reassignSeconds = reassignAfterSeconds;
  }

  private async read(siteId: string): Promise<void> {
    const generation = this.generation;
    const epoch = this.settingsEpoch;
    const [roster, settings] = await Promise.all([siteRoster(this.env.DB, siteId), getSiteSettings(this.env.DB, siteId)]);
    if (epoch === this.settingsEpoch) this.reassignSeconds = settings.reassignAfterSeconds;
    if (generation === this.generation) this.entries = roster;
  }
}
