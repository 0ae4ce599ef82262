/**
 * Reading client input: JSON bodies and query strings through a valibot schema, with size
 * limits, so a handler only ever sees typed, valid values. Failures throw coded ApiErrors.
 */
import type { Context } from "hono";
import * as v from "valibot";
import { describeIssue, MAX_BODY_BYTES } from "../../protocol";
import { ApiError } from "./api-error";

/** `emptyAs`: what an empty body means, for routes whose body is optional. */
export async function readJson<S extends v.GenericSchema>(
  c: Context,
  schema: S,
  opts: { emptyAs?: unknown } = {},
): Promise<v.InferOutput<S>> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw new ApiError("too_large", `Bodies are at most ${MAX_BODY_BYTES} bytes.`);
  const text = await c.req.text();
  if (new TextEncoder().encode(text).byteLength > MAX_BODY_BYTES) {
    throw new ApiError("too_large", `Bodies are at most ${MAX_BODY_BYTES} bytes.`);
  }
  if (text.trim() === "" && "emptyAs" in opts) return parse(schema, opts.emptyAs);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError("bad_json", "The body is not valid JSON.");
  }
  return parse(schema, json);
}

export function readQuery<S extends v.GenericSchema>(c: Context, schema: S): v.InferOutput<S> {
  return parse(schema, c.req.query());
}

export function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw new ApiError("validation_failed", describeIssue(result.issues[0]));
  return result.output;
}
