/**
 * Gadka as a benchmark target: signs in the demo owner once, and opens each conversation the way
 * the widget does (a new anonymous visitor session, then its conversation) over the REST API.
 */

import type { ErrorBody, StartConversationResponse, VisitorSessionResponse } from "../../../protocol";
import { DEMO } from "../../../scripts/lib/seed.mjs";
import type { Target } from "./target";

export async function gadkaTarget(baseUrl: string): Promise<Target> {
  const cookie = await signIn(baseUrl);
  const wsBase = baseUrl.replace(/^http/, "ws");
  // Operator sockets are cookie-authenticated, so the server insists on its own origin (CSRF).
  const operatorHeaders = { cookie, origin: baseUrl };
  return {
    name: "gadka",
    async newConversation() {
      const { token } = await post<VisitorSessionResponse>(baseUrl, "/api/widget/session", { siteKey: DEMO.siteKey });
      const { conversationId: id } = await post<StartConversationResponse>(baseUrl, "/api/widget/conversations", undefined, {
        authorization: `Bearer ${token}`,
      });
      const visitorBase = `${wsBase}/ws/visitor/conversations/${id}?token=${encodeURIComponent(token)}`;
      const operatorBase = `${wsBase}/ws/sites/${DEMO.siteId}/conversations/${id}`;
      return {
        id,
        visitor: { url: (after) => (after === null ? visitorBase : `${visitorBase}&after=${after}`), headers: {} },
        operator: { url: (after) => (after === null ? operatorBase : `${operatorBase}?after=${after}`), headers: operatorHeaders },
      };
    },
    stop: async () => {},
  };
}

async function signIn(baseUrl: string): Promise<string> {
  const r = await request(baseUrl, "/api/auth/login", { email: DEMO.anna.email, password: DEMO.password });
  const cookie = r.headers.getSetCookie().find((c) => c.startsWith("gadka_session="));
  if (!cookie) throw new Error("login answered 200 without a gadka_session cookie");
  return cookie.split(";")[0]!;
}

async function post<T>(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  return (await request(baseUrl, path, body, headers)).json() as Promise<T>;
}

async function request(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const r = await fetch(baseUrl + path, {
    method: "POST",
    headers: { origin: baseUrl, "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) {
    const error = ((await r.json().catch(() => null)) as ErrorBody | null)?.error;
    throw new Error(`POST ${path}: ${r.status} ${error ? `${error.code}: ${error.message}` : ""}`);
  }
  return r;
}
