/**
 * The visitor's calls to the Gadka API and what the iframe remembers between visits (token,
 * unsent messages), kept in the iframe's own storage — invisible to the shop's scripts.
 */
import type { EmailCaptureResponse, StartConversationResponse, TranscriptResponse, VisitorSessionResponse } from "../../protocol";
import type { PendingSend } from "../../protocol/client";
import { resetMark, siteKey } from "./host";

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

/** A refused call: the server's error code (`network` when nothing answered), for the visitor's words. */
export class CallError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

async function call<T>(path: string, body: unknown, token?: string): Promise<T> {
  const r = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  }).catch(() => {
    throw new CallError("network");
  });
  if (!r.ok) throw new CallError(((await r.json().catch(() => null)) as { error?: { code?: string } } | null)?.error?.code ?? "internal");
  return r.json() as Promise<T>;
}

/**
 * The page called `Gadka('reset')` since this browser's chat last started: its visitor (token and
 * unsent messages) is forgotten here, so the old conversation cannot be reached from this browser.
 */
function forgetOnReset(site: string): boolean {
  const key = `gadka:reset:${site}`;
  if (!resetMark || read(key) === resetMark) return false;
  write(tokenKey(site), null);
  write(pendingKey(site), null);
  write(key, resetMark);
  return true;
}

// Before anything reads the token or the unsent messages.
let forgot = forgetOnReset(siteKey);

/** `track`: the loader's tracking token, so the chat and the page views are one visitor. */
export async function startSession(siteKey: string, track: string | null): Promise<VisitorSessionResponse> {
  // Right after a reset the loader's tracking token may still be the old visitor's (a message
  // from the chat of before): this first session is a new visitor, and the page follows it.
  const s = await call<VisitorSessionResponse>("/api/widget/session", {
    siteKey,
    token: read(tokenKey(siteKey)) ?? undefined,
    track: forgot ? undefined : (track ?? undefined),
  });
  forgot = false;
  write(tokenKey(siteKey), s.token);
  return s;
}

/** `skill`: the topic the visitor picked, so the right operator gets the conversation. */
export function startConversation(token: string, skill: string | null, trigger?: string): Promise<StartConversationResponse> {
  return call<StartConversationResponse>("/api/widget/conversations", { skill, ...(trigger ? { trigger } : {}) }, token);
}

/** The visitor leaves (or changes) the email the shop answers to; the server keeps it on the profile. */
export function saveEmail(token: string, email: string, language: string): Promise<EmailCaptureResponse> {
  return call<EmailCaptureResponse>("/api/widget/email", { email, language }, token);
}

/** "Email me this conversation": 409 `conflict` without an email, 429 `rate_limited` past the limits. */
export function requestTranscript(token: string): Promise<TranscriptResponse> {
  return call<TranscriptResponse>("/api/widget/transcript", {}, token);
}

/** The visitor said "not now" to the email prompt: it stays away for this site until they ask. */
export const emailDeclined = {
  get: () => read(`gadka:no-email:${siteKey}`) === "1",
  set: () => write(`gadka:no-email:${siteKey}`, "1"),
};

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
