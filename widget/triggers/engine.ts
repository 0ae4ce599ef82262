/**
 * The trigger engine on the shop's page: evaluates the compact rule set on events (start, a
 * navigation, new facts, a cart change, the tab shown again, exit intent, and one timer for the
 * next time-based match) — never in a loop — keeps the never-nag memory in localStorage, shows
 * the teaser (loading its chunk the first time), and reports `shown`, `control`, `dismissed`
 * and `clicked` through `emit`. Without working storage it shows nothing: it could not keep its
 * promise not to nag.
 */
import { pageKey } from "../../protocol/page-key";
import type { CompactRuleSet, TriggerEvent, TriggerFacts } from "../../protocol/triggers";
import type { PageState } from "./conditions";
import { decide } from "./decide";
import { watchExitIntent } from "./exit-intent";
import { handoff } from "./handoff";
import { type Memory, readMemory } from "./memory";
import type { Teaser, TeaserOptions } from "./teaser";

export interface TriggerEngineOptions extends TeaserOptions {
  /** The site's public key: the memory is kept per site. */
  site: string;
  rules: CompactRuleSet;
  /** This visitor's facts from the server (`id` is the holdout key, `q` the eligible triggers). */
  facts: TriggerFacts;
  /** Every event, for the presence module to send as a beacon. */
  emit: (event: TriggerEvent) => void;
  /** The visitor replied: open the chat, and start its conversation from this trigger. */
  reply: (triggerId: string) => void;
}

export interface TriggerEngine {
  /** New facts: a beacon's answer; the chat opened (`w: 1`) or closed (`w: 0`); a conversation started (`a: 1`). */
  update(facts: Partial<TriggerFacts>): void;
  /** The page changed without a load (a single-page shop's navigation): time on page starts again. */
  page(): void;
  /** The shop's `Gadka('track', 'cart', data)` argument, as the shop passed it. */
  cart(data: unknown): void;
  /** Removes the teaser, the timer and the listeners. */
  stop(): void;
}

export function createTriggerEngine(o: TriggerEngineOptions): TriggerEngine {
  const storageKey = `gadka:trg:${o.site}`;
  const set = o.rules;
  // A rule set of a version this chunk does not know shows nothing (see protocol/triggers.ts).
  const rules = set.v === 1 ? set.r : [];
  const d = document;
  const loc = location;
  const now = Date.now;
  let facts = o.facts;
  let page: PageState;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let teaser: Teaser | undefined;
  // Stopping the engine aborts this: its listeners go, and nothing more is evaluated or shown.
  const listening = new AbortController();
  const signal = listening.signal;
  /** The trigger on screen (or whose teaser is loading): nothing else is evaluated meanwhile. */
  let showing: string | undefined;

  const load = (): Memory | null => {
    try {
      return readMemory(localStorage.getItem(storageKey), now());
    } catch {
      return null;
    }
  };
  const save = (m: Memory) => {
    try {
      localStorage.setItem(storageKey, JSON.stringify(m));
      return true;
    } catch {
      return false;
    }
  };
  const emit = (e: TriggerEvent["e"], t: string, x?: TriggerEvent["x"]) => o.emit({ e, t, x });
  const hide = () => {
    teaser?.hide();
    showing = undefined;
  };
  const withTeaser = (then: (t: Teaser) => void) => {
    const h = handoff();
    const ready = () => {
      if (!h.z || signal.aborted) return;
      teaser ??= h.z(o);
      then(teaser);
    };
    if (h.z) ready();
    else d.head.append(Object.assign(d.createElement("script"), { src: `${o.origin}/teaser.js`, onload: ready }));
  };

  const run = (exit = false) => {
    clearTimeout(timer);
    if (signal.aborted || showing || facts.a || facts.w || d.hidden) return;
    const m = load();
    if (!m) return;
    const at = now();
    const [show, heldOut, next] = decide(rules, { facts, page, usual: set.p, now: at, exit }, m, set.c);
    // Remembered first: what could not be remembered is neither shown nor counted.
    if ((heldOut[0] || show) && !save(m)) return;
    for (const r of heldOut) emit("control", r.i);
    if (!show) {
      // Every due time is a time on page, at most a day away (CompactCondition's seconds): well
      // inside what setTimeout takes (2^31 − 1 ms, 24.8 days).
      if (next < Infinity) timer = setTimeout(run, next - at);
      return;
    }
    const t = show.i;
    showing = t;
    withTeaser((teaser) => {
      teaser.show(show.a, facts.ca, {
        dismiss: () => {
          hide();
          const m = load();
          if (m) {
            m.x = 1;
            save(m);
          }
          emit("dismissed", t);
        },
        reply: () => {
          hide();
          emit("clicked", t, "reply");
          o.reply(t);
        },
        clicked: (x) => emit("clicked", t, x),
      });
      emit("shown", t);
    });
  };

  // Each page (a load, or a single-page shop's navigation) notes the visit's activity even when
  // nothing matches, so the next page — or a navigation 40 minutes into a long visit — knows it
  // is the same visit.
  const newPage = () => {
    page = { key: pageKey(loc.href), path: (loc.pathname + loc.search).toLowerCase(), since: now() };
    const m = load();
    if (m && save(m)) run();
  };
  const update = (f: Partial<TriggerFacts>) => {
    facts = { ...facts, ...f };
    // The chat opened or a conversation began: the teaser has done its work or is in the way.
    if (facts.a || facts.w) hide();
    run();
  };
  d.addEventListener("visibilitychange", () => run(), { signal });
  if (rules.some((r) => r.w.some((c) => c[0] === "x"))) watchExitIntent(() => run(true), signal);
  newPage();

  return {
    update,
    page: newPage,
    cart(data) {
      const c = Object(data) as { total?: unknown; currency?: unknown; items?: unknown };
      const items: { quantity?: unknown }[] = Array.isArray(c.items) ? c.items : [];
      const count = items.reduce((n, i) => n + (Number(i?.quantity ?? 1) || 0), 0);
      update({ ca: [Number(c.total) || 0, count, String(c.currency ?? "").toUpperCase()] });
    },
    stop() {
      clearTimeout(timer);
      listening.abort();
      teaser?.destroy();
    },
  };
}
