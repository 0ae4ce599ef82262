// The fault test's shop: visitors arriving, each writing in their conversation; operators'
// dashboards online, each operator answering the conversations their dashboard shows as theirs
// and resolving them after a while, so seats free and the queue moves; a resolved conversation
// is replaced by a new visitor's. REST goes straight to wrangler (retried while it restarts),
// sockets through the fault proxy. Only the fault test imports it.
import type { ChatMessage, HistoryResponse, StartConversationResponse, VisitorSessionResponse } from "../../protocol";
import { Desk, type TeamMember } from "./desk";
import { Participant } from "./participant";
import type { HubObservation } from "./routing-invariants";

export interface Chat {
  id: string;
  /** When the test began creating it (before its first request). */
  startedAt: number;
  /** `ending`: nobody writes any more and the operator waits for every send to be stored. */
  state: "active" | "ending" | "ended";
  holdMs: number;
  visitor: Participant;
  /** The operator side: one participant per operator who held it, connected from then on. */
  operators: Map<string, Participant>;
  /** When each operator's dashboard first showed it as theirs. */
  heldSince: Map<string, number>;
}

export interface ShopOptions {
  /** Wrangler's own address, for REST. */
  api: string;
  /** The fault proxy's address, for every socket. */
  sockets: string;
  siteId: string;
  siteKey: string;
  password: string;
  team: TeamMember[];
  holdMs: readonly [number, number];
  sendEveryMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An answer that no retry can change (4xx): the test fails with it. */
class Refused extends Error {}

export class Shop {
  readonly chats = new Map<string, Chat>();
  readonly desks: Desk[] = [];
  /** Every routing frame every dashboard received, in the order received. */
  readonly log: HubObservation[] = [];
  /** 5xx answers seen (retried); expected only while the server restarts. */
  readonly serverErrors: string[] = [];
  /** Resolutions or arrivals that failed for good. */
  readonly failures: string[] = [];
  /** While on, visitors and operators write, operators resolve and new visitors arrive. */
  trafficOn = true;
  private readonly cookies = new Map<string, string>();
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private visitors = 0;

  constructor(private readonly o: ShopOptions) {}

  async signIn(): Promise<void> {
    await Promise.all(
      this.o.team.map(async (m) => {
        const { headers } = await this.request("POST", "/api/auth/login", { email: m.email, password: this.o.password });
        this.cookies.set(m.id, headers.get("set-cookie")!.split(";")[0]!);
      }),
    );
  }

  /** Every operator's dashboard, connected (and so online). */
  openDesks(): void {
    for (const m of this.o.team) {
      const desk = this.newDesk(m.id, m);
      this.desks.push(desk);
      desk.start();
    }
  }

  /** A dashboard of `m` that logs its frames under `name` (not started). */
  newDesk(name: string, m: TeamMember): Desk {
    const origin = this.o.sockets;
    return new Desk(
      name,
      m,
      `${origin.replace("http", "ws")}/ws/sites/${this.o.siteId}/inbox`,
      { cookie: this.cookie(m.id), origin },
      this.log,
    );
  }

  /** A new visitor starts a conversation and writes at once (a conversation asks for a seat by its first message). */
  async arrive(): Promise<void> {
    const startedAt = Date.now();
    const n = this.visitors++;
    const session = await this.json<VisitorSessionResponse>("POST", "/api/widget/session", { siteKey: this.o.siteKey });
    const { conversationId: id } = await this.json<StartConversationResponse>("POST", "/api/widget/conversations", {}, undefined, {
      authorization: `Bearer ${session.token}`,
    });
    const ws = this.o.sockets.replace("http", "ws");
    const token = encodeURIComponent(session.token);
    const visitor = new Participant(
      `v${n}`,
      "visitor",
      (after) => `${ws}/ws/visitor/conversations/${id}?token=${token}${after === null ? "" : `&after=${after}`}`,
      {},
    );
    const [lo, hi] = this.o.holdMs;
    const chat: Chat = {
      id,
      startedAt,
      state: "active",
      holdMs: lo + Math.random() * (hi - lo),
      visitor,
      operators: new Map(),
      heldSince: new Map(),
    };
    this.chats.set(id, chat);
    visitor.start();
    visitor.send();
    this.talk(visitor, () => chat.state === "active");
  }

  /**
   * One look at every dashboard: an operator joins (opens a socket to) each conversation newly
   * theirs, and resolves the ones held long enough.
   */
  tick(): void {
    const now = Date.now();
    for (const desk of this.desks) {
      for (const id of desk.mine()) {
        const chat = this.chats.get(id);
        if (chat?.state !== "active") continue;
        const op = desk.operator.id;
        if (!chat.operators.has(op)) this.answer(chat, desk);
        const since = chat.heldSince.get(op) ?? now;
        chat.heldSince.set(op, since);
        if (this.trafficOn && now - since >= chat.holdMs) this.track(this.resolve(chat, desk));
      }
    }
  }

