/**
 * Compiles a site's triggers into the compact rule set the trigger chunk receives: the enabled
 * ones in priority order, each with the conditions the browser checks (the visitor's own are
 * decided per visitor, visitor-conditions.ts), its sender resolved to a name and photo, its
 * offer, and — when a rule asks — the usual time on page. Pure; imported by the code that serves
 * the rule set (and caches it until a trigger, the team or the caps change).
 */
import { wellFormed } from "../../protocol/fields";
import { pageKey } from "../../protocol/page-key";
import type {
  CompactAction,
  CompactCondition,
  CompactOffer,
  CompactRuleSet,
  Trigger,
  TriggerAction,
  TriggerCaps,
  TriggerCondition,
  TriggerOffer,
} from "../../protocol/triggers";
import { isVisitorCondition } from "./visitor-conditions";

/** Someone a trigger speaks as: an operator, or the team (the shop's name, and its logo if any). */
export interface Sender {
  name: string;
  /** A path on Gadka's origin (`/api/files/…`, as avatars are stored) or an https URL. */
  avatarUrl: string | null;
}

export interface RuleSetInput {
  triggers: readonly Trigger[];
  /** The site's operators by id. A trigger whose operator has left speaks as the team. */
  operators: ReadonlyMap<string, Sender>;
  team: Sender;
  caps: TriggerCaps;
  /** usualTimeOnPage() of the site; shipped only when a rule compares with it. */
  usual: Record<string, number>;
}

export function compileRuleSet(input: RuleSetInput): CompactRuleSet {
  const enabled = input.triggers
    .filter((t) => t.enabled)
    .sort((a, b) => b.priority - a.priority || a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const rules = enabled.map((t) => ({
    i: t.id,
    s: t.salt,
    h: t.holdoutPercent / 100,
    f: t.frequencyDays,
    w: t.conditions.flatMap(browserCondition),
    a: action(t.action, input),
  }));
  const set: CompactRuleSet = { v: 1, c: [input.caps.perVisit, input.caps.perDay], r: rules };
  if (rules.some((r) => r.w.some((c) => c[0] === "p"))) set.p = input.usual;
  return set;
}

/**
 * The browser compares its location's path and query as `location` gives them — percent-encoded
 * — in lower case: a pattern typed as `/sklep/Łyżki` is encoded the same way first, then lowered,
 * so it matches `/sklep/Łyżki` (not `/sklep/łyżki`: only ASCII letters can match in either case
 * without decoding on the shop's page). Spaces, `"`, `<`, `>` and everything outside printable
 * ASCII are encoded, as browsers do in both path and query; `%XX` typed by the owner stays.
 */
function asBrowserSees(pattern: string): string {
  return wellFormed(pattern)
    .replace(/[^\x21-\x7e]|["<>]/gu, (ch) => encodeURIComponent(ch))
    .toLowerCase();
}

function browserCondition(c: TriggerCondition): CompactCondition[] {
  if (isVisitorCondition(c)) return [];
  switch (c.type) {
    case "page": {
      const value = asBrowserSees(c.value);
      if (c.match === "equals") return [["u", "=", pageKey(value)]];
      return [["u", c.match === "contains" ? "~" : "*", c.match === "glob" && !/^[/*]/.test(value) ? `/${value}` : value]];
    }
    case "timeOnPage":
      return [["t", c.seconds]];
    case "longerThanUsual":
      return [["p", c.minSeconds]];
    case "cartValue":
      return [["v", c.min, c.currency]];
    case "cartItems":
      return [["k", c.min]];
    case "exitIntent":
      return [["x"]];
    case "businessHours":
      return [["h", c.inside ? 1 : 0]];
    case "operators":
      return [["o", c.available ? 1 : 0]];
  }
}

function action(a: TriggerAction, input: RuleSetInput): CompactAction {
  const sender = (a.from.type === "operator" && input.operators.get(a.from.operatorId)) || input.team;
  const out: CompactAction = { n: sender.name, m: a.message };
  if (sender.avatarUrl) out.p = sender.avatarUrl;
  if (a.offer) out.o = offer(a.offer);
  return out;
}

function offer(o: TriggerOffer): CompactOffer {
  switch (o.type) {
    case "discount":
      return o.description ? { k: "c", c: o.code, d: o.description } : { k: "c", c: o.code };
    case "freeDelivery":
      return { k: "f", t: o.threshold, $: o.currency };
    case "product": {
      const p: CompactOffer = { k: "p", t: o.title, u: o.url };
      if (o.imageUrl) p.i = o.imageUrl;
      if (o.price !== undefined) {
        p.v = o.price;
        p.$ = o.currency!;
      }
      return p;
    }
  }
}
