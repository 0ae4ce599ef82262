/**
 * Input through a valibot schema, or a coded 422 `validation_failed` naming the first problem.
 * The validate middleware uses it for bodies, queries and path parameters; services use it for
 * parts whose schema depends on another field (the beacon's cart or purchase).
 */
import * as v from "valibot";
import { describeIssue } from "../../protocol";
import { ApiError } from "./api-error";

export function parse<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (!result.success) throw new ApiError("validation_failed", describeIssue(result.issues[0]));
  return result.output;
}
