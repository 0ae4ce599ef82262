/**
 * The browser-side runtime of the protocol: a reconnecting socket, the conversation client
 * (resume + outbox), the typing signal and saved-reply filling. No valibot, so the chat UI's
 * bundle stays small; runtime-neutral, so tests and benchmarks run the same code on Node.
 */
export * from "./conversation-client";
export * from "./reconnecting-socket";
export * from "./saved-reply-text";
export * from "./typing-signal";
