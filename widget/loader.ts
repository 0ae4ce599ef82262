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
  const chatKey = `gadka:chat:${key}`;
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
  // The shop's branding (position, colours, label, hidden on phones, own button) is a style the
  // presence module wrote from an earlier page's answer: this page draws it at once.
  root.innerHTML = `<style>${get(local, `gadka:look:${key}`) ?? `button{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;width:56px;height:56px;border-radius:50%;background:${data.color ?? "#4f46e5"};color:#fff;cursor:pointer;box-shadow:0 6px 20px #0003}svg{width:28px;fill:none;stroke:#fff;stroke-width:2}b{position:absolute;top:0;right:0;min-width:10px;padding:0 5px;border-radius:10px;background:#e11d48;font:600 12px/20px system-ui}b:empty,iframe{display:none}`}</style><div><button aria-label="Chat" title="Chat"><svg viewBox="0 0 24 24"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg><b></b></button></div>`;
  const style = root.firstChild as HTMLElement;
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
    wrap.append(css, frame);
    src();
  };
  // The tracking token rides in the hash, which is never sent to a server: the chat adopts the
  // same visitor without the token landing in any log. The presence module's part of the chat's address (its language, and the visitor's last
  // `reset`), and its name for screen readers (the button's title, in the visitor's language).
  const src = () =>
    frame &&
    ((frame.title = button.title),
    (frame.src = `${origin}/chat/?site=${enc(key)}&host=${enc(location.origin)}&${get(local, chatKey)}#${enc(get(local, trackKey) || "")}`));
  const state = () => (isOpen ? "open" : "close");
  const setOpen = (open: boolean) => {
    if (open) load();
    isOpen = open;
    wrap.className = open ? "o" : "";
    set(session, openKey, open ? "1" : "");
    post(state());
    emit(state());
  };
  const setUnread = (n: number) => {
    badge.textContent = (n ? Math.min(n, 99) : "") as string;
    emit("unread", n);
  };

  const toggle = () => setOpen(!isOpen);
  const replies: Record<string, Fn> = {
    ready: () => {
      post(state());
      emit("ready");
    },
    close: () => setOpen(false),
    unread: (m) => setUnread(+m.count || 0),
    // The chat's visitor wins: tracking follows it.
    peek: (m) => m.track && set(local, trackKey, m.track),
    // The chat's events for the shop's listeners (message, conversation:started).
    on: (m) => emit(m.name, m.detail),
  };
  on(w, "message", (e: MessageEvent) => {
    const m = e.data;
    // Only our own iframe, from Gadka's origin, is listened to.
    e.origin == origin && e.source == frame?.contentWindow && m?.gadka == 1 && replies[m.type]?.(m);
  });
  button.onclick = toggle;

  const h: Handoff = (w.__gadka = {
    k: key,
    g: origin,
    p: data.ping,
    o: setOpen,
    u: setUnread,
    l: load,
    q: [],
    s: (css) => (style.textContent = css),
    r: src,
    v: listeners,
    b: button,
  });
  const commands: Record<string, Fn> = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle,
    on: (name, fn) => (listeners[name] ??= []).push(fn),
    show: () => (button.hidden = false),
    hide: () => (button.hidden = true),
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
