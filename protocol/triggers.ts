/**
 * Proactive triggers: a trigger as an owner defines it in the admin (`TriggerDefinition`), the
 * compact rule set the trigger chunk on the shop's page receives (`CompactRuleSet`), the facts
 * about one visitor the server adds to it (`TriggerFacts`), and the events the chunk reports.
 * Shared by the Worker, the admin and (types only) the browser chunk in widget/triggers/.
 *
 * Evolution of the compact format (the chunk is cached for minutes, the rule set may be newer):
 * new condition codes and new optional fields may be added to version 1; a chunk treats a
 * condition it does not know as false, so it never fires a rule it does not understand, and it
 * ignores fields it does not know. Anything else is a new `v`, and a chunk ignores a set whose
 * version it does not know. Everything in the rule set is public (any visitor can read it):
 * discount codes in it are codes the shop is happy to publish.
 */
import * as v from "valibot";
import { MessageText } from "./fields";
import { Currency, Money } from "./tracking";

export const MAX_TRIGGERS_PER_SITE = 50;
export const MAX_TRIGGER_CONDITIONS = 12;
export const MAX_TRIGGER_MESSAGE_CHARS = 300;
export const MAX_TRIGGER_NAME_CHARS = 80;
/** Share of visitors held out when the owner says nothing. */
export const DEFAULT_HOLDOUT_PERCENT = 10;
/** Pages whose usual time on page is shipped with the rules (the most viewed ones). */
export const MAX_USUAL_PAGES = 100;
/** A page needs this many timed views before its p75 is shipped; fewer is noise. */
export const MIN_USUAL_PAGE_VIEWS = 20;
/** The key of the whole site's usual time on page, used for pages without one of their own. */
export const ALL_PAGES_KEY = "*";
/** Triggers a visitor may see across all triggers, unless the site says otherwise. */
export const DEFAULT_TRIGGER_CAPS = { perVisit: 1, perDay: 2 } as const;

const Id = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "an id is 1–64 letters, digits, _ or -"));
const Int = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const Text = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max));
const Words = (max: number) => v.pipe(v.string(), v.trim(), v.toLowerCase(), v.minLength(1), v.maxLength(max));
const Unique = <T extends v.GenericSchema<unknown, string>>(item: T, max: number) =>
  v.pipe(
    v.array(item),
    v.minLength(1, "name at least one value"),
    v.maxLength(max),
    v.check((a) => new Set(a).size === a.length, "each value appears once"),
  );

/** `http(s)://…` only: no `javascript:` or `data:` link ever reaches a visitor. */
export const HttpUrl = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(2048),
  v.url(),
  v.regex(/^https?:\/\//i, "a link starts with http:// or https://"),
);
/** Images on the shop's page load over https only (no mixed content, no http tracking pixel). */
export const HttpsUrl = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(2048),
  v.url(),
  v.regex(/^https:\/\//i, "an image URL starts with https://"),
);

/**
 * A page pattern as the owner types it; a pasted full URL is cut to its path and query
 * (`https://shop.example/Cart` → `/Cart`), so one trigger works on the shop's www and bare
 * domains alike. The compiler writes it as browsers give their location — percent-encoded, then
 * in lower case — so ASCII letters match in either case, and other letters as the URL spells them.
 */
const PagePattern = v.pipe(
  Text(500),
  v.transform((s) => s.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "") || "/"),
);

/**
 * The conditions of a trigger; all must hold (AND). "Page" conditions look at the page the
 * visitor is on: `equals` compares page keys (protocol/page-key.ts: path without query or trailing
 * slash), `contains` and `glob` look at the path and query (`*` is any run of characters, and the
 * whole of it must match). A fact the browser does not know (no country, no cart) fails its
 * condition: a trigger never fires on a guess.
 */
