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
import type { Fn, Handoff } from "./handoff";

const w = window as Window & { __gadka?: Handoff };
const d = document;
const nav = navigator;
const h = w.__gadka;
if (h && !h.c) {
  // The launcher's name in the visitor's language (I18N-REVIEW: "Chat" was English everywhere).
  h.n(
    ...(({ pl: ["Otwórz czat", "Czat"], fi: ["Avaa chat", "Chat"], ru: ["Открыть чат", "Чат"] } as Record<string, [string, string]>)[
      navigator.language.slice(0, 2)
    ] ?? ["Open chat", "Chat"]),
  );
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
      localStorage.setItem(k, v);
    } catch {}
  };
  const cut = (s: string, n = 2048) => s.slice(0, n);
  const href = () => cut(location.href);
  const now = Date.now;

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
          .then((a: { t?: string; n?: number; o?: 1; x?: 1; error?: { code: string } }) => {
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
          })
          .catch(() => {});
      }));
  };
  const view = () => {
    if (href() == lastUrl) return;
    lastUrl = href();
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
    track: (e, data) => (e == "cart" || e == "purchase") && send(e, { d: data }),
  };
  h.c = (command, ...args) => commands[command]?.(...args);
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
