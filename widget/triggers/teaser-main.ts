/**
 * The teaser chunk (/teaser.js): the card's DOM, styles and words, loaded by the engine the first
 * time a trigger shows on a page — visitors who are never shown one (most of them, and everyone
 * held out) never download it. Puts `createTeaser` on the loader's handoff (`window.__gadka.z`).
 */
import { handoff } from "./handoff";
import { createTeaser } from "./teaser";

handoff().z = createTeaser;
