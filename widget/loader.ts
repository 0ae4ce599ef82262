/**
 * The Gadka loader (/widget.js): the one script a shop embeds. Draws the chat button at once,
 * runs `Gadka(...)` commands, and loads the chat UI (an iframe from Gadka's origin) only on
 * intent: a click, `Gadka('open')`, a panel left open on the previous page, or unread replies.
 * Budget: 1.5 KB gzip, so no framework and no protocol import; messages are `{gadka: 1, type}`.
 */
type Fn = (...a: unknown[]) => void;
type GadkaFn = Fn & { q?: ArrayLike<unknown>[] };

((w: Window & { Gadka?: GadkaFn; __gadka?: 1 }, d: Document) => {
  const script = d.currentScript as HTMLScriptElement | null;
  if (!script || w.__gadka) return;
  w.__gadka = 1;
  const origin = new URL(script.src).origin;
  const key = script.dataset.site ?? "";
  const color = script.dataset.color ?? "#4f46e5";
  const peekKey = `gadka:peek:${key}`;
  const openKey = `gadka:open:${key}`;
  const listeners: Record<string, Fn[]> = {};
  // Storage may be blocked (privacy settings): then the widget simply forgets between pages.
  const get = (s: () => Storage, k: string) => {
    try {
      return s().getItem(k);
    } catch {
      return null;
    }
  };
  const set = (s: () => Storage, k: string, v: string | null) => {
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
  root.innerHTML = `<style>button,iframe{position:fixed;right:20px;z-index:2147483000;border:0}button{bottom:20px;width:56px;height:56px;border-radius:50%;background:${color};color:#fff;cursor:pointer;box-shadow:0 6px 20px #0003}svg{width:28px}b{position:absolute;top:0;right:0;min-width:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#e11d48;font:600 12px/20px system-ui}b:empty,iframe{display:none}iframe{bottom:88px;width:380px;height:min(620px,calc(100vh - 108px));border-radius:16px;box-shadow:0 12px 40px #0004;background:#fff}.o iframe{display:block}@media(max-width:480px){.o iframe{inset:0;width:100%;height:100%;border-radius:0}.o button{display:none}}</style><div><button aria-label="Chat"><svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg><b></b></button></div>`;
  const wrap = root.lastChild as HTMLElement;
  const button = wrap.firstChild as HTMLElement;
  const badge = button.lastChild as HTMLElement;
  let frame: HTMLIFrameElement | undefined;
  let isOpen = false;

  const emit = (name: string, detail?: unknown) => listeners[name]?.forEach((fn) => fn(detail));
  const post = (type: string) => frame?.contentWindow?.postMessage({ gadka: 1, type }, origin);
  const load = () => {
    if (frame) return;
    frame = d.createElement("iframe");
    frame.title = "Chat";
    frame.src = `${origin}/chat/?site=${encodeURIComponent(key)}&host=${encodeURIComponent(location.origin)}`;
    wrap.append(frame);
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

  w.addEventListener("message", (e) => {
    const m = e.data;
    // Only our own iframe, from Gadka's origin, is listened to.
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow || m?.gadka !== 1) return;
    if (m.type === "ready") {
      post(isOpen ? "open" : "close");
      emit("ready");
    }
    if (m.type === "close") setOpen(false);
    if (m.type === "unread") setUnread(+m.count || 0);
    if (m.type === "peek") set(local, peekKey, m.token);
  });
  button.onclick = () => setOpen(!isOpen);

  const commands: Record<string, Fn> = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    on: (name, fn) => (listeners[name as string] ??= []).push(fn as Fn),
  };
  const gadka: GadkaFn = (command, ...args) =>
    commands[command as string] ? commands[command as string]!(...args) : console.warn("Gadka?", command);
  const queued = w.Gadka?.q ?? [];
  w.Gadka = gadka;
  for (const args of queued) gadka(...Array.from(args));

  const mount = () => {
    d.body.append(host);
    if (get(session, openKey)) setOpen(true);
  };
  d.body ? mount() : d.addEventListener("DOMContentLoaded", mount);

  // Unread replies are asked for only after the page has loaded and the browser is idle.
  const peek = get(local, peekKey);
  const check = () =>
    fetch(`${origin}/api/widget/unread?peek=${encodeURIComponent(peek!)}`)
      .then((r) => r.json())
      .then((r: { unread?: number }) => {
        setUnread(r.unread ?? 0);
        if (r.unread) load();
      }, () => {});
  const idle = () => ("requestIdleCallback" in w ? requestIdleCallback(check, { timeout: 4000 }) : setTimeout(check, 1500));
  if (peek) d.readyState == "complete" ? idle() : w.addEventListener("load", idle);
})(window, document);
