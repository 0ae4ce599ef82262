/**
 * The trigger chunk (/triggers.js): loaded by the presence module only for sites with enabled
 * triggers. It starts nothing by itself: it puts `createTriggerEngine` on the loader's handoff
 * (`window.__gadka.e`), and the presence module calls it from the script's load event.
 * Budget: 2 KB gzip (`npm run size`); no framework and no valibot (protocol types only, plus the
 * import-free page key and holdout helpers both sides share). The teaser's DOM, styles and words
 * are a chunk of their own (teaser-main.ts), loaded only when a trigger shows.
 */
import { createTriggerEngine } from "./engine";
import { handoff } from "./handoff";

handoff().e = createTriggerEngine;
