/**
 * Routing in the site hub. Every decision goes through one serialised queue of tasks: a
 * conversation needing an operator, a seat freed (resolve, transfer, erase, a cap raised, an
 * operator coming online), take, transfer, re-assignment of unanswered conversations. The input
 * gate does not protect across I/O (room RPCs, D1 roster reads), so a task re-reads the hub's
 * SQLite after every await, and a seat is reserved before its room is asked.
 *
 * Fair: a conversation that needs an operator joins the queue in arrival order (its visitor's
 * first message) and the queue is served from its head, so each free seat goes to the earliest
 * waiting conversation that operator can take, and a newcomer is assigned at once only when
 * nobody waiting could have that seat. A conversation takes no seat before its visitor writes.
 * Used by SiteHub.
 */
import type { ConversationSummary } from "../../protocol";
import { recentConversations } from "../db/conversations";
import type { RosterEntry } from "../db/operators";
import type { Env } from "../env";
import type { Assignment } from "./conversation-room";
import type { Dashboards } from "./dashboards";
import type { DurableTimers } from "./durable-timers";
import type { HubRoster } from "./hub-roster";
import { type HubStore, type Queued, RECENT_MS, SNAPSHOT_LIMIT } from "./hub-store";
import { type Candidate, estimateWaitSeconds, pickOperator } from "./routing";

export type RoutingTimer = "reassign" | "serve";

/** A room that did not answer an assignment (or a D1 read that failed) is tried again this much later. */
const SERVE_RETRY_MS = 5000;
/** Rooms told their queue place at once. */
const PARALLEL_ROOMS = 16;

type How = Omit<Assignment, "operator">;

export class HubRouting {
  private chain: Promise<unknown> = Promise.resolve();
  private publishPending = false;

  constructor(
    private readonly env: Env,
    private readonly ctx: DurableObjectState,
    private readonly store: HubStore,
    private readonly roster: HubRoster,
    private readonly dashboards: Dashboards,
    private readonly timers: Pick<DurableTimers<RoutingTimer>, "set" | "setIfEarlier">,
  ) {}

  // ---- entry points: each is one task in the queue ------------------------------------------

  /** A conversation's summary changed (already in the inbox): free, note or route as it needs. */
  conversationChanged(id: string): Promise<void> {
    return this.serial(() => this.followUp(id));
  }

  /** Something may have freed a seat (an operator online, a cap raised): serve the queue. */
  serveQueue(): Promise<void> {
    return this.serial(() => this.serve());
  }

  /** An operator picks a conversation (from the queue or anyone's); caps do not apply. */
  take(id: string, operatorId: string): Promise<ConversationSummary | null> {
    return this.serial(async () => {
      const to = (await this.roster.load()).find((r) => r.id === operatorId);
      if (!to || !this.store.summary(id)) return null;
      const before = this.store.held(id);
      const summary = await this.assign(id, to, {
        reason: "taken",
        by: { id: to.id, name: to.name },
        fromId: before?.operatorId ?? null,
        fromName: before ? (this.roster.entry(before.operatorId)?.name ?? null) : null,
      });
      if (before && before.operatorId !== to.id) await this.serve();
      return confirmed(summary);
    });
  }

  /**
   * Passes a conversation to an operator, or to a skill: it joins the queue behind those
   * already waiting and goes to the first free operator with the skill other than the one who
   * passed it on. The seat it leaves serves the queue. Null when it or the operator is unknown.
   */
  transfer(
    id: string,
    by: { operatorId: string; name: string },
    target: { operatorId: string } | { skill: string },
    note: string | null,
  ): Promise<ConversationSummary | null> {
    return this.serial(async () => {
      const siteId = this.store.siteId();
      const s = this.store.summary(id);
      if (!s || !siteId) return null;
      const roster = await this.roster.load();
      const fromId = this.store.held(id)?.operatorId ?? s.assigneeId ?? by.operatorId;
      const fromName = roster.find((r) => r.id === fromId)?.name ?? by.name;
      const handoff = { by: { id: by.operatorId, name: by.name }, fromId, fromName, note };
      if ("operatorId" in target) {
        const to = roster.find((r) => r.id === target.operatorId);
        if (!to) return null;
        const summary = await this.assign(id, to, { reason: "transferred", ...handoff });
        if (to.id !== fromId) await this.serve();
        return confirmed(summary);
      }
      this.store.unassign(id);
      this.store.dequeue(id);
      this.store.enqueue({ id, skill: target.skill, enqueuedAt: Date.now(), handoff });
      const room = this.env.CONVERSATION.getByName(id);
      // The hub's queue is what routing obeys; the room's assignee only shows it.
      await room.unassign(siteId, handoff.by).catch((err) => console.warn("unassign not confirmed", String(err)));
      await this.serve();
      this.publishQueue();
      return room.summary(siteId);
    });
  }

