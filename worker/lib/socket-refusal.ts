/**
 * Refusing a WebSocket the way a reconnecting client can act on: the upgrade is accepted, an
 * `error` frame says why, and the socket closes with the refusal's code (CLOSE_CODES: 4401
 * credential, 4403 not yours, 4404 no such conversation, 4429 too many). An HTTP error on the
 * upgrade reaches a browser only as close 1006, indistinguishable from a network failure, and
 * the client would retry forever.
 */
import { CLOSE_CODES, type ErrorCode } from "../../protocol";

/** The close code of an API error code; 1008 (policy violation) for anything else. */
function closeCodeOf(code: ErrorCode): number {
  switch (code) {
    case "unauthorized":
    case "bad_credentials":
      return CLOSE_CODES.unauthorized;
    case "forbidden":
    case "bad_origin":
      return CLOSE_CODES.forbidden;
    case "not_found":
      return CLOSE_CODES.notFound;
    case "rate_limited":
    case "too_many_attempts":
      return CLOSE_CODES.tooMany;
    default:
      return 1008;
  }
}

export function refuseSocket(code: ErrorCode, message: string): Response {
  const { 0: client, 1: server } = new WebSocketPair();
  server.accept();
  server.send(JSON.stringify({ type: "error", code, message }));
  // A close reason is at most 123 bytes of UTF-8; the frame above carries the full sentence.
  server.close(closeCodeOf(code), message.slice(0, 40));
  return new Response(null, { status: 101, webSocket: client });
}
