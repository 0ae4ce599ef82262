// Test helpers for the Workers pool: seed sites and operators straight into D1, call the Worker
// through its real fetch handler, and drive real WebSockets with a frame inbox.
import { env, exports } from "cloudflare:workers";
import type { ConversationServerFrame, HubServerFrame, MemberRole, VisitorSessionResponse } from "../../protocol";
import { hashPassword } from "../../worker/lib/crypto";

export const ORIGIN = "https://gadka.test";
export const PASSWORD = "correct horse battery";

export interface SeedOperator {
  id: string;
  email: string;
  name: string;
  role: MemberRole;
}

/** Inserts a site and its operators (all with PASSWORD). */
/** Visitor shards of every seeded site in this run (1, or 4 with VISITOR_SHARDS=4). */
export function testShards(): number {
  return Number(env.TEST_VISITOR_SHARDS || "1");
}

export async function seedSite(
  site: { id: string; key: string; name?: string; shards?: number },
  operators: SeedOperator[],
): Promise<void> {
  const now = Date.now();
  const hash = await hashPassword(PASSWORD);
  await env.DB.batch([
    env.DB.prepare("INSERT INTO sites (id, name, public_key, created_at, visitor_shards) VALUES (?, ?, ?, ?, ?)").bind(
      site.id,
      site.name ?? site.id,
      site.key,
      now,
      site.shards ?? testShards(),
    ),
    ...operators.flatMap((o) => [
      env.DB.prepare(
        "INSERT INTO operators (id, email, name, avatar_url, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
      ).bind(o.id, o.email, o.name, `/avatars/${o.id}.svg`, hash, now),
      env.DB.prepare("INSERT INTO memberships (site_id, operator_id, role, created_at) VALUES (?, ?, ?, ?)").bind(
        site.id,
        o.id,
        o.role,
        now,
      ),
    ]),
  ]);
}

/** A request to the Worker as a browser on our own origin would send it. */
export function api(path: string, init: RequestInit & { cookie?: string; json?: unknown } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has("origin")) headers.set("origin", ORIGIN);
  if (init.cookie) headers.set("cookie", init.cookie);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  return exports.default.fetch(new Request(ORIGIN + path, { ...init, headers, body }));
}

/** Signs in and returns the `cookie` header value to send. */
export async function login(email: string, password = PASSWORD): Promise<string> {
  const r = await api("/api/auth/login", { method: "POST", json: { email, password } });
  if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${await r.text()}`);
  const setCookie = r.headers.get("set-cookie") ?? "";
  return setCookie.split(";")[0]!;
}

export async function visitorSession(siteKey: string, token?: string, track?: string): Promise<VisitorSessionResponse> {
  const r = await api("/api/widget/session", { method: "POST", json: { siteKey, token, track } });
  if (r.status !== 200) throw new Error(`session: ${r.status} ${await r.text()}`);
  return r.json();
}

export async function startConversation(token: string): Promise<string> {
  const r = await api("/api/widget/conversations", { method: "POST", headers: { authorization: `Bearer ${token}` } });
  if (r.status !== 200) throw new Error(`start: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { conversationId: string }).conversationId;
}

type AnyFrame = ConversationServerFrame | HubServerFrame;

/** A real WebSocket to the Worker that records every frame it receives. */
export class TestSocket {
  readonly frames: AnyFrame[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  closed: { code: number } | null = null;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string" && e.data !== "pong") this.frames.push(JSON.parse(e.data) as AnyFrame);
      else if (e.data === "pong") this.frames.push({ type: "pong" } as unknown as AnyFrame);
      this.wake();
    });
    ws.addEventListener("close", (e) => {
      this.closed = { code: e.code };
      this.wake();
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** The next frame (after those already taken) of `type`; frames of other types are skipped. */
  async next<T extends AnyFrame["type"]>(type: T, timeoutMs = 3000): Promise<Extract<AnyFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const f = this.frames[this.cursor++]!;
        if (f.type === type) return f as Extract<AnyFrame, { type: T }>;
      }
      if (Date.now() > deadline)
        throw new Error(`no "${type}" frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.map((f) => f.type))}`);
      await this.wait(deadline - Date.now());
    }
  }

  /** The next frame of `type` that satisfies `match`; others of that type are skipped. */
  async until<T extends AnyFrame["type"]>(
    type: T,
    match: (f: Extract<AnyFrame, { type: T }>) => boolean,
    timeoutMs = 3000,
  ): Promise<Extract<AnyFrame, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.next(type, Math.max(1, deadline - Date.now()));
      if (match(f)) return f;
    }
  }

  /** Resolves true if a frame of `type` arrives within `ms`, else false (for "never arrives"). */
  async receives(type: AnyFrame["type"], ms = 300): Promise<boolean> {
    try {
      await this.next(type, ms);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    try {
      this.ws.close(1000, "test done");
    } catch {
      // already closed
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, Math.max(1, ms));
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Opens a socket; resolves with the upgrade's Response when it was refused. */
export async function openSocket(path: string, opts: { cookie?: string; origin?: string | null } = {}): Promise<TestSocket | Response> {
  const headers: Record<string, string> = { upgrade: "websocket" };
  if (opts.origin !== null) headers.origin = opts.origin ?? ORIGIN;
  if (opts.cookie) headers.cookie = opts.cookie;
  const r = await exports.default.fetch(new Request(ORIGIN + path, { headers }));
  if (!r.webSocket) return r;
  r.webSocket.accept();
  return new TestSocket(r.webSocket);
}

export async function mustOpen(path: string, opts: { cookie?: string } = {}): Promise<TestSocket> {
  const s = await openSocket(path, opts);
  if (s instanceof Response) throw new Error(`socket ${path} refused: ${s.status} ${await s.text()}`);
  return s;
}

export const visitorSocketPath = (conversationId: string, token: string, after?: number) =>
  `/ws/visitor/conversations/${conversationId}?token=${encodeURIComponent(token)}${after === undefined ? "" : `&after=${after}`}`;

/** A socket the server refuses: accepted, then an `error` frame and a close. Its close code and error code. */
export async function refusal(
  path: string,
  opts: { cookie?: string; origin?: string | null } = {},
): Promise<{ close: number; code: string }> {
  const s = await openSocket(path, opts);
  if (s instanceof Response) throw new Error(`socket ${path} answered HTTP ${s.status} instead of a closing socket`);
  const error = await s.next("error");
  const deadline = Date.now() + 3000;
  while (!s.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  if (!s.closed) throw new Error(`socket ${path} was not closed`);
  return { close: s.closed.code, code: error.code };
}
