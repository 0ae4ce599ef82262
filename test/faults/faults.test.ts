// The fault test: a shop at work while its network and its server fail. ACTIVE conversations at
// a time, each with a visitor and (once routed) its operator writing; operators' dashboards
// online, answering and resolving, so the queue moves; meanwhile sockets are closed politely,
// reset without a close handshake or stalled mid-frame (a TCP proxy between the clients and
// wrangler), and `wrangler dev` is restarted gracefully and SIGKILLed. Afterwards nothing is lost,
// duplicated, reordered or left unacknowledged (message-invariants.ts), and routing held its
// invariants (routing-invariants.ts). `npm run test:faults`; FAULTS_LONG=1 for the long run.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type {
  ConversationDetailResponse,
  ConversationListResponse,
  ConversationSummary,
  InboxSnapshotFrame,
  QueueStateFrame,
} from "../../protocol";
import { ensureDevVars, prepareDatabase, type RunningServer, root, startWrangler } from "../../scripts/lib/dev-server.mjs";
import { DEMO } from "../../scripts/lib/seed.mjs";
import type { Desk, TeamMember } from "./desk";
import { FaultProxy } from "./fault-proxy";
import { countMessages, emptyCounts } from "./message-invariants";
import type { Participant } from "./participant";
import { checkRouting, type RoutedConversation, type RoutingInput, type RoutingReport } from "./routing-invariants";
import { Shop } from "./shop";

const LONG = process.env.FAULTS_LONG === "1";
const PORT = Number(process.env.FAULTS_PORT ?? 8792);
/** Conversations going on at once; each one resolved is replaced by a new visitor's. */
const ACTIVE = LONG ? 40 : 20;
const TRAFFIC_MS = LONG ? 300_000 : 60_000;
const SEND_EVERY_MS = 1200; // per participant, jittered
const BREAK_EVERY_MS = 400; // one random socket broken this often
/** An operator resolves a conversation after holding it this long (uniform). */
const HOLD_MS = [4000, 10_000] as const;
/** Restarts, spread evenly over the traffic; each kind at least once. */
const RESTARTS: ("graceful" | "sigkill")[] = LONG ? ["graceful", "sigkill", "graceful", "sigkill", "sigkill"] : ["graceful", "sigkill"];
/** Fewer seats than conversations, so a queue forms: 10 seats for 20 (16 for 40 in the long run). */
const TEAM: TeamMember[] = [
  { ...DEMO.anna, cap: 3 },
  { ...DEMO.piotr, cap: 2 },
  { id: "op_fault_ola", name: "Ola Wiśniewska", email: "ola@faults.test", cap: 3 },
  { id: "op_fault_jan", name: "Jan Zieliński", email: "jan@faults.test", cap: 2 },
  ...(LONG
    ? [
        { id: "op_fault_ewa", name: "Ewa Lis", email: "ewa@faults.test", cap: 4 },
        { id: "op_fault_tomek", name: "Tomek Wróbel", email: "tomek@faults.test", cap: 2 },
      ]
    : []),
];
const base = `http://127.0.0.1:${PORT}`;
const persistTo = join(root, ".wrangler/faults-state");
let server: RunningServer | undefined;
let proxy: FaultProxy | undefined;

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string | number) => `'${String(s).replaceAll("'", "''")}'`;

/** The team in the test's database: the demo password for all, caps as above, skills off (first come, first served). */
function teamSql(): string {
  const lines = TEAM.flatMap((m) => [
    `INSERT INTO operators (id, email, name, avatar_url, password_hash, created_at)
       SELECT ${q(m.id)}, ${q(m.email)}, ${q(m.name)}, NULL, password_hash, 0 FROM operators WHERE id = ${q(DEMO.anna.id)}
       ON CONFLICT DO NOTHING;`,
    `INSERT INTO memberships (site_id, operator_id, role, created_at) VALUES (${q(DEMO.siteId)}, ${q(m.id)}, 'agent', 0) ON CONFLICT DO NOTHING;`,
    `UPDATE memberships SET max_chats = ${m.cap}, skills = '[]' WHERE site_id = ${q(DEMO.siteId)} AND operator_id = ${q(m.id)};`,
  ]);
  return `${lines.join("\n")}\n`;
}

