/**
 * The conversation room's email timers (issue 11), on the room's durable timers:
 * - `followUp`: an operator replied while no visitor socket was open → after the site's
 *   followUpMinutes, ONE email with every reply the visitor has not seen (a visitor socket in
 *   the meantime cancels it; replies during the wait join the same email);
 * - `noAnswer`: a visitor message nobody answered within noAnswerMinutes, inside the hours →
 *   a `no_answer` notice everyone sees (once per wait); the conversation stays queued;
 * - `operatorAlert`: unanswered for operatorAlertMinutes → email to the assigned operator (or the
 *   team when unassigned) who chose alert emails and is not online (once per wait);
 * - `transcript`: resolved, and the site sends transcripts on resolve → one to the visitor.
 * Timers are set at the time the site's settings give (read from D1 as the event happens), so a
 * timer firing means its time has come; each handler checks again that its email is still due,
 * so a firing twice (retry, eviction) sends nothing twice. Marks live in the object's KV.
 * A no-answer timer is set only while the shop is open and someone is online (otherwise the
 * widget already says away or closed and asks for an email), an alert timer only when someone
 * on the team chose alert emails: a room nobody could answer does no work for nothing.
 */
import type { ChatMessage, NoticeEvent } from "../../protocol";
import { alertRecipients } from "../db/mail";
import { getSiteSettings } from "../db/sites";
import type { Env } from "../env";
import { isOpen } from "../hours/schedule";
import { sendFollowUpMail, sendOperatorAlerts, sendTranscriptMail } from "../services/mail";
import type { ConversationStore } from "./conversation-store";
import type { DurableTimers, TimerHandler } from "./durable-timers";

export type MailTimer = "followUp" | "noAnswer" | "operatorAlert" | "transcript";
export const MAIL_TIMERS: readonly MailTimer[] = ["followUp", "noAnswer", "operatorAlert", "transcript"];

/** A wait for an answer: the first unanswered visitor message of it. */
interface Wait {
  seq: number;
  since: number;
}

const KEYS = {
  /** The visitor has seen every message up to here (a visitor socket was open). */
  seen: "mail.seenSeq",
  /** The last operator text message (an answer ends a wait). */
  answered: "mail.answeredSeq",
  /** The newest reply a follow-up carried. */
  followed: "mail.followedSeq",
  /** The wait (its first seq) a no_answer notice / an operator alert was made for: one per wait. */
  noticed: "mail.noAnswerFor",
  alerted: "mail.alertFor",
} as const;

const MAX_FOLLOW_UP_REPLIES = 50;
const MAX_TRANSCRIPT_MESSAGES = 2000;

export interface RoomMailHost {
  ctx: DurableObjectState;
  env: Env;
  store(): ConversationStore;
  timers: DurableTimers<MailTimer>;
  visitorSockets(): number;
  /** Appends a notice to the history (kind `event`: everyone; `note`: operators) and tells sockets. */
  notice(event: NoticeEvent, kind: "event" | "note"): void;
}

export class RoomMail {
  /** Bumped by every clear: a timer whose settings were still being read when it was cleared is not set. */
  private readonly generation: Record<MailTimer, number> = { followUp: 0, noAnswer: 0, operatorAlert: 0, transcript: 0 };

  constructor(private readonly host: RoomMailHost) {}

  handlers(): Record<MailTimer, TimerHandler> {
    const retry = { firstMs: 30_000, maxMs: 30 * 60_000 };
    return {
      followUp: { run: () => this.followUp(), retry },
      noAnswer: { run: (p) => this.noAnswer(p as Wait) },
      operatorAlert: { run: (p) => this.operatorAlert(p as Wait), retry },
      transcript: { run: () => this.transcript(), retry },
    };
  }

  /** After a new (not duplicate) message was stored and broadcast. */
  onMessage(m: ChatMessage): void {
    if (m.kind !== "text") return;
    const now = m.createdAt;
    if (m.role === "operator") {
      this.put(KEYS.answered, m.seq);
      this.clear("noAnswer");
      this.clear("operatorAlert");
      if (this.host.visitorSockets() > 0) this.put(KEYS.seen, m.seq);
      else this.arm("followUp", (s) => now + s.followUpMinutes * 60_000, null);
    } else if (m.role === "visitor") {
      // The visitor saw everything before writing (or wrote by email, answering what they read).
      this.put(KEYS.seen, Math.max(this.get(KEYS.seen), m.seq - 1));
      const wait: Wait = { seq: m.seq, since: now };
      const siteId = this.host.store().info()!.siteId;
      this.arm(
        "noAnswer",
        async (s) => {
          if (!isOpen(s.businessHours, now)) return null;
          const online = await this.host.env.SITE_HUB.getByName(siteId).operatorsOnline();
          return online.some((o) => o.status === "online") ? now + s.noAnswerMinutes * 60_000 : null;
        },
        wait,
      );
      this.arm(
        "operatorAlert",
        async (s) => ((await alertRecipients(this.host.env.DB, siteId)).length > 0 ? now + s.operatorAlertMinutes * 60_000 : null),
        wait,
      );
    }
  }

  /**
   * The visitor left an email: replies they have not seen and no email could carry yet go now
   * (the follow-up's handler checks again that they are due and that no visitor socket is open).
   */
  onEmailLeft(): void {
    if (this.host.visitorSockets() > 0) return;
    this.arm("followUp", () => Date.now(), null);
  }

  /** A visitor socket opened: they see everything; no follow-up is needed. */
  onVisitorBack(lastSeq: number): void {
    this.put(KEYS.seen, lastSeq);
    this.clear("followUp");
  }

