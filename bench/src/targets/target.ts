/**
 * What a scenario needs from the system under test: new conversations, each with a visitor and
 * an operator socket address. Gadka (gadka.ts) and the in-memory floor (baseline.ts) both
 * provide it, so every scenario runs unchanged against both.
 */

export interface Endpoint {
  /** The socket URL; `after` is the last seq the client holds (null: send the latest page). */
  url(after: number | null): string;
  /** Handshake headers (an operator's cookie and origin). */
  headers: Record<string, string>;
}

export interface ConversationEndpoints {
  id: string;
  visitor: Endpoint;
  operator: Endpoint;
}

export interface Target {
  name: "gadka" | "baseline";
  newConversation(): Promise<ConversationEndpoints>;
  stop(): Promise<void>;
}
