/**
 * When a rule of the compact rule set matches on this page, for the trigger engine. Pure and
 * DOM-free (the engine hands it the page and the facts), so the workerd tests run it on the
 * compiler's real output. A condition it does not know, or a fact it lacks, never matches.
 */
import type { CompactCondition, CompactRule, TriggerFacts } from "../../protocol/triggers";

/** The page the visitor is on: its key (protocol/page-key.ts), its path and query in lower case, and when its view began. */
export interface PageState {
  key: string;
  path: string;
  since: number;
}

export interface MatchContext {
  facts: TriggerFacts;
  page: PageState;
  /** Usual time on page in seconds per page key (the rule set's `p`). */
  usual: Record<string, number> | undefined;
  now: number;
  /** The visitor is about to leave, at this instant (exit intent is a moment, not a state). */
  exit: boolean;
}

/**
 * When `rule` matches if nothing but the clock changes: at or before `now` means it matches now, a
 * later time that it will then (time on page), Infinity that
 * it does not under these facts. One number per rule lets the engine keep a single timer.
 */
export function dueAt(rule: CompactRule, x: MatchContext): number {
  let due = x.facts.q.includes(rule.i) ? 0 : Infinity;
  for (const c of rule.w) due = Math.max(due, conditionDue(c, x));
  return due;
}

const globs: Record<string, RegExp> = {};
/** `*` is any run of characters, everything else is literal, and the whole path must match. */
const glob = (pattern: string) =>
  (globs[pattern] ??= new RegExp(
    `^${pattern
      .split("*")
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ));

function conditionDue(c: CompactCondition, x: MatchContext): number {
  const { facts: f, page } = x;
  const cart = f.ca;
  let yes: boolean | undefined;
  switch (c[0]) {
    case "u":
      yes = c[1] === "=" ? page.key === c[2] : c[1] === "~" ? page.path.includes(c[2]) : glob(c[2]).test(page.path);
      break;
    case "t":
      return page.since + c[1] * 1000;
    case "p": {
      const usual = x.usual?.[page.key] ?? x.usual?.["*"];
      return usual === undefined ? Infinity : page.since + Math.max(usual, c[1]) * 1000;
    }
    case "v":
      yes = cart && cart[2] === c[2] && cart[0] >= c[1];
      break;
    case "k":
      yes = cart && cart[1] >= c[1];
      break;
    case "x":
      yes = x.exit;
      break;
    case "h":
    case "o":
      // Both kept current by the server's answers (each ping).
      yes = f[c[0]] === c[1];
  }
  return yes ? 0 : Infinity;
}
