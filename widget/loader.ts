/**
 * The Gadka loader (/widget.js): the one script a shop embeds. Draws the chat button at once,
 * runs the panel's `Gadka(...)` commands, and loads the chat UI (an iframe from Gadka's origin)
 * only on intent: a click, `Gadka('open')`, a panel left open on the previous page, unread
 * replies, or an operator's invitation. Once the page has loaded and the browser is idle it
 * loads the presence module (/presence.js, widget/presence.ts): page views, pings, identify,
 * attributes, cart and purchase, consent — commands for it wait in a queue until then.
 * Budget: 1.5 KB gzip, so no framework and no protocol import; messages with the iframe are
 * `{gadka: 1, type}`. `data-ping="<ms>"` on the script tag overrides the ping interval (tests).
 * Built as an IIFE by esbuild, so these top-level names stay private.
 */
import type { Fn, Handoff } from "./handoff";

const w = window as Window & { Gadka?: Fn & { q?: ArrayLike<unknown>[] }; __gadka?: Handoff };
const d = document;
const script = d.currentScript as HTMLScriptElement | null;
if (script && !w.__gadka) {
  const data = script.dataset;
  const origin = new URL(script.src).origin;
  const key = data.site ?? "";
  const openKey = `gadka:open:${key}`;
  const trackKey = `gadka:track:${key}`;
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
  // The launcher's and the panel's name for screen readers; the presence module puts it in the
  // visitor's language once loaded (the dictionaries do not fit this budget).
  let title = "Chat";
  let isOpen = false;

  const emit = (name: string, detail?: unknown) => listeners[name]?.forEach((fn) => fn(detail));
  const post = (type: string) => frame?.contentWindow?.postMessage({ gadka: 1, type }, origin);
  const load = () => {
    if (frame) return;
    const css = d.createElement("link");
    css.rel = "stylesheet";
    css.href = `${origin}/chat/frame.css`;
    frame = d.createElement("iframe");
    frame.title = title;
    // The tracking token rides in the hash, which is never sent to a server: the chat adopts the
    // same visitor without the token landing in any log.
    frame.src = `${origin}/chat/?site=${enc(key)}&host=${enc(location.origin)}#${enc(get(local, trackKey) || "")}`;
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
    // The chat's visitor wins: tracking follows it.
    if (m.type === "peek" && m.track) set(local, trackKey, m.track);
  });
  button.onclick = () => setOpen(!isOpen);

  const name = (b: string, t: string) => {
    button.ariaLabel = b;
    title = t;
    if (frame) frame.title = t;
  };
  const h: Handoff = (w.__gadka = { k: key, g: origin, p: data.ping, o: setOpen, u: setUnread, l: load, n: name, q: [] });
  const commands: Record<string, Fn> = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    on: (name, fn) => (listeners[name] ??= []).push(fn),
  };
  const gadka: Fn = (command, ...args) =>
    commands[command] ? commands[command](...args) : h.c ? h.c(command, ...args) : h.q.push([command, ...args]);
  const queued = w.Gadka?.q ?? [];
  w.Gadka = gadka;
  for (const args of queued) gadka(...Array.from(args));

  const mount = () => {
    d.body.append(host);
    if (get(session, openKey)) setOpen(true);
  };
  d.body ? mount() : on(d, "DOMContentLoaded", mount);

  const start = () => {
    const s = d.createElement("script");
    s.src = `${origin}/presence.js`;
    d.head.append(s);
  };
  const idle = () => ("requestIdleCallback" in w ? requestIdleCallback(start, { timeout: 4000 }) : setTimeout(start, 1500));
  d.readyState == "complete" ? idle() : on(w, "load", idle);
}
