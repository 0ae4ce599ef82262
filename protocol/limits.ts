/**
 * Limits shared by the Worker, the widget and the admin. Plain constants, no runtime imports:
 * browser code imports this file directly, so a limit is defined exactly once.
 */

/** Longest message text, in UTF-16 code units (what `String.length` counts). */
export const MAX_MESSAGE_CHARS = 4000;
/** Largest socket frame the server will parse, in bytes; larger frames get `too_large`. */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Largest REST body the server will parse, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;
/** Client ids are idempotency keys chosen by the sender (a UUID fits). */
export const MAX_CLIENT_ID_CHARS = 64;
/** Messages in one history page (first page on connect, and each scroll-back page). */
export const HISTORY_PAGE_SIZE = 50;
/** Messages per frame when a reconnecting client resumes; larger gaps arrive as several frames. */
export const RESUME_CHUNK_SIZE = 200;
/** Preview of the last message kept on conversation rows and inbox entries. */
export const PREVIEW_CHARS = 140;
/** Operator and visitor display names. */
export const MAX_NAME_CHARS = 80;
export const MAX_EMAIL_CHARS = 254;
export const MIN_PASSWORD_CHARS = 8;
export const MAX_PASSWORD_CHARS = 200;
/** Failed logins allowed per email (and, higher, per client address) inside the window before 429. */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_MAX_FAILURES_PER_ADDRESS = 50;
export const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Operator sessions last this long from login. */
export const SESSION_TTL_SECONDS = 30 * 24 * 3600;
/** Largest avatar image an operator may upload. */
export const MAX_AVATAR_BYTES = 512 * 1024;
/** Conversations returned by one inbox list request. */
export const MAX_LIST_LIMIT = 100;

/**
 * WebSocket close codes the server ends a socket with. The first three are final: a
 * reconnecting client stops (4401 after it has tried a fresh credential once). 4429 means
 * "too many sockets": wait and retry.
 */
export const CLOSE_CODES = {
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooMany: 4429,
} as const;
export const FINAL_CLOSE_CODES: readonly number[] = [CLOSE_CODES.unauthorized, CLOSE_CODES.forbidden, CLOSE_CODES.notFound];

/** Keep-alive: the literal text frames (not JSON), answered by the runtime without waking a DO. */
export const PING = "ping";
export const PONG = "pong";

/** A visitor's comment with their rating (issue 13), in characters. */
export const MAX_RATING_COMMENT_CHARS = 1000;
