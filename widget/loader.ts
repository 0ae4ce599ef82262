/**
 * The Gadka loader (/widget.js): the one script a shop embeds. Draws the chat button at once,
 * runs `Gadka(...)` commands, records page views (also a single-page shop's pushState
 * navigations) with a text/plain beacon to /api/track once the page has loaded, and loads the
 * chat UI (an iframe from Gadka's origin) only on intent: a click, `Gadka('open')`, a panel left
 * open on the previous page, unread replies, or an operator's invitation.
 * Budget: 1.5 KB gzip, so no framework and no protocol import (the body is `TrackBody`, the
 * answer `TrackResponse`); messages with the iframe are `{gadka: 1, type}`.
 * `data-ping="<ms>"` on the script tag overrides the ping interval (PING_INTERVAL_MS; for tests).
 * Built as an IIFE by esbuild, so these top-level names stay private.
 */
type Fn = (...a: any[]) => void;

const w = window as Window & { Gadka?: Fn & { q?: ArrayLike<unknown>[] }; __gadka?: 1 };
const d = document;
const nav = navigator;
const script = d.currentScript as HTMLScriptElement | null;
if (script && !w.__gadka) {
  w.__gadka = 1;
  const data = script.dataset;
  const origin = new URL(script.src).origin;
  const key = data.site ?? "";
  const trackUrl = `${origin}/api/track`;
  const openKey = `gadka:open:${key}`;
  const trackKey = `gadka:track:${key}`;
  const consentKey = `gadka:consent:${key}`;
  const enc = encodeURIComponent;
  const on = (t: EventTarget, e: string, f: Fn) => t.addEventListener(e, f);
  const listeners: Record<string, Fn[]> = {};
  // Storage may be blocked (privacy settings): then the widget simply forgets between pages.
  const get = (s: () => Storage, k: string) => {
    try {
      return s().getItem(k);
    } catch {
      return null;
    }
  };
  const set = (s: () => Storage, k: string, v?: string | null) => {
    try {
      v ? s().setItem(k, v) : s().removeItem(k);
    } catch {}
  };
  const session = () => sessionStorage;
  const local = () => localStorage;
  const cut = (s: string, n = 2048) => s.slice(0, n);
  const href = () => cut(location.href);
  const now = Date.now;

  const host = d.createElement("div");
  host.id = "gadka-launcher";
  // A closed shadow root: the shop's CSS cannot restyle the widget, nor its scripts reach in.
  const root = host.attachShadow({ mode: "closed" });
  // Only the button's style is here; the open panel's comes with the chat (/chat/frame.css).
  root.innerHTML = `<style>button{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;width:56px;height:56px;border-radius:50%;background:${data.color ?? "#4f46e5"};color:#fff;cursor:pointer;box-shadow:0 6px 20px #0003}svg{width:28px;fill:none;stroke:#fff;stroke-width:2}b{position:absolute;top:0;right:0;min-width:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#e11d48;font:600 12px/20px system-ui}b:empty,iframe{display:none}</style><div><button aria-label="Chat"><svg viewBox="0 0 24 24"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg><b></b></button></div>`;
  const wrap = root.lastChild as HTMLElement;
  const button = wrap.firstChild as HTMLElement;
  const badge = button.lastChild as HTMLElement;
  let frame: HTMLIFrameElement | undefined;
  let isOpen = false;

  const emit = (name: string, detail?: unknown) => listeners[name]?.forEach((fn) => fn(detail));
  const post = (type: string) => frame?.contentWindow?.postMessage({ gadka: 1, type }, origin);
  const load = () => {
    if (frame) return;
    const css = d.createElement("link");
    css.rel = "stylesheet";
    css.href = `${origin}/chat/frame.css`;
    frame = d.createElement("iframe");
    frame.title = "Chat";
    // The tracking token rides in the hash, which is never sent to a server: the chat adopts the
    // same visitor without the token landing in any log.
    frame.src = `${origin}/chat/?site=${enc(key)}&host=${enc(location.origin)}#${enc(token || "")}`;
    wrap.append(css, frame);
  };
  const setOpen = (open: boolean) => {
    if (open) load();
    isOpen = open;
    wrap.className = open ? "o" : "";
    set(session, openKey, open ? "1" : null);
    post(open ? "open" : "close");
    emit(open ? "open" : "close");
  };
  const setUnread = (n: number) => {
    badge.textContent = n > 0 ? String(Math.min(n, 99)) : "";
    emit("unread", n);
  };

  // Beacons go one after another (the first answer names the visitor for the rest), and only
  // once the page has loaded and the browser is idle: until then they wait behind the gate.
  let token = get(local, trackKey);
  const keep = (t?: string) => t && set(local, trackKey, (token = t));
  let consent = get(local, consentKey);
  let blocked = consent == "0";
  let lastUrl = "";
  let since = 0;
  let gone = 0;
  let opened!: Fn;
  let chain: Promise<unknown> = new Promise((r) => (opened = r));
  const json = (b: object) => JSON.stringify({ k: key, t: token || void 0, c: consent == "1" || void 0, ...b });
  const send = (e: string, x?: object) => {
    const b = { e, u: href(), ...x };
    blocked ||
      (chain = chain.then(() =>
        fetch(trackUrl, { method: "POST", body: json(b), keepalive: true })
          .then((r) => r.json())
          .then((a: { t?: string; n?: number; o?: 1; x?: 1 }) => {
            keep(a.t);
            // The site wants consent first: nothing was stored, and nothing more is sent.
            a.x && (blocked = consent != "1");
            // Unread replies are intent enough to load the chat (not to open it).
            setUnread(a.n! | 0);
            a.n && load();
            a.o && setOpen(true);
          })
          .catch(() => {}),
      ));
  };
  const view = () => {
    if (href() == lastUrl) return;
    lastUrl = href();
    since = now();
    send("view", { ti: cut(d.title, 300), r: cut(d.referrer), l: nav.language });
  };
  const ms = () => ({ ms: now() - since });
  const ping = () => d.hidden || ((gone = 0), send("ping", ms()));
  const leave = () => {
    // Without a token no visitor was recorded yet: there is nothing to end.
    gone || blocked || !token || nav.sendBeacon(trackUrl, json({ e: "leave", u: href(), ...ms() }));
    gone = 1;
  };

  on(w, "message", (e: MessageEvent) => {
    const m = e.data;
    // Only our own iframe, from Gadka's origin, is listened to.
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow || m?.gadka !== 1) return;
    if (m.type === "ready") {
      post(isOpen ? "open" : "close");
      emit("ready");
    }
    if (m.type === "close") setOpen(false);
    if (m.type === "unread") setUnread(+m.count || 0);
    if (m.type === "peek") keep(m.track);
  });
  button.onclick = () => setOpen(!isOpen);

  const commands: Record<string, Fn> = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    on: (name, fn) => (listeners[name] ??= []).push(fn),
    consent: (yes) => {
      set(local, consentKey, (consent = yes ? "1" : "0"));
      // Given after the server refused this page's view: record the page now.
      if (yes && blocked) lastUrl = "";
      blocked = !yes;
      view();
      send("consent");
    },
    identify: (id) => send("identify", { id }),
    setAttributes: (a) => send("attributes", { a }),
    track: (e, d) => send(e, { d }),
  };
  const gadka: Fn = (command, ...args) => commands[command]?.(...args);
  const queued = w.Gadka?.q ?? [];
  w.Gadka = gadka;
  for (const args of queued) gadka(...Array.from(args));
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

  const mount = () => {
    d.body.append(host);
    if (get(session, openKey)) setOpen(true);
  };
  d.body ? mount() : on(d, "DOMContentLoaded", mount);

  const start = () => {
    opened();
    setInterval(ping, +data.ping! || 15_000);
  };
  const idle = () => ("requestIdleCallback" in w ? requestIdleCallback(start, { timeout: 4000 }) : setTimeout(start, 1500));
  d.readyState == "complete" ? idle() : on(w, "load", idle);
}
