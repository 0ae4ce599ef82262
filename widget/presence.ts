/**
 * The presence module (/presence.js): loaded by the loader once the shop's page has loaded and
 * the browser is idle (DESIGN.md: "what a shop page pays", step 2). Records page views — also a
 * single-page shop's pushState/replaceState/back navigations — with text/plain beacons to
 * /api/track (no CORS preflight), pings while the tab is visible (time on page, the Live view,
 * invitations), a `leave` beacon when the page is hidden, and runs the `consent`, `identify`,
 * `setAttributes` and `track` commands the loader queued for it. Acts on each answer
 * (`TrackResponse`): keeps the tracking token, sets the unread badge, loads the chat for unread
 * replies, opens it for an operator's invitation, and goes silent when the site needs consent —
 * or, on a website the shop does not allow, removes the launcher and says so in the console.
 * Budget: 3 KB gzip; no framework, no protocol import (the body is `TrackBody`).
 */
import type { CompactRuleSet, TriggerEvent, TriggerFacts } from "../protocol/triggers";
import type { Fn, Handoff } from "./handoff";
import type { TriggerEngine } from "./triggers/engine";
import type { TriggerHandoff } from "./triggers/handoff";

const w = window as Window & { __gadka?: Handoff & TriggerHandoff };
const d = document;
const nav = navigator;
const h = w.__gadka as (Handoff & TriggerHandoff) | undefined;
if (h && !h.c) {
  const trackUrl = `${h.g}/api/track`;
  const trackKey = `gadka:track:${h.k}`;
  const consentKey = `gadka:consent:${h.k}`;
  const on = (t: EventTarget, e: string, f: Fn) => t.addEventListener(e, f);
  const get = (k: string) => {
    try {
      return localStorage.getItem(k);
    } catch {
      return null;
    }
  };
  const set = (k: string, v: string) => {
    try {
      v ? localStorage.setItem(k, v) : localStorage.removeItem(k);
    } catch {}
  };
  const cut = (s: string, n = 2048) => s.slice(0, n);
  const href = () => cut(location.href);
  const now = Date.now;
  const local = (k: string) => `gadka:${k}:${h.k}`;
  const lookKey = local("look");
  const brandKey = local("brand");
  const chatKey = local("chat");
  // Gadka('setLocale', …) holds for this tab's visit (sessionStorage), over the shop's forced one.
  const localeKey = local("locale");
  const session = (k: string, v?: string) => {
    try {
      return v == null ? sessionStorage.getItem(k) : sessionStorage.setItem(k, v);
    } catch {}
  };
  const LANGS = ["en", "pl", "fi", "ru"];
  const parse = (j: string | null) => {
    try {
      return JSON.parse(j!);
    } catch {}
  };
  // The launcher's look from the last view's answer: [accent, text, side, x, y, label, phones, own button, language].
  let brand: [string, string, string, number, number, string, number, number, string] = parse(get(brandKey)) || [];
  let lang = "";
  let reset = get(chatKey)?.match(/z=(\w+)/)?.[1] ?? "";
  /** The widget's language: setLocale, else the shop's forced one, else the browser's, else English. */
  const language = () =>
    [session(localeKey), brand[8], ...(nav.languages ?? [nav.language]).map((l) => l.slice(0, 2).toLowerCase())].find((l) =>
      LANGS.includes(l!),
    ) ?? "en";
  const applyLanguage = (extra = "") => {
    const l = language();
    // The launcher's name (its label when the shop gave one: the visible text is in the name).
    const [open, chat] = (
      { pl: ["Otwórz czat", "Czat"], fi: ["Avaa chat", "Chat"], ru: ["Открыть чат", "Чат"] } as Record<string, string[]>
    )[l] ?? ["Open chat", "Chat"];
    h.b.ariaLabel = brand[5] || open!;
    // The title is the chat panel's name too (the loader gives it to the iframe).
    h.b.title = chat!;
    set(chatKey, `lang=${l}&z=${reset}${extra}`);
    // A chat already loaded reloads in the new language (the page does not).
    if (lang && l != lang) h.r();
    lang = l;
  };
  const hex = (c: string | undefined, or: string) => (/^#[0-9a-f]{6}$/i.test(c!) ? c : or);
  /** The launcher's style from the branding (the loader draws it from storage on the next pages). */
  const paint = () => {
    const [c, i, s, x, y, label, phones, own] = brand;
    const side = s == "l" ? "left" : "right";
    const px = (n: unknown) => `${Math.min(200, Math.max(0, +n! | 0))}px`;
    // Every character but letters and digits as a CSS escape: the label cannot end the string or the style.
    const text = [...(label || "")].map((ch) => (/[\p{L}\p{N}]/u.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `)).join("");
    const css =
      `button{position:fixed;${side}:${px(x ?? 20)};bottom:${px(y ?? 20)};z-index:2147483000;box-sizing:border-box;display:flex;align-items:center;justify-content:center;gap:8px;min-width:56px;height:56px;padding:0 ${label ? "20px 0 16px" : "0"};border:0;border-radius:28px;background:${hex(c, "#4f46e5")};color:${hex(i, "#fff")};font:600 15px system-ui,sans-serif;cursor:pointer;box-shadow:0 6px 20px #0003}` +
      `button[hidden]{display:none}svg{width:28px;fill:none;stroke:currentColor;stroke-width:2}b{position:absolute;top:-4px;${side == "left" ? "left" : "right"}:-4px;min-width:10px;padding:0 5px;border-radius:10px;background:#e11d48;color:#fff;font:600 12px/20px system-ui}b:empty,iframe{display:none}` +
      `:host iframe{${side}:${px(x ?? 20)};${side == "left" ? "right" : "left"}:auto;bottom:${own ? px(y ?? 20) : `${Math.min(200, +y! | 0) + 68}px`}}` +
      (text ? `button::after{content:"${text}"}` : "") +
      (phones ? "@media (max-width:480px),(hover:none) and (pointer:coarse) and (max-width:900px){button{display:none}}" : "") +
      (own ? "button{display:none}" : "");
    if (get(lookKey) != css) {
      set(lookKey, css);
      h.s(css);
    }
  };
  const emit = (name: string, detail?: unknown) => h.v[name]?.forEach((fn) => fn(detail));
  const listen = (name: string, fn: Fn) => (h.v[name] ??= []).push(fn);
  const enc = encodeURIComponent;

  // Proactive triggers (widget/triggers/README.md): only for a site whose answers carry a rule-set
  // version `r`; then /triggers.js, the rule set of that version (kept in localStorage, so a page
  // of the same version costs no request; else the HTTP cache), and the engine with the facts `g`.
  const rulesKey = local("rules");
  let engine: TriggerEngine | undefined;
  let version = "";
  let rules: CompactRuleSet | undefined;
  let facts: TriggerFacts | undefined;
  let open = 0;
  const start = () => {
    engine?.stop();
    engine =
      rules && facts && h.e
        ? h.e({
            site: h.k,
            rules,
            facts: { ...facts, w: open as 0 | 1 },
            container: h.b.parentNode!.parentNode!,
            at: { side: brand[2] == "l" ? "left" : "right", x: +brand[3]! || 20, y: +brand[4]! || 20, size: 56 },
            button: h.b,
            origin: h.g,
            color: hex(brand[0], "#4f46e5")!,
            ink: hex(brand[1], "#fff")!,
            lang,
            emit: (e: TriggerEvent) => {
              send("trigger", { d: e });
              e.e == "shown" && emit("trigger:shown", { id: e.t });
              e.e == "clicked" && emit("trigger:clicked", { id: e.t, target: e.x });
            },
            // A reply opens the chat on this trigger: its message first, its id on the conversation.
            reply: (id: string) => {
              const a = rules?.r.find((r) => r.i == id)?.a;
              applyLanguage(`&trigger=${enc(id)}&tn=${enc(a?.n ?? "")}&tm=${enc(a?.m ?? "")}`);
              h.r();
              h.o(true);
            },
          })
        : undefined;
  };
  const triggers = (r: string, g?: TriggerFacts) => {
    if (g) facts = g;
    if (r == version) return g && engine?.update(g);
    version = r;
    const kept = parse(get(rulesKey));
    const load = (): Promise<CompactRuleSet> =>
      kept?.v == r
        ? Promise.resolve(kept.s)
        : fetch(`${h.g}/api/widget/triggers/${enc(h.k)}?v=${enc(r)}`)
            .then((x) => x.json())
            .then((s) => (s.v == 1 && set(rulesKey, JSON.stringify({ v: r, s })), s));
    const script = () =>
      new Promise((done) => {
        if (h.e) return done(0);
        const el = d.createElement("script");
        el.src = `${h.g}/triggers.js`;
        el.onload = done;
        d.head.append(el);
      });
    Promise.all([load(), script()])
      .then(([s]) => {
        if (version != r) return;
        rules = s;
        start();
      })
      .catch(() => {});
  };
  listen("open", () => engine?.update({ w: (open = 1) }));
  listen("close", () => engine?.update({ w: (open = 0) }));
  listen("conversation:started", () => {
    engine?.update({ a: 1 });
    // The trigger is on that conversation now: the chat's address goes back to language and reset.
    applyLanguage();
  });

  // Beacons go one after another: the first answer names the visitor for the rest.
  let consent = get(consentKey);
  let blocked = consent == "0";
  let lastUrl = "";
  // This tab's name for its current page view: its pings and leave are about that view only.
  let pv = "";
  let since = now();
  let gone = 0;
  let chain: Promise<unknown> = Promise.resolve();
  // Read at each send: the chat may have handed over its visitor's token meanwhile.
  const json = (b: object) => JSON.stringify({ k: h.k, t: get(trackKey) || void 0, c: consent == "1" || void 0, ...b });
  const send = (e: string, x?: object) => {
    const b = { e, u: href(), pv: pv || void 0, ...x };
    blocked ||
      (chain = chain.then(() => {
        const sent = get(trackKey);
        return fetch(trackUrl, { method: "POST", body: json(b), keepalive: true })
          .then((r) => r.json())
          .then((a: { t?: string; n?: number; o?: 1; x?: 1; b?: typeof brand; r?: string; g?: TriggerFacts; error?: { code: string } }) => {
            // Not one of the shop's allowed websites: the widget leaves this page and says why.
            if (a.error?.code == "bad_origin") {
              blocked = true;
              d.getElementById("gadka-launcher")?.remove();
              console.warn(
                `Gadka: this shop's chat is not allowed on ${location.origin}. Add it in Gadka → Settings → Websites the widget may run on.`,
              );
            }
            // Keep the answer's token unless the chat handed over its visitor's while this beacon
            // was on its way: the chat's visitor wins, or the page and the chat become two people.
            a.t && get(trackKey) == sent && set(trackKey, a.t);
            // The site wants consent first: nothing was stored, and nothing more is sent.
            a.x && (blocked = consent != "1");
            // Unread replies are intent enough to load the chat (not to open it).
            h.u(a.n! | 0);
            a.n && h.l();
            a.o && h.o(true);
            a.r ? triggers(a.r, a.g) : a.g && engine?.update(a.g);
            // A view's answer brings the shop's branding: kept for the next pages' loader.
            if (a.b) {
              brand = a.b;
              set(brandKey, JSON.stringify(brand));
              paint();
              applyLanguage();
            }
          })
          .catch(() => {});
      }));
  };
  const view = () => {
    if (href() == lastUrl) return;
    lastUrl = href();
    engine?.page();
    pv = Math.random().toString(36).slice(2, 12) || "0";
    since = now();
    gone = 0;
    send("view", { ti: cut(d.title, 300), r: cut(d.referrer), l: nav.language });
  };
  const ms = () => ({ ms: now() - since });
  const ping = () => d.hidden || ((gone = 0), send("ping", ms()));
  const leave = () => {
    // Without a token no visitor was recorded yet: there is nothing to end.
    gone || blocked || !get(trackKey) || nav.sendBeacon(trackUrl, json({ e: "leave", u: href(), pv, ...ms() }));
    gone = 1;
  };

  const commands: Record<string, Fn> = {
    consent: (yes) => {
      set(consentKey, (consent = yes ? "1" : "0"));
      // Given after the server refused this page's view: record the page now.
      if (yes && blocked) lastUrl = "";
      blocked = !yes;
      view();
      send("consent");
    },
    identify: (id) => send("identify", { id }),
    setAttributes: (a) => send("attributes", { a }),
    track: (e, data) => {
      (e == "cart" || e == "purchase") && send(e, { d: data });
      e == "cart" && engine?.cart(data);
    },
    setLocale: (l) => {
      session(localeKey, LANGS.includes(l) ? l : "");
      const before = lang;
      applyLanguage();
      // A teaser in the old language is drawn again in the new one.
      lang != before && engine && start();
    },
    off: (name, fn) => (h.v[name] = h.v[name]?.filter((f) => f != fn) ?? []),
    // A shop's logout or a shared computer: this browser becomes a new anonymous visitor. The
    // tracking token, the chat's token (the chat forgets it when its address's `z` changes), the
    // open panel and the trigger memory go; nothing is deleted on the server.
    reset: () => {
      h.o(false);
      h.u(0);
      engine?.stop();
      engine = undefined;
      version = "";
      for (const k of [trackKey, local("trg")]) set(k, "");
      reset = Math.random().toString(36).slice(2, 10);
      lang = "";
      applyLanguage();
      h.r();
      lastUrl = "";
      view();
    },
  };
  h.c = (command, ...args) => commands[command]?.(...args);
  applyLanguage();
  // The shop's own buttons: any element with data-gadka-open opens the chat.
  on(d, "click", (e) => (e.target as Element).closest?.("[data-gadka-open]") && h.o(true));
  // Commands given before this module arrived, in their order, then this page's view.
  for (const [command, ...args] of h.q.splice(0)) h.c(command, ...args);
  view();

  // Single-page shops: each pushState/replaceState/back to another URL is a page view. The
  // short delay lets the shop's app set the new title first.
  const navigated = () => setTimeout(view, 50);
  for (const m of ["pushState", "replaceState"] as const) {
    const f = history[m];
    history[m] = function (this: History, ...a: Parameters<History["pushState"]>) {
      f.apply(this, a);
      navigated();
    };
  }
  on(w, "popstate", navigated);
  on(w, "pagehide", leave);
  on(d, "visibilitychange", () => (d.hidden ? leave() : ping()));
  setInterval(ping, +h.p! || 15_000);
}
