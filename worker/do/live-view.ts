/**
 * The Live view inside the site hub: who is on the shop now (an entry per visitor until it
 * expires), whether each is chatting, and operators' pending invitations. Self-contained: its
 * inputs are beacon sightings and conversation summaries, its outputs frames and the next
 * expiry, so a later source of sightings (visitor shards) replaces only the inputs.
 * Its tables are created by the hub's schema (hub-store.ts). Used by SiteHub.
 */
import {
  type ConversationSummary,
  type HubServerFrame,
  INVITE_TTL_MS,
  LEAVE_GRACE_MS,
  LIVE_TIMEOUT_MS,
  type LiveVisitor,
} from "../../protocol";

/** At most this many entries go to a dashboard at once (the Live view's first frame). */
const LIVE_SNAPSHOT_LIMIT = 2000;

export class LiveView {
  constructor(
    private readonly sql: SqlStorage,
    private readonly deps: {
      broadcast(frame: HubServerFrame): void;
      /** The inbox's summary of a conversation, if the hub knows it. */
      conversation(id: string): ConversationSummary | null;
    },
  ) {}

  /**
   * A beacon saw a visitor: `visitor` is their entry when they are on a page (null otherwise).
   * Dashboards hear of it only when something they show changed, not on every ping. Returns the
   * entry's expiry (null: none) and whether an operator's invitation was waiting (it is cleared).
   */
  seen(visitorId: string, visitor: LiveVisitor | null, leaving: boolean, now: number): { expiresAt: number | null; invited: boolean } {
    let expiresAt: number | null = null;
    if (visitor) {
      const entry = this.withChat(visitor);
      const before = this.entry(entry.visitorId);
      expiresAt = leaving ? now + LEAVE_GRACE_MS : Math.max(now, entry.lastSeenAt) + LIVE_TIMEOUT_MS;
      this.sql.exec(
        "INSERT OR REPLACE INTO live (visitor_id, data, expires_at) VALUES (?, ?, ?)",
        entry.visitorId,
        JSON.stringify(entry),
        expiresAt,
      );
      if (!before || material(before) !== material(entry)) this.deps.broadcast({ type: "live.update", visitor: entry });
    }
    const invite = this.sql.exec("DELETE FROM invites WHERE visitor_id = ? RETURNING at", visitorId).toArray()[0];
    return { expiresAt, invited: invite !== undefined && Number(invite.at) > now - INVITE_TTL_MS };
  }

  /** An operator invited this visitor: their loader's next beacon answers `o: 1`. */
  invite(visitorId: string, now: number): void {
    this.sql.exec("INSERT OR REPLACE INTO invites (visitor_id, at) VALUES (?, ?)", visitorId, now);
  }

  /** Visitors erased or merged away leave the Live view. */
  forget(visitorIds: readonly string[]): void {
    for (const id of visitorIds) {
      this.sql.exec("DELETE FROM invites WHERE visitor_id = ?", id);
      if (this.sql.exec("DELETE FROM live WHERE visitor_id = ? RETURNING visitor_id", id).toArray().length) {
        this.deps.broadcast({ type: "live.gone", visitorId: id });
      }
    }
  }

  /** Everyone on the site now (dashboards get this on connect). */
  visitors(now: number): LiveVisitor[] {
    return this.sql
      .exec("SELECT data FROM live WHERE expires_at > ? ORDER BY expires_at DESC LIMIT ?", now, LIVE_SNAPSHOT_LIMIT)
      .toArray()
      .map((r) => JSON.parse(String(r.data)) as LiveVisitor);
  }

  /** The name a visitor gave, if the Live view knows it (the inbox shows it too). */
  nameOf(visitorId: string): string | null {
    return this.entry(visitorId)?.name ?? null;
  }

  /** A conversation changed: its visitor's entry may now be (or stop being) chatting. */
  conversationChanged(s: ConversationSummary): void {
    const entry = this.entry(s.visitorId);
    if (!entry) return;
    const next = this.withChat({ ...entry, conversationId: s.id });
    if (material(next) === material(entry)) return;
    this.sql.exec("UPDATE live SET data = ? WHERE visitor_id = ?", JSON.stringify(next), s.visitorId);
    this.deps.broadcast({ type: "live.update", visitor: next });
  }

  /** Drops visitors whose time is up (O(expired), by the expiry index); returns the next expiry. */
  expire(now: number): number | null {
    const gone = this.sql.exec("DELETE FROM live WHERE expires_at <= ? RETURNING visitor_id", now).toArray();
    for (const r of gone) this.deps.broadcast({ type: "live.gone", visitorId: String(r.visitor_id) });
    this.sql.exec("DELETE FROM invites WHERE at <= ?", now - INVITE_TTL_MS);
    return (this.sql.exec("SELECT MIN(expires_at) AS t FROM live").one().t as number | null) ?? null;
  }

  private entry(visitorId: string): LiveVisitor | null {
    const r = this.sql.exec("SELECT data FROM live WHERE visitor_id = ?", visitorId).toArray()[0];
    return r ? (JSON.parse(String(r.data)) as LiveVisitor) : null;
  }

  /** `chatting`: their conversation is open and has messages (an invitation's included). */
  private withChat(v: LiveVisitor): LiveVisitor {
    const summary = v.conversationId ? this.deps.conversation(v.conversationId) : null;
    return { ...v, chatting: summary !== null && summary.status === "open" && summary.messageCount > 0 };
  }
}

/** What a dashboard shows of an entry, without the heartbeat (a ping alone changes nothing visible). */
function material(v: LiveVisitor): string {
  const { lastSeenAt: _, ...rest } = v;
  return JSON.stringify(rest);
}