export const TriggerCondition = v.variant("type", [
  v.object({ type: v.literal("page"), match: v.picklist(["equals", "contains", "glob"]), value: PagePattern }),
  /** Time on this page, from its page view (the page must also be visible when it fires). */
  v.object({ type: v.literal("timeOnPage"), seconds: Int(1, 3600) }),
  /** Longer than this page's usual: its p75 time on page (or the site's, for a page without one), and at least `minSeconds`. */
  v.object({ type: v.literal("longerThanUsual"), minSeconds: v.optional(Int(0, 3600), 10) }),
  /** Visits including this one. */
  v.object({ type: v.literal("visits"), min: Int(1, 1000) }),
  v.object({ type: v.literal("visitor"), is: v.picklist(["new", "returning"]) }),
  /**
   * The visit's traffic source: `source` is its utm_source, else the referrer's host, else
   * "direct" (as in the visitor list); `medium` and `campaign` are its utm_medium and utm_campaign.
   */
  v.object({
    type: v.literal("source"),
    field: v.picklist(["source", "medium", "campaign"]),
    match: v.picklist(["equals", "contains"]),
    value: Words(200),
  }),
  v.object({ type: v.literal("device"), in: Unique(v.picklist(["desktop", "mobile", "tablet"]), 3) }),
  v.object({
    type: v.literal("country"),
    match: v.picklist(["in", "notIn"]),
    values: Unique(v.pipe(v.string(), v.regex(/^[A-Za-z]{2}$/, "a country is a 2-letter code"), v.toUpperCase()), 50),
  }),
  /** The browser's preferred language, by its primary subtag (`pl` covers pl-PL). */
  v.object({
    type: v.literal("language"),
    match: v.picklist(["in", "notIn"]),
    values: Unique(v.pipe(v.string(), v.regex(/^[A-Za-z]{2,3}$/, "a language is a code like pl or fi"), v.toLowerCase()), 20),
  }),
  /** The shop told Gadka who the visitor is (`Gadka('identify', …)` or the shop API). */
  v.object({ type: v.literal("identified"), is: v.boolean() }),
  /** Membership of one of the site's saved segments (the server decides it per visitor). */
  v.object({ type: v.literal("segment"), segmentId: Id, match: v.picklist(["in", "notIn"]) }),
  /** Cart total ≥ `min` in `currency`; a cart in another currency does not match. */
  v.object({ type: v.literal("cartValue"), min: Money, currency: Currency }),
  /** Items in the cart (quantities summed) ≥ `min`. */
  v.object({ type: v.literal("cartItems"), min: Int(1, 1000) }),
  /** The visitor is about to leave: the pointer heads for the tab bar (desktop), a fast scroll up (phones). */
  v.object({ type: v.literal("exitIntent") }),
  v.object({ type: v.literal("businessHours"), inside: v.boolean() }),
  /** An operator is online and taking chats (true), or nobody is (false). */
  v.object({ type: v.literal("operators"), available: v.boolean() }),
]);
export type TriggerCondition = v.InferOutput<typeof TriggerCondition>;
export type TriggerConditionType = TriggerCondition["type"];

/** A card under the message: a code to copy, a free-delivery nudge from the cart, or a product. */
export const TriggerOffer = v.variant("type", [
  /** A code the shop publishes (it is readable in the rule set), with an optional line ("10% off your first order"). */
  v.object({
    type: v.literal("discount"),
    code: v.pipe(v.string(), v.trim(), v.regex(/^[\p{L}\p{N}_-]{1,40}$/u, "a code is 1–40 letters, digits, _ or -")),
    description: v.optional(Text(120)),
  }),
  /** "€12.00 more for free delivery", from the visitor's cart in `currency`; "free delivery" once reached. */
  v.object({ type: v.literal("freeDelivery"), threshold: v.pipe(Money, v.minValue(0.01)), currency: Currency }),
  v.pipe(
    v.object({
      type: v.literal("product"),
      title: Text(120),
      url: HttpUrl,
      imageUrl: v.optional(HttpsUrl),
      price: v.optional(Money),
      currency: v.optional(Currency),
    }),
    v.check((p) => (p.price === undefined) === (p.currency === undefined), "a price needs its currency"),
  ),
]);
export type TriggerOffer = v.InferOutput<typeof TriggerOffer>;

/** What the visitor sees: a message from a named operator (their photo and name) or from the team. */
export const TriggerAction = v.object({
  from: v.variant("type", [v.object({ type: v.literal("operator"), operatorId: Id }), v.object({ type: v.literal("team") })]),
  message: v.pipe(MessageText, v.maxLength(MAX_TRIGGER_MESSAGE_CHARS, `message is at most ${MAX_TRIGGER_MESSAGE_CHARS} characters`)),
  offer: v.optional(TriggerOffer),
});
export type TriggerAction = v.InferOutput<typeof TriggerAction>;

/**
 * A trigger as the admin sends it (`POST`/`PUT /api/sites/:siteId/triggers…`). The Worker also
 * checks that the operator and the segment it names belong to the site (worker/triggers/).
 */
