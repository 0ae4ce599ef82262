/**
 * Error codes: the stable part of every error a client can see, over HTTP
 * (`{ error: { code, message } }`) or a socket (`{ type: "error", code, message }`).
 * Codes are only ever added, never renamed; the message is a sentence for a person.
 */

export const ERROR_STATUS = {
  bad_json: 400,
  bad_request: 400,
  validation_failed: 422,
  too_large: 413,
  unsupported_media_type: 415,
  unknown_type: 400,
  unauthorized: 401,
  bad_credentials: 401,
  forbidden: 403,
  bad_origin: 403,
  not_found: 404,
  upgrade_required: 426,
  conflict: 409,
  too_many_attempts: 429,
  rate_limited: 429,
  /** An emailed link or setup token that expired, was used, or was replaced. */
  bad_token: 410,
  /** This deployment takes no open sign-ups (SIGNUP=invite). */
  signup_closed: 403,
  /** A wrong, malformed or replayed two-factor code. */
  bad_code: 401,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every failed HTTP response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}
