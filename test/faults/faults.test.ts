// Zero loss under faults: 20+ conversations with a visitor and an operator each, both sending
// concurrently, while client sockets are killed at random and `wrangler dev` is restarted twice.
// Afterwards every acknowledged message exists exactly once, everyone saw the same order, and
// every send was acknowledged. Prints sent / acknowledged / stored / duplicated / missing /
// reordered.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ChatMessage, HistoryResponse } from "../../protocol";
import { prepareDatabase, type RunningServer, root, startWrangler } from "../../scripts/lib/dev-server.mjs";
import { DEMO } from "../../scripts/lib/seed.mjs";
import { Participant } from "./participant";

const LONG = process.env.FAULTS_LONG === "1";
const PORT = Number(process.env.FAULTS_PORT ?? 8792);
const CONVERSATIONS = LONG ? 40 : 20;
const TRAFFIC_MS = LONG ? 300_000 : 60_000;
const SEND_EVERY_MS = 1200; // per participant, jittered
const DROP_EVERY_MS = 400; // one random socket killed this often
const base = `http://127.0.0.1:${PORT}`;
const persistTo = join(root, ".wrangler/faults-state");
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function post<T>(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ json: T; res: Response }> {
  const res = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base, ...headers },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return { json: (await res.json()) as T, res };
}