export const TriggerDefinition = v.object({
  name: Text(MAX_TRIGGER_NAME_CHARS),
  enabled: v.optional(v.boolean(), true),
  /** Higher wins when several triggers match at once. */
  priority: v.optional(Int(0, 100), 50),
  conditions: v.pipe(v.array(TriggerCondition), v.maxLength(MAX_TRIGGER_CONDITIONS, `at most ${MAX_TRIGGER_CONDITIONS} conditions`)),
  action: TriggerAction,
  /** Once per visitor every this many days; 0: once per visit. */
  frequencyDays: v.optional(Int(0, 365), 7),
  /** Visitors held out (they see nothing and are recorded as "would have been shown"), in percent. */
  holdoutPercent: v.optional(Int(0, 50), DEFAULT_HOLDOUT_PERCENT),
});
export type TriggerDefinition = v.InferOutput<typeof TriggerDefinition>;

/** Across all triggers: at most `perVisit` shown in a visit and `perDay` in any 24 hours. */
export const TriggerCaps = v.object({ perVisit: Int(1, 10), perDay: Int(1, 20) });
export type TriggerCaps = v.InferOutput<typeof TriggerCaps>;

/** A stored trigger. `salt` is drawn at creation and drawn again when the owner restarts its holdout. */
export interface Trigger extends TriggerDefinition {
  id: string;
  salt: string;
  createdAt: number;
  updatedAt: number;
}

// ---------------------------------------------------------------------------------------------
// The compact rule set: what the browser receives, the same for every visitor of a site (cacheable).
// Conditions about the visitor (visits, new or returning, source, device, country, language,
// identified, segment) are decided by the server for each visitor (worker/triggers/) and arrive as
// the list of eligible triggers in TriggerFacts.q; the rule set carries only what changes on the
// page. So targeting (segments, countries) is never published, and the chunk stays small.

const Flag = v.picklist([0, 1]);
const Str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const Seconds = Int(0, 86_400);
const Count = Int(0, 1_000_000);

/**
 * A condition the browser checks, as a tuple `[code, …]`:
 *   ["u", "=", key]   the page key equals (protocol/page-key.ts)
 *   ["u", "~", text]  the path and query (lower case, percent-encoded as the browser has them) contain
 *   ["u", "*", glob]  the path and query match (`*` any run of characters)
 *   ["t", s]          time on page ≥ s seconds
 *   ["p", s]          time on page ≥ the page's usual (`p`, else the site's), and ≥ s seconds
 *   ["v", min, cur]   cart total ≥ min, in currency cur
 *   ["k", n]          items in the cart ≥ n
 *   ["x"]             exit intent
 *   ["h", 1|0]        inside | outside business hours
 *   ["o", 1|0]        an operator is available | none is
 */
export const CompactCondition = v.union([
  v.tuple([v.literal("u"), v.picklist(["=", "~", "*"]), Str(1500)]),
  v.tuple([v.literal("t"), Seconds]),
  v.tuple([v.literal("p"), Seconds]),
  v.tuple([v.literal("v"), v.number(), Str(3)]),
  v.tuple([v.literal("k"), Count]),
  v.tuple([v.literal("x")]),
  v.tuple([v.literal("h"), Flag]),
  v.tuple([v.literal("o"), Flag]),
]);
export type CompactCondition = v.InferOutput<typeof CompactCondition>;

/**
 * The offer card: `k` "c" a code (`c`, optional line `d`); "f" free delivery from `t` in `$`;
 * "p" a product (`t` title, `u` link, `i` https image, `v` price in `$`).
 */
export const CompactOffer = v.variant("k", [
  v.object({ k: v.literal("c"), c: Str(40), d: v.optional(Str(120)) }),
  v.object({ k: v.literal("f"), t: v.number(), $: Str(3) }),
  v.object({ k: v.literal("p"), t: Str(120), u: Str(2048), i: v.optional(Str(2048)), v: v.optional(v.number()), $: v.optional(Str(3)) }),
]);
export type CompactOffer = v.InferOutput<typeof CompactOffer>;

/** What the teaser shows: `n` sender's name, `p` photo (https URL, or a path on Gadka's origin), `m` message, `o` offer. */
export const CompactAction = v.object({
  n: Str(120),
  p: v.optional(Str(2048)),
  m: Str(MAX_TRIGGER_MESSAGE_CHARS),
  o: v.optional(CompactOffer),
});
export type CompactAction = v.InferOutput<typeof CompactAction>;

/**
 * One trigger: `i` id, `s` holdout salt, `h` holdout share (0–1), `f` days between showings (0:
 * once per visit), `w` the browser's conditions (all must hold), `a` the action.
 */