describe("faults", () => {
  it("loses, duplicates and reorders nothing and routes fairly while sockets break and the server restarts or dies", async () => {
    const phases = [Date.now()];
    ensureDevVars();
    rmSync(persistTo, { recursive: true, force: true });
    await prepareDatabase(persistTo, { extraSql: teamSql() });
    server = await startWrangler({ port: PORT, persistTo });
    proxy = await FaultProxy.listen(PORT);
    phases.push(Date.now());
    const shop = new Shop({
      api: base,
      sockets: `http://127.0.0.1:${proxy.port}`,
      siteId: DEMO.siteId,
      siteKey: DEMO.siteKey,
      password: DEMO.password,
      team: TEAM,
      holdMs: HOLD_MS,
      sendEveryMs: SEND_EVERY_MS,
    });
    await shop.signIn();
    shop.openDesks();
    await until(() => shop.desks.every((d) => d.connection > 0), 20_000, "every dashboard connected");
    await Promise.all(Array.from({ length: ACTIVE }, () => shop.arrive()));
    phases.push(Date.now());

    const faults = await breakThingsWhileTrafficRuns(shop);
    phases.push(Date.now());

    // Every outbox drains, then routing settles (no routing frame for 3 s).
    const drained = await until(() => shop.participants.every((p) => p.unacknowledged === 0), 90_000);
    if (!drained) {
      const stuck = shop.participants.filter((p) => p.unacknowledged > 0);
      console.log(
        `still unacknowledged after 90 s: ${stuck.map((p) => `${p.name}=${p.unacknowledged} (${p.client.connectionState})`).join(", ")}`,
      );
      console.log(`wrangler dev's last output:\n${server.output().slice(-3000)}`);
    }
    await until(() => Date.now() - (shop.log[shop.log.length - 1]?.at ?? 0) > 3000, 20_000);
    const audit = await auditHub(shop);
    phases.push(Date.now());
    await sleep(1000); // last broadcasts to the participants
    shop.stop();

    const finalRows = await settledConversations(shop);
    const messageCounts = emptyCounts();
    const conversations = [];
    const unlisted: string[] = [];
    for (const chat of shop.chats.values()) {
      const messages = await shop.history(chat.id);
      countMessages(messageCounts, messages, [chat.visitor, ...chat.operators.values()]);
      let final = finalRows.get(chat.id);
      if (!final) {
        // Not in the list: judge it by its room's own summary, and fail the run for the list.
        unlisted.push(chat.id);
        final = (
          await shop.json<ConversationDetailResponse>("GET", `/api/sites/${DEMO.siteId}/conversations/${chat.id}`, undefined, TEAM[0]!.id)
        ).conversation;
      }
      conversations.push({ id: chat.id, startedAt: chat.startedAt, messages, final });
    }
    const routing = checkRouting({ operators: TEAM, observations: shop.log, conversations, audit });
    if (Object.values(routing.violations).some((list) => list.length > 0)) writeEvidence(routing, shop, conversations, audit);

    phases.push(Date.now());
    const took = ["server", "team and visitors", "traffic", "drain", "checks"].map(
      (name, i) => `${name} ${Math.round((phases[i + 1]! - phases[i]!) / 1000)} s`,
    );
    const m = messageCounts;
    const v = routing.violations;
    const resolved = [...shop.chats.values()].filter((c) => c.state === "ended").length;
    const queues = shop.log.flatMap((o) => (o.frame.type === "queue.state" ? [o.frame.conversationIds] : []));
    const joined = new Set(conversations.filter((c) => c.messages.some((x) => x.event?.type === "joined")).map((c) => c.id));
    const servedFromQueue = [...new Set(queues.flat())].filter((id) => joined.has(id)).length;
    const { broken, restarts, downtime } = faults;
    console.log(
      [
        `fault run: ${ACTIVE} conversations at a time, ${shop.chats.size} in all (${resolved} resolved), ${shop.participants.length} participants, ` +
          `${TEAM.length} operators (${TEAM.reduce((a, t) => a + t.cap, 0)} seats), ${Math.round(TRAFFIC_MS / 1000)} s of traffic`,
        `messages: sent ${m.sent} | acknowledged ${m.acknowledged} | stored ${m.stored} | duplicated ${m.duplicated} | missing ${m.missing} | reordered ${m.reordered} | unacknowledged ${m.unacknowledged}`,
        `faults: sockets killed politely ${broken.polite} | reset ${broken.reset} | stalled ${broken.stalled} ` +
          `(cut mid-frame ${proxy.counts.cutMidFrame}; resumed ${proxy.counts.resumed}, reset ${proxy.counts.stallsReset}) | ` +
          `restarts graceful ${restarts.graceful} | SIGKILL ${restarts.sigkill} (down ${downtime.join(", ")}) | 5xx answers ${shop.serverErrors.length}`,
        `routing: assignments ${routing.assignments} (hand-overs ${routing.handOvers}) | ` +
          `longest queue ${Math.max(0, ...queues.map((list) => list.length))}, ${servedFromQueue} served from it | ` +
          `max concurrent per operator vs cap: ${peaks(routing)} | holder violations ${v.holder.length} | cap violations ${v.cap.length} | ` +
          `queue order violations ${v.queue.length} | end state violations ${v.final.length} | seated before writing ${v.early.length}`,
        `took: ${took.join(", ")}`,
        ...Object.entries(v).flatMap(([kind, list]) => list.slice(0, 8).map((s) => `  ${kind}: ${s}`)),
        ...shop.serverErrors.slice(0, 5).map((s) => `  5xx: ${s}`),
        ...(unlisted.length ? [`  missing from the conversation list: ${unlisted.join(", ")}`] : []),
      ].join("\n"),
    );

    expect(shop.failures).toEqual([]);
    // The run did what it claims: traffic, every kind of fault, a queue that formed and moved.
    expect(m.sent).toBeGreaterThan(ACTIVE * 10);
    expect(broken.polite * broken.reset * broken.stalled * proxy.counts.cutMidFrame).toBeGreaterThan(0);
    expect(restarts).toEqual({
      graceful: RESTARTS.filter((k) => k === "graceful").length,
      sigkill: RESTARTS.filter((k) => k === "sigkill").length,
    });
    expect(resolved).toBeGreaterThan(0);
    expect(servedFromQueue).toBeGreaterThan(0);
    expect.soft({ duplicated: m.duplicated, missing: m.missing, reordered: m.reordered, unacknowledged: m.unacknowledged }).toEqual({
      duplicated: 0,
      missing: 0,
      reordered: 0,
      unacknowledged: 0,
    });
    expect.soft(m.acknowledged).toBe(m.sent);
    expect.soft(m.stored).toBe(m.sent);
    expect.soft(v).toEqual({ holder: [], cap: [], queue: [], final: [], early: [] });
    expect.soft(unlisted).toEqual([]);
  });
});