  /** Sockets worth breaking: every dashboard and both sides of conversations not yet resolved. */
  targets(): (Participant | Desk)[] {
    const live = [...this.chats.values()].filter((c) => c.state !== "ended").flatMap((c) => [c.visitor, ...c.operators.values()]);
    return [...this.desks, ...live].filter((t) => t.port !== null);
  }

  get participants(): Participant[] {
    return [...this.chats.values()].flatMap((c) => [c.visitor, ...c.operators.values()]);
  }

  /** Ends the traffic: waits for every writer to stop and every resolution or arrival under way. */
  async stopTraffic(): Promise<void> {
    this.trafficOn = false;
    await Promise.all(this.loops);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  stop(): void {
    for (const p of this.participants) p.client.stop();
    for (const d of this.desks) d.stop();
  }

  /** The conversation's whole history as operators see it, oldest first. */
  async history(id: string): Promise<ChatMessage[]> {
    const all: ChatMessage[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await this.json<HistoryResponse>(
        "GET",
        `/api/sites/${this.o.siteId}/conversations/${id}/messages?limit=200${before ? `&before=${before}` : ""}`,
        undefined,
        this.o.team[0]!.id,
      );
      all.unshift(...page.messages);
      if (!page.hasMore || page.messages.length === 0) return all;
      before = page.messages[0]!.seq;
    }
  }

  /** A REST call as `operatorId` (or anonymous), its JSON answer. */
  async json<T>(method: string, path: string, body?: unknown, operatorId?: string, headers: Record<string, string> = {}): Promise<T> {
    const cookie: Record<string, string> = operatorId ? { cookie: this.cookie(operatorId) } : {};
    return JSON.parse((await this.request(method, path, body, { ...cookie, ...headers })).text) as T;
  }

  private answer(chat: Chat, desk: Desk): void {
    const op = desk.operator;
    const ws = this.o.sockets.replace("http", "ws");
    const p = new Participant(
      `${op.id}@${chat.visitor.name}`,
      "operator",
      (after) => `${ws}/ws/sites/${this.o.siteId}/conversations/${chat.id}${after === null ? "" : `?after=${after}`}`,
      { cookie: this.cookie(op.id), origin: this.o.sockets },
    );
    chat.operators.set(op.id, p);
    p.start();
    this.talk(p, () => chat.state === "active" && desk.mine().has(chat.id));
  }

  /** Everyone stops writing; once all they wrote is stored, the operator resolves it (so no visitor message reopens it). */
  private async resolve(chat: Chat, desk: Desk): Promise<void> {
    chat.state = "ending";
    const everyone = [chat.visitor, ...chat.operators.values()];
    const deadline = Date.now() + 30_000;
    while (everyone.some((p) => p.unacknowledged > 0)) {
      if (Date.now() > deadline) return; // stays held, never resolved; the drain reports what is stuck
      await sleep(100);
    }
    await this.json("POST", `/api/sites/${this.o.siteId}/conversations/${chat.id}/status`, { status: "resolved" }, desk.operator.id);
    chat.state = "ended";
    if (this.trafficOn) await this.arrive();
  }

  private talk(p: Participant, allowed: () => boolean): void {
    const every = this.o.sendEveryMs;
    this.loops.push(
      (async () => {
        await sleep(Math.random() * every);
        while (this.trafficOn) {
          if (allowed()) p.send();
          await sleep(every / 2 + Math.random() * every);
        }
      })(),
    );
  }

  private track(work: Promise<void>): void {
    const tracked: Promise<void> = work
      .catch((err: unknown) => {
        this.failures.push(String(err));
      })
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private cookie(operatorId: string): string {
    const c = this.cookies.get(operatorId);
    if (!c) throw new Error(`${operatorId} has not signed in`);
    return c;
  }

  /**
   * REST with the app's Origin. Connection failures (also mid-answer) and 5xx are retried for a
   * minute, as the server may be restarting (5xx are kept for the report); any other failure is
   * final. Every call the test makes is safe to repeat.
   */
  private async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const res = await fetch(this.o.api + path, {
          method,
          headers: { origin: this.o.api, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
          body: body === undefined ? null : JSON.stringify(body),
        });
        const text = await res.text();
        if (res.ok) return { headers: res.headers, text };
        if (res.status < 500) throw new Refused(`${method} ${path}: ${res.status} ${text}`);
        this.serverErrors.push(`${method} ${path}: ${res.status} ${text}`);
      } catch (err) {
        if (err instanceof Refused) throw err;
        // not listening, or the connection died mid-answer: restarting
      }
      if (Date.now() > deadline) throw new Error(`${method} ${path}: no answer within 60 s`);
      await sleep(250);
    }
  }
}