export const CompactRule = v.object({
  i: Id,
  s: Str(64),
  h: v.pipe(v.number(), v.minValue(0), v.maxValue(1)),
  f: Int(0, 365),
  w: v.array(CompactCondition),
  a: CompactAction,
});
export type CompactRule = v.InferOutput<typeof CompactRule>;

/**
 * A site's rule set: `v` format version (1), `c` caps [per visit, per day], `r` the enabled rules
 * in priority order (the first that matches wins), `p` usual time on page in seconds per page
 * key and under ALL_PAGES_KEY for the whole site — present only when a rule asks for it.
 */
export const CompactRuleSet = v.object({
  v: v.literal(1),
  c: v.tuple([Int(1, 10), Int(1, 20)]),
  r: v.array(CompactRule),
  p: v.optional(v.record(Str(300), Seconds)),
});
export type CompactRuleSet = v.InferOutput<typeof CompactRuleSet>;

/**
 * What the server says about one visitor, with the rules answer (never cached) and again when it
 * changes; the page adds what it learns (`update` of the engine). A missing fact fails the
 * conditions that need it.
 */
export const TriggerFacts = v.object({
  /** The visitor's id: the holdout key. */
  id: Id,
  /** The triggers whose visitor conditions hold for this visitor (all others never show). */
  q: v.pipe(v.array(Id), v.maxLength(MAX_TRIGGERS_PER_SITE)),
  /** The cart: [total, items, currency] (the last the server knows; the page's `cart` replaces it). */
  ca: v.optional(v.tuple([v.number(), Count, Str(3)])),
  /** 1: inside business hours, 0: outside. Kept current by the server's answers (each ping), like `o`. */
  h: v.optional(Flag),
  /** 1: an operator is online and taking chats, 0: nobody is. */
  o: v.optional(Flag),
  /** 1: the visitor has a conversation going: no trigger shows. */
  a: v.optional(Flag),
  /** 1: the chat panel is open: no trigger shows (set by the page). */
  w: v.optional(Flag),
});
export type TriggerFacts = v.InferOutput<typeof TriggerFacts>;

// ---------------------------------------------------------------------------------------------
// Events: the chunk reports the first four (the presence module sends them as beacons); the chat
// records `conversation` when a visitor's reply starts one from a trigger.

export const TRIGGER_EVENTS = ["shown", "control", "dismissed", "clicked", "conversation"] as const;
export type TriggerEventName = (typeof TRIGGER_EVENTS)[number];
/** What was clicked: the reply button (opens the chat), the code's copy button, the product link. */
export const TRIGGER_CLICK_TARGETS = ["reply", "code", "link"] as const;

/** One event from the chunk: `e` what happened, `t` the trigger, `x` for `clicked`: what was clicked. */
export const TriggerEvent = v.object({
  e: v.picklist(["shown", "control", "dismissed", "clicked"]),
  t: Id,
  x: v.optional(v.picklist(TRIGGER_CLICK_TARGETS)),
});
export type TriggerEvent = v.InferOutput<typeof TriggerEvent>;

// ---------------------------------------------------------------------------------------------
// The admin API (`/api/sites/:siteId/triggers…`, worker/routes/triggers.ts).

/** A trigger's counters over the last TRIGGER_STATS_DAYS days, from the visitor shards' exposures (current salt only). */
export interface TriggerStats {
  /** Visitors shown the trigger (each once, however many showings). */
  shown: number;
  /** Held-out visitors recorded as "would have been shown". */
  control: number;
  dismissed: number;
  clicked: number;
  /** Conversations started by replying to it. */
  conversations: number;
}
export const TRIGGER_STATS_DAYS = 30;

/** A stored trigger as the admin reads it; `stats` on the list (absent when the shards could not be read). */
export type TriggerRecord = Trigger & { createdBy: string | null; stats?: TriggerStats };
/** `GET /api/sites/:siteId/triggers` */
export interface TriggerListResponse {
  triggers: TriggerRecord[];
  caps: TriggerCaps;
  /** The rule-set version (bumped by every change). */
  version: number;
}
/** `POST`, `GET`, `PUT …/triggers/:id`, `POST …/triggers/:id/restart-holdout` */
export interface TriggerResponse {
  trigger: TriggerRecord;
}
/** `GET`/`PUT /api/sites/:siteId/trigger-caps` */
export interface TriggerCapsResponse {
  caps: TriggerCaps;
}