/** Polls `ok` every 100 ms; false when `ms` ran out (or throws with `what`, if given). */
async function until(ok: () => boolean, ms: number, what?: string): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) {
      if (what) throw new Error(`timed out waiting until ${what}`);
      return false;
    }
    await sleep(100);
  }
  return true;
}

/**
 * The traffic window: one socket broken every BREAK_EVERY_MS (in turn polite, reset, stalled) among
 * the dashboards and conversations under way, the restarts at their times, and every dashboard
 * looked at four times a second (operators answer and resolve). Returns what was done.
 */
async function breakThingsWhileTrafficRuns(shop: Shop) {
  const started = Date.now();
  const restartAt = RESTARTS.map((kind, i) => ({ kind, at: ((i + 1) * TRAFFIC_MS) / (RESTARTS.length + 1) }));
  const broken = { polite: 0, reset: 0, stalled: 0 };
  const restarts = { graceful: 0, sigkill: 0 };
  const downtime: string[] = [];
  const desks = (async () => {
    while (shop.trafficOn) {
      shop.tick();
      await sleep(250);
    }
  })();
  for (let turn = 0; Date.now() - started < TRAFFIC_MS; turn++) {
    await sleep(BREAK_EVERY_MS);
    const targets = shop.targets();
    const target = targets[Math.floor(Math.random() * targets.length)];
    const kind = (["polite", "reset", "stalled"] as const)[turn % 3]!;
    if (target && breakSocket(target, kind)) broken[kind]++;
    const next = restartAt[0];
    if (next && Date.now() - started > next.at) {
      restartAt.shift();
      const down = Date.now();
      await (next.kind === "graceful" ? server!.stop() : server!.kill());
      restarts[next.kind]++;
      server = await startWrangler({ port: PORT, persistTo });
      downtime.push(`${Math.round((Date.now() - down) / 1000)} s`);
    }
  }
  await shop.stopTraffic();
  await desks;
  return { broken, restarts, downtime };
}

