// Helpers for routing tests: the hub's routing state read straight from its SQLite, waiting for
// an asynchronous outcome, dashboards for operators, and a visitor who has written (a
// conversation takes an operator's seat only then).
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { SiteHub } from "../../worker/do/site-hub";
import { mustOpen, startConversation, type TestSocket, visitorSession, visitorSocketPath } from "./helpers";

export interface HubState {
  assignments: { conversation_id: string; operator_id: string }[];
  queue: string[];
}

export const hubState = (siteId: string): Promise<HubState> =>
  runInDurableObject(env.SITE_HUB.getByName(siteId), (_: SiteHub, state) => ({
    assignments: state.storage.sql.exec("SELECT conversation_id, operator_id FROM assignments ORDER BY rowid").toArray() as {
      conversation_id: string;
      operator_id: string;
    }[],
    queue: state.storage.sql
      .exec("SELECT conversation_id FROM queue ORDER BY enqueued_at, rowid")
      .toArray()
      .map((r) => String(r.conversation_id)),
  }));

export const holderOf = (s: HubState, id: string) => s.assignments.find((a) => a.conversation_id === id)?.operator_id ?? null;

export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Opens a dashboard per cookie and waits for each one's snapshot. */
export async function dashboards(siteId: string, cookies: string[]): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (const cookie of cookies) {
    const s = await mustOpen(`/ws/sites/${siteId}/inbox`, { cookie });
    await s.next("inbox.snapshot");
    sockets.push(s);
  }
  return sockets;
}

export interface WritingVisitor {
  id: string;
  token: string;
  visitorId: string;
  socket: TestSocket;
}

/** A new visitor opens the chat (optionally with a topic) and writes their first message. */
export async function visitorWrites(siteKey: string, text = "Hello?", opts: { keepOpen?: boolean } = {}): Promise<WritingVisitor> {
  const visitor = await visitorSession(siteKey);
  const id = await startConversation(visitor.token);
  const socket = await mustOpen(visitorSocketPath(id, visitor.token));
  await socket.next("hello");
  socket.send({ type: "message.send", clientId: `first-${id}`, text });
  await socket.next("ack");
  if (!opts.keepOpen) socket.close();
  return { id, token: visitor.token, visitorId: visitor.visitorId, socket };
}

/**
 * Lets the hub's re-assignment come due now: its assignments and their timer move back by
 * `ms`, the object is evicted (its timer mirror is read again from SQLite), and the alarm runs.
 */
export async function reassignmentDue(siteId: string, ms = 120_000): Promise<void> {
  const hub = env.SITE_HUB.getByName(siteId);
  await runInDurableObject(hub, (_: SiteHub, state) => {
    state.storage.sql.exec("UPDATE assignments SET assigned_at = assigned_at - ?", ms);
    state.storage.sql.exec("UPDATE timers SET at = at - ? WHERE name = 'reassign'", ms);
  });
  await evictDurableObject(hub);
  await runDurableObjectAlarm(hub);
}

/**
 * Lets the objects' background work finish before the test runtime closes: a room's hub update
 * waits up to 200 ms, and the hub's queue updates follow it. A call still under way when a test
 * file's runtime closes fails inside the test pool (EnvironmentTeardownError), not in Gadka.
 */
export const settle = () => new Promise<void>((r) => setTimeout(r, 600));
