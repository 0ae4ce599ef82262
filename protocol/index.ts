/**
 * Gadka's protocol: the contract between the Worker, the widget and the admin — valibot schemas,
 * the types derived from them, limits and error codes. Imports only valibot; type-checked with
 * neither DOM nor Workers types, so browser code can import it as is. The browser-side runtime
 * (reconnecting socket, conversation client, typing signal) is in `./client/`.
 */
export * from "./accounts";
export * from "./audience";
export * from "./auth";
export * from "./contrast";
export * from "./conversations";
export * from "./decode";
export * from "./email";
export * from "./errors";
export * from "./events";
export * from "./fields";
export * from "./frames";
export * from "./holdout";
export * from "./hours";
export * from "./hub-frames";
export * from "./limits";
export * from "./live";
export * from "./live-order";
export * from "./models";
export * from "./offline";
export * from "./page-key";
export * from "./privacy";
export * from "./profiles";
export * from "./reports";
export * from "./saved-replies";
export * from "./search";
export * from "./secrets";
export * from "./segments";
export * from "./settings";
export * from "./shop-api";
export * from "./team";
export * from "./tracking";
export * from "./triggers";
export * from "./widget";