function breakSocket(target: Participant | Desk, kind: "polite" | "reset" | "stalled"): boolean {
  if (kind === "polite") return target.drop();
  if (kind === "reset") return proxy!.reset(target.port);
  return proxy!.stall(target.port, 1000 + Math.random() * 7000, Math.random() < 0.5 ? "resume" : "reset");
}

/** A fresh dashboard's snapshot and the queue sent right after it: the hub's own view, at one moment. */
async function auditHub(shop: Shop): Promise<RoutingInput["audit"]> {
  const desk = shop.newDesk("audit", TEAM[0]!);
  desk.start();
  await until(
    () => shop.log.some((o) => o.desk === "audit" && o.frame.type === "queue.state"),
    20_000,
    "the audit dashboard got the queue",
  );
  desk.stop();
  const mine = shop.log.filter((o) => o.desk === "audit");
  const snapshot = mine.find((o) => o.frame.type === "inbox.snapshot")!.frame as InboxSnapshotFrame;
  const queue = mine.find((o) => o.frame.type === "queue.state")!.frame as QueueStateFrame;
  return { conversations: snapshot.conversations, operatorsOnline: snapshot.operatorsOnline, queue: queue.conversationIds };
}

/** The conversation list (D1), read until two reads 1.5 s apart agree (every outbox flushed). */
async function settledConversations(shop: Shop): Promise<Map<string, ConversationSummary>> {
  let previous = "";
  for (let i = 0; ; i++) {
    const rows = new Map<string, ConversationSummary>();
    let before: string | null = null;
    do {
      const page: ConversationListResponse = await shop.json(
        "GET",
        `/api/sites/${DEMO.siteId}/conversations?status=all&limit=100${before ? `&before=${encodeURIComponent(before)}` : ""}`,
        undefined,
        TEAM[0]!.id,
      );
      for (const c of page.conversations) rows.set(c.id, c);
      before = page.nextBefore;
    } while (before !== null);
    const signature = [...rows.values()]
      .map((c) => `${c.id}:${c.rev}`)
      .sort()
      .join();
    if (signature === previous || i === 10) return rows;
    previous = signature;
    await sleep(1500);
  }
}

/** "op_anna 3/3": most held at once (the rooms' record) against the cap; the hub's own count if it differs. */
function peaks(r: RoutingReport): string {
  return r.peaks.map((p) => `${p.operatorId} ${p.held}/${p.cap}${p.load === p.held ? "" : ` (hub ${p.load})`}`).join(", ");
}

/** What a routing violation is judged from, for a person to read: test-results/faults-routing.json. */
function writeEvidence(report: RoutingReport, shop: Shop, conversations: RoutedConversation[], audit: RoutingInput["audit"]): void {
  const brief = (c: ConversationSummary) => ({ id: c.id, rev: c.rev, assigneeId: c.assigneeId, status: c.status, lastSeq: c.lastSeq });
  const observations = shop.log.map(({ frame, ...o }) => ({
    ...o,
    type: frame.type,
    ...(frame.type === "inbox.snapshot" ? { conversations: frame.conversations.map(brief), operatorsOnline: frame.operatorsOnline } : {}),
    ...(frame.type === "inbox.update" ? { conversation: brief(frame.conversation) } : {}),
    ...(frame.type === "queue.state" ? { queue: frame.conversationIds } : {}),
    ...(frame.type === "presence" ? { operatorsOnline: frame.operatorsOnline } : {}),
  }));
  const histories = conversations.map((c) => ({
    id: c.id,
    startedAt: c.startedAt,
    final: brief(c.final),
    messages: c.messages.map((m) => ({ seq: m.seq, at: m.createdAt, role: m.role, kind: m.kind, ...(m.event ? { event: m.event } : {}) })),
  }));
  mkdirSync(join(root, "test-results"), { recursive: true });
  writeFileSync(
    join(root, "test-results/faults-routing.json"),
    JSON.stringify({ violations: report.violations, audit, histories, observations }),
  );
}
