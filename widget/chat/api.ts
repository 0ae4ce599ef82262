/**
 * The visitor's calls to the Gadka API and what the iframe remembers between visits (token,
 * unsent messages), kept in the iframe's own storage — invisible to the shop's scripts.
 */
import type { StartConversationResponse, VisitorSessionResponse } from "../../protocol";
import type { PendingSend } from "../../protocol/client";

const tokenKey = (site: string) => `gadka:token:${site}`;
const pendingKey = (site: string) => `gadka:pending:${site}`;

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // storage blocked: the chat still works for this page view
  }
}

async function call<T>(path: string, body: unknown, token?: string): Promise<T> {
  const r = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${path}: ${r.status}`);
  return r.json() as Promise<T>;
}

/** `track`: the loader's tracking token, so the chat and the page views are one visitor. */
export async function startSession(siteKey: string, track: string | null): Promise<VisitorSessionResponse> {
  const s = await call<VisitorSessionResponse>("/api/widget/session", {
    siteKey,
    token: read(tokenKey(siteKey)) ?? undefined,
    track: track ?? undefined,
  });
  write(tokenKey(siteKey), s.token);
  return s;
}

/** `skill`: the topic the visitor picked, so the right operator gets the conversation. */
export function startConversation(token: string, skill: string | null): Promise<StartConversationResponse> {
  return call<StartConversationResponse>("/api/widget/conversations", { skill }, token);
}

export function socketUrl(conversationId: string, token: string, after: number | null): string {
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const q = `token=${encodeURIComponent(token)}${after === null ? "" : `&after=${after}`}`;
  return `${proto}//${location.host}/ws/visitor/conversations/${conversationId}?${q}`;
}

/** Messages typed but not yet acknowledged survive reloads and closed tabs. */
export function loadPending(siteKey: string): PendingSend[] {
  try {
    return JSON.parse(read(pendingKey(siteKey)) ?? "[]") as PendingSend[];
  } catch {
    return [];
  }
}
export function savePending(siteKey: string, pending: readonly PendingSend[]): void {
  write(pendingKey(siteKey), pending.length ? JSON.stringify(pending) : null);
}
