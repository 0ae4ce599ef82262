/**
 * The one place errors become responses: ApiErrors keep their code and status; anything else is
 * logged here and answered as `internal` without details (no stack traces to clients).
 */
import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "../app-env";
import { ApiError, errorResponse } from "../lib/api-error";

export const handleError: ErrorHandler<AppEnv> = (err) => {
  if (err instanceof ApiError) return errorResponse(err.code, err.message, err.headers);
  if (err instanceof HTTPException && err.status < 500) {
    return errorResponse(err.status === 401 ? "unauthorized" : "bad_request", err.message || "Bad request.");
  }
  console.error("unhandled error", err);
  return errorResponse("internal", "Something went wrong on our side. Please try again.");
};

export const handleNotFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`);
