// The demo team's REST calls from an e2e test (settings, sent mail, conversations, the operator's
// own profile): one real sign-in, its session cookie and the admin's origin on every call.
import type { BrowserContext } from "playwright-core";
import { expect } from "vitest";
import type { ChatMessage } from "../../protocol";

export interface OperatorApi {
  cookie: string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  json<T>(path: string): Promise<T>;
  /** `PATCH /api/sites/:siteId/settings`, expected to be accepted. */
  patchSettings(body: object, siteId?: string): Promise<void>;
}

export async function operatorApi(base: string, email = "anna@demo.test", password = "demo1234"): Promise<OperatorApi> {
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers: { origin: base, "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  expect(login.status, `sign-in of ${email}`).toBe(200);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { origin: base, "content-type": "application/json", cookie, ...(init.headers ?? {}) } });
  return {
    cookie,
    fetch: call,
    json: async <T>(path: string) => (await (await call(path)).json()) as T,
    patchSettings: async (body: object, siteId = "site_demo") => {
      const r = await call(`/api/sites/${siteId}/settings`, { method: "PATCH", body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBe(200);
    },
  };
}

type Blank = Pick<ChatMessage, "clientId" | "authorId" | "authorName" | "authorAvatar" | "createdAt">;

/**
 * Feeds frames into a real conversation socket right after the server's hello, with seqs above
 * the stored ones: for states a fresh local run cannot produce in time (each caller says which).
 * `extra` gets the first free seq and the fields every message needs.
 */
export async function appendAfterHello(
  context: BrowserContext,
  url: RegExp,
  extra: (seq: number, blank: Blank) => ChatMessage[],
): Promise<void> {
  await context.routeWebSocket(url, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      ws.send(m);
      const frame = JSON.parse(String(m)) as { type: string; conversation?: { lastSeq: number } };
      if (frame.type !== "hello") return;
      const blank: Blank = { clientId: "", authorId: null, authorName: null, authorAvatar: null, createdAt: Date.now() };
      for (const message of extra((frame.conversation?.lastSeq ?? 0) + 100, blank)) ws.send(JSON.stringify({ type: "message", message }));
    });
  });
}