  /**
   * The status changed: put aside (pending, snoozed) or resolved, nobody is waiting for an
   * answer any more, so no notice and no alert; resolved also sends the transcript when the
   * shop wants one.
   */
  onStatus(status: "open" | "pending" | "snoozed" | "resolved"): void {
    if (status === "open") return;
    this.clear("noAnswer");
    this.clear("operatorAlert");
    if (status === "resolved") this.arm("transcript", (s) => (s.transcriptOnResolve ? Date.now() : null), null);
  }

  // ---- timers --------------------------------------------------------------------------------

  private async followUp(): Promise<void> {
    const info = this.host.store().info();
    if (!info || this.host.visitorSockets() > 0) return;
    const from = Math.max(this.get(KEYS.seen), this.get(KEYS.followed), info.visitorReadSeq);
    const replies = this.host
      .store()
      .after("visitor", from, 500)
      .filter((m) => m.kind === "text" && m.role === "operator")
      .slice(-MAX_FOLLOW_UP_REPLIES);
    if (replies.length === 0) return;
    const outcome = await sendFollowUpMail(this.host.env, ref(info), replies);
    // No email yet: the replies stay due, and an email left later sends them (onEmailLeft).
    if (outcome.status === "no_email") return;
    // Sent, or it cannot be (unsubscribed, a limit): these replies are done either way.
    this.put(KEYS.followed, replies[replies.length - 1]!.seq);
    if (outcome.status === "sent") this.host.notice({ type: "email_sent", kind: "follow_up", to: outcome.to }, "note");
  }

  private async noAnswer(wait: Wait): Promise<void> {
    const info = this.host.store().info();
    if (!info || !this.waiting(wait) || this.get(KEYS.noticed) > this.get(KEYS.answered) || info.status === "resolved") return;
    const settings = await getSiteSettings(this.host.env.DB, info.siteId);
    this.put(KEYS.noticed, wait.seq);
    // Outside the hours the widget already says "closed" and offers email.
    if (!isOpen(settings.businessHours, Date.now())) return;
    this.host.notice({ type: "no_answer", afterMinutes: settings.noAnswerMinutes }, "event");
  }

  private async operatorAlert(wait: Wait): Promise<void> {
    const info = this.host.store().info();
    if (!info || !this.waiting(wait) || this.get(KEYS.alerted) > this.get(KEYS.answered) || info.status === "resolved") return;
    const online = await this.host.env.SITE_HUB.getByName(info.siteId).operatorsOnline();
    const messages = this.host
      .store()
      .after("operator", this.get(KEYS.answered), 200)
      .filter((m) => m.kind === "text" && m.role === "visitor");
    const outcomes = await sendOperatorAlerts(
      this.host.env,
      { ...ref(info), assigneeId: info.assigneeId, waitingSince: wait.since },
      messages,
      new Set(online.filter((o) => o.status === "online").map((o) => o.id)),
    );
    this.put(KEYS.alerted, wait.seq);
    for (const o of outcomes) if (o.status === "sent") this.host.notice({ type: "email_sent", kind: "operator_alert", to: o.to }, "note");
  }

  private async transcript(): Promise<void> {
    const info = this.host.store().info();
    if (!info) return;
    const settings = await getSiteSettings(this.host.env.DB, info.siteId);
    if (!settings.transcriptOnResolve) return;
    const outcome = await this.sendTranscript();
    // The transcript carries every reply: a follow-up still waiting would repeat them.
    if (outcome?.status === "sent") {
      this.put(KEYS.followed, info.lastSeq);
      this.clear("followUp");
    }
  }

  /** The visible conversation to the visitor's email (an operator's or the visitor's request, or on resolve). */
  async sendTranscript(): Promise<Awaited<ReturnType<typeof sendTranscriptMail>> | null> {
    const info = this.host.store().info();
    if (!info) return null;
    const messages = this.host.store().after("visitor", 0, MAX_TRANSCRIPT_MESSAGES);
    const outcome = await sendTranscriptMail(this.host.env, ref(info), messages, info.createdAt);
    if (outcome.status === "sent") this.host.notice({ type: "email_sent", kind: "transcript", to: outcome.to }, "note");
    return outcome;
  }

  // ---- internals -----------------------------------------------------------------------------

  /** No operator answered since the wait began. */
  private waiting(wait: Wait): boolean {
    return this.get(KEYS.answered) < wait.seq;
  }

  /**
   * Sets `name` for the time the site's settings give (null: not at all), unless it is already
   * due earlier: several replies during one wait make one email, sent when the first one's
   * delay is over.
   */
  private arm(
    name: MailTimer,
    at: (s: Awaited<ReturnType<typeof getSiteSettings>>) => number | null | Promise<number | null>,
    payload: unknown,
  ): void {
    const info = this.host.store().info();
    if (!info) return;
    // Already due (earlier, for this wait or these replies): nothing to read or write.
    if (name !== "transcript" && this.host.timers.get(name) !== null) return;
    const generation = this.generation[name];
    this.host.ctx.waitUntil(
      getSiteSettings(this.host.env.DB, info.siteId)
        .then(async (s) => {
          const when = await at(s);
          if (when === null || generation !== this.generation[name] || !this.host.store().initialized) return;
          this.host.timers.setIfEarlier(name, when, payload);
        })
        .catch((err) => console.error("mail timer not set", { name, error: String(err) })),
    );
  }

  private clear(name: MailTimer): void {
    this.generation[name]++;
    this.host.timers.clear(name);
  }

  private get(key: string): number {
    return this.host.ctx.storage.kv.get<number>(key) ?? 0;
  }

  private put(key: string, value: number): void {
    this.host.ctx.storage.kv.put(key, value);
  }
}

function ref(info: { siteId: string; id: string; visitorId: string }) {
  return { siteId: info.siteId, conversationId: info.id, visitorId: info.visitorId };
}