  /** Moves conversations whose assignee did not answer in time to a colleague (the timer's work). */
  reassignOverdue(): Promise<void> {
    return this.serial(async () => {
      const roster = await this.roster.load();
      const seconds = this.roster.reassignAfterSeconds;
      let freed = false;
      for (const id of this.store.overdue(Date.now() - seconds * 1000)) {
        const held = this.store.held(id); // read again: an earlier await may have changed it
        if (!held || held.answered) continue;
        const tried = [...new Set([...held.tried, held.operatorId])];
        const to = this.choose(roster, this.store.summary(id)?.skill ?? null, new Set(tried));
        if (!to) {
          // Nobody else is free: keep it, and look again after another period.
          this.store.restartClock(id, Date.now());
          continue;
        }
        const fromName = roster.find((r) => r.id === held.operatorId)?.name ?? null;
        await this.assign(id, to, { reason: "reassigned", fromId: held.operatorId, fromName, afterSeconds: seconds }, tried);
        freed = true;
      }
      if (freed) await this.serve();
      this.scheduleReassign();
    });
  }

  /** Conversations erased: their seats and queue places are given back. */
  forget(ids: readonly string[]): Promise<void> {
    return this.serial(async () => {
      let freed = false;
      let dequeued = false;
      for (const id of ids) {
        freed = this.store.unassign(id) || freed;
        dequeued = this.store.dequeue(id) !== null || dequeued;
      }
      if (freed) await this.serve();
      if (dequeued) this.publishQueue();
    });
  }

  /**
   * A new (or wiped) hub starts from D1's rows, so the inbox and routing survive losing this
   * object: seats for the conversations operators hold, the queue for those nobody does.
   */
  seedFromD1(siteId: string): Promise<void> {
    return this.serial(async () => {
      if (this.store.seeded()) return;
      const rows = await recentConversations(this.env.DB, siteId, Date.now() - RECENT_MS, SNAPSHOT_LIMIT);
      if (this.store.seeded()) return;
      for (const s of rows) {
        this.store.put(s, true);
        if (s.status === "resolved" || s.firstVisitorMessageAt === null || this.store.held(s.id) || this.store.isQueued(s.id)) continue;
        if (s.assigneeId) this.store.hold(s.id, s.assigneeId, s.updatedAt, true);
        else if (s.status === "open") this.store.enqueue({ id: s.id, skill: s.skill, enqueuedAt: s.firstVisitorMessageAt, handoff: null });
      }
      this.store.markSeeded(Date.now());
      await this.serve();
    });
  }

  /** The re-assignment window changed: look again now. */
  reassignWindowChanged(): void {
    if (this.store.oldestUnanswered() !== null) this.timers.set("reassign", Date.now());
  }

  // ---- decisions (inside a task) ------------------------------------------------------------

  /** After a conversation changed: free its seat, note an answer, or find it an operator. */
  private async followUp(id: string): Promise<void> {
    const s = this.store.summary(id);
    if (!s) return;
    const held = this.store.held(id);
    if (s.status === "resolved") {
      const freed = this.store.unassign(id);
      if (this.store.dequeue(id)) this.publishQueue();
      if (freed) await this.serve();
      return;
    }
    if (held && !held.answered && s.lastOperatorReplyAt !== null && s.lastOperatorReplyAt >= held.assignedAt) {
      this.store.markAnswered(id);
    }
    if (held || this.store.isQueued(id)) return;
    // No seat before the visitor has written: an empty chat window is nobody's work yet.
    if (s.firstVisitorMessageAt === null) return;
    if (s.assigneeId) {
      // Reopened by the visitor, or an invitation answered: on its operator's plate, waiting
      // for an answer (none is awaited when the last word is the operator's).
      this.store.hold(id, s.assigneeId, Date.now(), s.lastMessageRole === "operator");
      this.scheduleReassign();
      this.dashboards.broadcastPresence();
      return;
    }
    this.store.enqueue({ id, skill: s.skill, enqueuedAt: Math.min(Date.now(), s.firstVisitorMessageAt), handoff: null });
    this.publishQueue();
    await this.serve();
  }

  /** Gives free seats to waiting conversations, earliest first, until no seat fits anyone. */
  private async serve(): Promise<void> {
    let roster: RosterEntry[];
    try {
      roster = await this.roster.load();
    } catch (err) {
      // The queue is stored; the team could not be read (D1). Serving is tried again shortly,
      // since the summary that asked for it will not come again.
      console.warn("team not read; serving the queue again shortly", String(err));
      this.timers.set("serve", Date.now() + SERVE_RETRY_MS);
      return;
    }
    for (;;) {
      const next = this.nextServable(roster);
      if (!next) return;
      const { q, to } = next;
      const how: How = q.handoff ? { reason: "transferred", ...q.handoff } : { reason: "routed" };
      const summary = await this.assign(q.id, to, how);
      if (summary === undefined) return; // the room did not answer: the "serve" timer tries again
    }
  }

