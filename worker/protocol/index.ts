/**
 * Gadka's protocol: the contract between the Worker, the widget and the admin. Imports only
 * valibot; type-checked with neither DOM nor Workers types, so browser code can import it as is.
 */
export * from "./errors";
export * from "./frames";
export * from "./limits";
export * from "./models";
export * from "./rest";
export * from "./conversation-client";
export * from "./reconnecting-socket";
export * from "./typing-signal";
export * from "./saved-reply-text";
export * from "./visitors";
