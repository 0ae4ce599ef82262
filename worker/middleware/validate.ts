/**
 * `validate(target, schema)`: the route's input — JSON body, query string or path parameters —
 * through a valibot schema before the handler runs; the handler reads the typed result with
 * `c.req.valid(target)`. Failures are coded (`bad_json`, `too_large`, `validation_failed`).
 * The middleware carries its `target` and `schema`, so an OpenAPI document can be derived from
 * the routes later. Bodies are read by the one streamed, size-limited reader.
 */
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import type * as v from "valibot";
import { MAX_BODY_BYTES } from "../../protocol";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";
import { parse } from "../lib/parse";
import { readJsonBody } from "../lib/request-body";

export type ValidationTarget = "json" | "query" | "param";

export type Validator<T extends ValidationTarget, S extends v.GenericSchema> = MiddlewareHandler<
  AppEnv,
  string,
  { in: { [K in T]: v.InferInput<S> }; out: { [K in T]: v.InferOutput<S> } }
> & { readonly target: T; readonly schema: S };

/**
 * `emptyAs`: what an empty body means, for routes whose body is optional. `notFound`: for path
 * parameters, a malformed id names nothing, so it is answered as 404 with this sentence.
 */
export function validate<T extends ValidationTarget, S extends v.GenericSchema>(
  target: T,
  schema: S,
  opts: { emptyAs?: unknown; notFound?: string } = {},
): Validator<T, S> {
  const middleware = createMiddleware<AppEnv>(async (c, next) => {
    let input: unknown;
    if (target === "json") {
      input = await readJsonBody(c.req.raw, MAX_BODY_BYTES);
      if (input === undefined) {
        if (!("emptyAs" in opts)) throw new ApiError("bad_json", "This request needs a JSON body.");
        input = opts.emptyAs;
      }
    } else {
      input = target === "query" ? c.req.query() : c.req.param();
    }
    let data: unknown;
    try {
      data = parse(schema, input);
    } catch (err) {
      throw opts.notFound !== undefined ? new ApiError("not_found", opts.notFound) : err;
    }
    c.req.addValidatedData(target, data as object);
    await next();
  });
  return Object.assign(middleware, { target, schema }) as unknown as Validator<T, S>;
}
