/**
 * Checks a trigger as an owner sends it from the admin: the protocol's schema, then what only the
 * site knows — the operator it speaks as is on the site's team, the segments it names are the
 * site's. Pure (the caller brings the site's ids); imported by the trigger service and routes.
 */

import * as v from "valibot";
import { type DecodeResult, describeIssue } from "../../protocol/decode";
import { TriggerDefinition } from "../../protocol/triggers";

export interface TriggerSiteIds {
  operatorIds: ReadonlySet<string>;
  segmentIds: ReadonlySet<string>;
}

/** The trigger, with its defaults filled in, or a `validation_failed` error naming the first problem. Never throws. */
export function validateTrigger(input: unknown, site: TriggerSiteIds): DecodeResult<TriggerDefinition> {
  const parsed = v.safeParse(TriggerDefinition, input);
  if (!parsed.success) return invalid(describeIssue(parsed.issues[0]));
  const trigger = parsed.output;
  const from = trigger.action.from;
  if (from.type === "operator" && !site.operatorIds.has(from.operatorId)) {
    return invalid("action.from.operatorId: no operator of this site has that id.");
  }
  const index = trigger.conditions.findIndex((c) => c.type === "segment" && !site.segmentIds.has(c.segmentId));
  if (index >= 0) return invalid(`conditions.${index}.segmentId: no saved segment of this site has that id.`);
  return { ok: true, value: trigger };
}

function invalid(message: string): DecodeResult<never> {
  return { ok: false, error: { code: "validation_failed", message } };
}
