/**
 * What the two trigger chunks add to the loader's handoff object (`window.__gadka`, see
 * widget/handoff.ts): the engine's factory (triggers.js) and the teaser's (teaser.js). Types only.
 */
import type { TriggerEngine, TriggerEngineOptions } from "./engine";
import type { Teaser, TeaserOptions } from "./teaser";

export interface TriggerHandoff {
  /** Set by /triggers.js: the presence module calls it from that script's load event. */
  e?: (options: TriggerEngineOptions) => TriggerEngine;
  /** Set by /teaser.js, which the engine loads the first time a trigger shows. */
  z?: (options: TeaserOptions) => Teaser;
}

export const handoff = () => ((window as Window & { __gadka?: TriggerHandoff }).__gadka ??= {});