async function signIn(email: string): Promise<string> {
  const { res } = await post("/api/auth/login", { email, password: DEMO.password });
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

async function storedMessages(id: string, cookie: string): Promise<ChatMessage[]> {
  const all: ChatMessage[] = [];
  let before: number | undefined;
  for (;;) {
    const r = await fetch(`${base}/api/sites/${DEMO.siteId}/conversations/${id}/messages?limit=200${before ? `&before=${before}` : ""}`, {
      headers: { cookie },
    });
    if (!r.ok) throw new Error(`history of ${id}: ${r.status} ${await r.text()}`);
    const page = (await r.json()) as HistoryResponse;
    all.unshift(...page.messages);
    if (!page.hasMore || page.messages.length === 0) return all;
    before = page.messages[0]!.seq;
  }
}

describe("faults", () => {
  it("loses, duplicates and reorders nothing while sockets drop and the server restarts twice", async () => {
    rmSync(persistTo, { recursive: true, force: true });
    await prepareDatabase(persistTo);
    server = await startWrangler({ port: PORT, persistTo });
    const cookies = [await signIn(DEMO.anna.email), await signIn(DEMO.piotr.email)];

    const conversations: { id: string; visitor: Participant; operator: Participant }[] = [];
    for (let i = 0; i < CONVERSATIONS; i++) {
      const { json: session } = await post<{ token: string }>("/api/widget/session", { siteKey: DEMO.siteKey });
      const { json: started } = await post<{ conversationId: string }>(
        "/api/widget/conversations",
        {},
        { authorization: `Bearer ${session.token}` },
      );
      const id = started.conversationId;
      const ws = base.replace("http", "ws");
      const visitor = new Participant(
        `v${i}`,
        (after) =>
          `${ws}/ws/visitor/conversations/${id}?token=${encodeURIComponent(session.token)}${after === null ? "" : `&after=${after}`}`,
        {},
      );
      const cookie = cookies[i % 2]!;
      const operator = new Participant(
        `o${i}`,
        (after) => `${ws}/ws/sites/${DEMO.siteId}/conversations/${id}${after === null ? "" : `?after=${after}`}`,
        { cookie, origin: base },
      );
      conversations.push({ id, visitor, operator });
    }
    const everyone = conversations.flatMap((c) => [c.visitor, c.operator]);
    for (const p of everyone) p.start();

    // Traffic, random socket kills, and two restarts of the whole server.
    const started = Date.now();
    const restarts = [TRAFFIC_MS / 3, (2 * TRAFFIC_MS) / 3];
    let dropped = 0;
    const traffic = everyone.map(async (p) => {
      await sleep(Math.random() * SEND_EVERY_MS);
      while (Date.now() - started < TRAFFIC_MS) {
        p.send();
        await sleep(SEND_EVERY_MS / 2 + Math.random() * SEND_EVERY_MS);
      }
    });
    const chaos = (async () => {
      while (Date.now() - started < TRAFFIC_MS) {
        await sleep(DROP_EVERY_MS);
        everyone[Math.floor(Math.random() * everyone.length)]!.client.dropConnection();
        dropped++;
        if (restarts.length && Date.now() - started > restarts[0]!) {
          restarts.shift();
          await server!.stop();
          server = await startWrangler({ port: PORT, persistTo });
        }
      }
    })();
    await Promise.all([...traffic, chaos]);

    // Let every outbox drain.
    const drainDeadline = Date.now() + 90_000;
    while (everyone.some((p) => p.unacknowledged > 0) && Date.now() < drainDeadline) await sleep(250);
    const stuck = everyone.filter((p) => p.unacknowledged > 0);
    if (stuck.length) {
      console.log(
        `still unacknowledged after 90 s: ${stuck.map((p) => `${p.name}=${p.unacknowledged} (${p.client.connectionState})`).join(", ")}`,
      );
      console.log(`wrangler dev's last output:\n${server!.output().slice(-3000)}`);
    }
    await sleep(1000); // last broadcasts
    for (const p of everyone) p.client.stop();

    let sent = 0;
    let acknowledged = 0;
    let stored = 0;
    let duplicated = 0;
    let missing = 0;
    let reordered = 0;
    let unacknowledged = 0;
    for (const c of conversations) {
      const messages = await storedMessages(c.id, cookies[0]!);
      stored += messages.length;
      const bySeq = new Map(messages.map((m) => [m.seq, m.clientId]));
      const count = new Map<string, number>();
      for (const m of messages) count.set(m.clientId, (count.get(m.clientId) ?? 0) + 1);
      duplicated += [...count.values()].filter((n) => n > 1).reduce((a, n) => a + n - 1, 0);
      for (const p of [c.visitor, c.operator]) {
        sent += p.sent.length;
        acknowledged += p.acked.size;
        unacknowledged += p.sent.filter((id) => !p.acked.has(id)).length;
        for (const [clientId, seq] of p.acked) if (bySeq.get(seq) !== clientId) missing++;
        // Same order for everyone: each seq this participant saw holds the stored message, and
        // it saw every stored message from its first one on (no gaps after resumes).
        for (const [seq, clientId] of p.seen) if (bySeq.get(seq) !== clientId) reordered++;
        for (const m of messages) if (p.firstSeq !== null && m.seq >= p.firstSeq && !p.seen.has(m.seq)) missing++;
        // A participant's own messages are stored in the order it wrote them.
        const own = p.sent.map((id) => p.acked.get(id)).filter((s): s is number => s !== undefined);
        for (let i = 1; i < own.length; i++) if (own[i]! <= own[i - 1]!) reordered++;
      }
    }

    console.log(
      [
        `fault run: ${CONVERSATIONS} conversations, ${everyone.length} participants, ${Math.round(TRAFFIC_MS / 1000)} s of traffic,`,
        `${dropped} sockets killed, 2 server restarts`,
        `sent ${sent} | acknowledged ${acknowledged} | stored ${stored} | duplicated ${duplicated} | missing ${missing} | reordered ${reordered} | unacknowledged ${unacknowledged}`,
      ].join("\n"),
    );
    expect(sent).toBeGreaterThan(CONVERSATIONS * 20);
    expect({ duplicated, missing, reordered, unacknowledged }).toEqual({ duplicated: 0, missing: 0, reordered: 0, unacknowledged: 0 });
    expect(acknowledged).toBe(sent);
    expect(stored).toBe(sent);
  });
});
