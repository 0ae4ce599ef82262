/**
 * The error every route and middleware throws for a client mistake. `app.onError` turns it into
 * `{ error: { code, message } }` with the code's HTTP status.
 */
import { ERROR_STATUS, type ErrorBody, type ErrorCode } from "../../protocol";

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A JSON error response, for places that answer without throwing (Durable Object fetch). */
export function errorResponse(code: ErrorCode, message: string, headers: Record<string, string> = {}): Response {
  const body: ErrorBody = { error: { code, message } };
  return Response.json(body, { status: ERROR_STATUS[code], headers });
}