  /** The earliest queued conversation some free operator can take, and that operator. */
  private nextServable(roster: RosterEntry[]): { q: Queued; to: RosterEntry } | null {
    for (const q of this.store.queued()) {
      const to = this.choose(roster, q.skill, new Set(q.handoff?.fromId ? [q.handoff.fromId] : []));
      if (to) return { q, to };
    }
    return null;
  }

  /**
   * Reserves the seat, then asks the room. Returns the room's summary; null when the room
   * declines (erased, or resolved before this decision reached it: the seat is given back);
   * undefined when it did not answer (the reservation is undone and the conversation keeps its
   * place).
   */
  private async assign(id: string, to: RosterEntry, how: How, tried: string[] = []): Promise<ConversationSummary | null | undefined> {
    const siteId = this.store.siteId();
    if (!siteId) return null;
    const before = this.store.held(id);
    const queued = this.store.dequeue(id);
    const now = Date.now();
    this.store.hold(id, to.id, now, false, tried);
    this.store.setLastChosen(to.id);
    if (queued) this.publishQueue();
    let summary: ConversationSummary | null;
    try {
      summary = await this.env.CONVERSATION.getByName(id).assign(siteId, {
        ...how,
        operator: { id: to.id, name: to.name, avatarUrl: to.avatarUrl },
      });
    } catch (err) {
      console.warn("assignment not confirmed; the conversation keeps its place", { id, error: String(err) });
      this.store.unassign(id);
      if (before) this.store.hold(id, before.operatorId, before.assignedAt, before.answered, before.tried);
      if (queued) this.store.enqueue(queued);
      this.timers.set("serve", now + SERVE_RETRY_MS);
      return undefined;
    }
    if (!summary) this.store.unassign(id);
    else this.scheduleReassign();
    this.dashboards.broadcastPresence();
    return summary;
  }

  /** The operator routing would pick now, or null: online, under their cap, least loaded. */
  private choose(roster: RosterEntry[], wanted: string | null, exclude: ReadonlySet<string>): RosterEntry | null {
    const loads = this.store.loads();
    const online = this.dashboards.takingChats();
    // When nobody online has the skill, the visitor should not wait for someone who is not
    // there: route as if none was asked. Skilled operators who are online but busy are waited for.
    const skill = wanted && roster.some((r) => online.has(r.id) && r.skills.includes(wanted)) ? wanted : null;
    const candidates: Candidate[] = roster
      .filter((r) => online.has(r.id))
      .map((r) => ({ id: r.id, load: loads.get(r.id) ?? 0, maxChats: r.maxChats, skills: r.skills }));
    const id = pickOperator(candidates, { skill, lastChosen: this.store.lastChosen(), exclude });
    return roster.find((r) => r.id === id) ?? null;
  }

  private scheduleReassign(): void {
    const oldest = this.store.oldestUnanswered();
    if (oldest === null) return;
    this.timers.setIfEarlier("reassign", Math.max(Date.now() + 100, oldest + this.roster.reassignAfterSeconds * 1000));
  }

  /**
   * Tells every queued visitor their place and every dashboard the queue: one task after the
   * current one, however many changes asked for it.
   */
  private publishQueue(): void {
    if (this.publishPending) return;
    this.publishPending = true;
    this.ctx.waitUntil(
      this.serial(async () => {
        this.publishPending = false;
        const queued = this.store.queued();
        this.dashboards.broadcast({ type: "queue.state", conversationIds: queued.map((q) => q.id) });
        const siteId = this.store.siteId();
        if (!siteId) return;
        const online = Math.max(1, this.dashboards.online().length);
        for (let i = 0; i < queued.length; i += PARALLEL_ROOMS) {
          await Promise.all(
            queued.slice(i, i + PARALLEL_ROOMS).map((q, j) =>
              this.env.CONVERSATION.getByName(q.id)
                .setQueue(siteId, i + j + 1, estimateWaitSeconds(i + j + 1, online))
                .catch((err) => console.warn("queue update failed", String(err))),
            ),
          );
        }
      }),
    );
  }

  /** Runs `task` after every task before it; its result (or error) is the caller's alone. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.catch(() => {});
    return run;
  }
}

/** An operator's own action whose room did not answer is an error for them to retry. */
function confirmed(summary: ConversationSummary | null | undefined): ConversationSummary | null {
  if (summary === undefined) throw new Error("the conversation did not confirm the assignment");
  return summary;
}
