/**
 * The engine's decision at one moment: which trigger to show, which held-out ones to record as
 * "would have been shown", and when to look again; it notes both in the memory it is given.
 * DOM-free (workerd tests run it on the compiler's output); engine.ts saves the memory, then
 * shows the teaser and sends the events.
 */
import { inHoldout } from "../../protocol/holdout";
import type { CompactRule } from "../../protocol/triggers";
import { dueAt, type MatchContext } from "./conditions";
import { frequencyAllows, type Memory, roomLeft } from "./memory";

/** The rule to show, the held-out ones, and when to evaluate again if nothing else happens (Infinity: only on the next event). */
export type Decision = [show: CompactRule | undefined, heldOut: CompactRule[], next: number];

/**
 * Rules come in priority order; the first that matches now and is not held out is shown.
 *
 * A held-out rule is recorded and passed over, so a lower rule may show in its place: the control
 * group sees the shop as it would be without that trigger, which is what its uplift is measured
 * against. Both groups pass the same gates first (caps, dismissal, frequency, the conditions), so
 * "would have been shown" means exactly that. A held-out rule counts for its own frequency (so
 * both groups are recorded at the same rate), not for the caps.
 */
export function decide(rules: readonly CompactRule[], x: MatchContext, m: Memory, caps: readonly [number, number]): Decision {
  const heldOut: CompactRule[] = [];
  let next = Infinity;
  if (roomLeft(m, caps)) {
    for (const rule of rules) {
      if (!frequencyAllows(m, rule.i, rule.f, x.now)) continue;
      const due = dueAt(rule, x);
      if (due > x.now) next = Math.min(next, due);
      else {
        m.t[rule.i] = x.now;
        if (!inHoldout(x.facts.id, rule.i, rule.s, rule.h)) {
          m.n++;
          m.s.push(x.now);
          return [rule, heldOut, next];
        }
        heldOut.push(rule);
      }
    }
  }
  return [undefined, heldOut, next];
}
