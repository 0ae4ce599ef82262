/**
 * Whether a trigger event a visitor's browser reports fits that visitor's holdout arm: `control`
 * only from a held-out visitor, `shown`, `dismissed` and `clicked` only from one who can see the
 * trigger. The Worker drops events that do not fit before they reach the uplift report, so a
 * forged or stale beacon cannot move a trigger's measured effect. Pure; for the beacon service.
 */
import { inHoldout } from "../../protocol/holdout";
import type { Trigger, TriggerEvent } from "../../protocol/triggers";

/**
 * Decided with the trigger as stored now: in the few minutes a cached rule set lags behind an
 * owner's change of the salt or the holdout share, events from the old assignment are dropped.
 */
export function eventFitsArm(
  event: Pick<TriggerEvent, "e">,
  visitorId: string,
  trigger: Pick<Trigger, "id" | "salt" | "holdoutPercent">,
): boolean {
  // The same share the compiler ships (holdoutPercent / 100), so both sides compare the same number.
  const heldOut = inHoldout(visitorId, trigger.id, trigger.salt, trigger.holdoutPercent / 100);
  return event.e === "control" ? heldOut : !heldOut;
}
