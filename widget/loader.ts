/**
 * The Gadka loader (/widget.js): the one script a shop embeds. Draws the chat button at once,
 * runs `Gadka(...)` commands, and loads the chat UI (an iframe from Gadka's origin) only on
 * intent: a click, `Gadka('open')`, a panel left open on the previous page, or unread replies.
 * Budget: 1.5 KB gzip. No framework, no protocol import, nothing that runs before it must.
 */
type Listener = (detail?: unknown) => void;
interface GadkaFn {
  (command: string, ...args: unknown[]): void;
  q?: IArguments[] | unknown[][];
}

((w: Window & { Gadka?: GadkaFn }, d: Document) => {
  const script = d.currentScript as HTMLScriptElement | null;
  if (!script || (w as { __gadka?: 1 }).__gadka) return;
  (w as { __gadka?: 1 }).__gadka = 1;
  const origin = new URL(script.src).origin;
  const key = script.dataset.site ?? "";
  const color = script.dataset.color ?? "#4f46e5";
  const peekKey = `gadka:peek:${key}`;
  const openKey = `gadka:open:${key}`;
  const listeners: Record<string, Listener[]> = {};
  const store = (s: Storage, k: string, v?: string | null): string | null => {
    try {
      if (v === undefined) return s.getItem(k);
      if (v === null) s.removeItem(k);
      else s.setItem(k, v);
    } catch {
      // storage blocked (private mode, policies): the widget still works, it just forgets
    }
    return null;
  };

  const host = d.createElement("div");
  host.id = "gadka-launcher";
  const root = host.attachShadow({ mode: "closed" });
  root.innerHTML = `<style>
:host{all:initial}
button{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;background:${color};color:#fff;cursor:pointer;box-shadow:0 6px 20px rgba(0,0,0,.2);display:grid;place-items:center;transition:transform .15s}
button:hover{transform:scale(1.06)}button:focus-visible{outline:3px solid ${color}55;outline-offset:3px}
svg{width:28px;height:28px}
b{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:#e11d48;font:600 12px/20px system-ui,sans-serif;text-align:center}
b:empty{display:none}
iframe{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:min(620px,calc(100vh - 108px));border:0;border-radius:16px;box-shadow:0 12px 40px rgba(0,0,0,.22);background:#fff;display:none}
.open iframe{display:block}
@media (max-width:480px){.open iframe{inset:0;width:100%;height:100%;border-radius:0}.open button{display:none}}
</style><div><button type="button" aria-label="Chat"><svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z"/></svg><b></b></button></div>`;
  const wrap = root.querySelector("div")!;
  const button = root.querySelector("button")!;
  const badge = root.querySelector("b")!;
  let frame: HTMLIFrameElement | null = null;
  let isOpen = false;

  const emit = (name: string, detail?: unknown) => {
    for (const fn of listeners[name] ?? []) {
      try {
        fn(detail);
      } catch (e) {
        console.error(e);
      }
    }
  };
  const post = (type: string) => frame?.contentWindow?.postMessage({ gadka: 1, type }, origin);
  const load = () => {
    if (frame) return;
    frame = d.createElement("iframe");
    frame.title = "Chat";
    frame.allow = "clipboard-write";
    frame.src = `${origin}/chat/?site=${encodeURIComponent(key)}&host=${encodeURIComponent(location.origin)}`;
    wrap.append(frame);
  };
  const setOpen = (open: boolean) => {
    if (open) load();
    isOpen = open;
    wrap.classList.toggle("open", open);
    button.setAttribute("aria-expanded", String(open));
    store(sessionStorage, openKey, open ? "1" : null);
    post(open ? "open" : "close");
    emit(open ? "open" : "close");
  };
  const setUnread = (n: number) => {
    badge.textContent = n > 0 ? String(Math.min(n, 99)) : "";
    emit("unread", n);
  };

  w.addEventListener("message", (e) => {
    const m = e.data as { gadka?: number; type?: string; count?: number; token?: string } | null;
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow || m?.gadka !== 1) return;
    if (m.type === "ready") {
      post(isOpen ? "open" : "close");
      emit("ready");
    } else if (m.type === "close") setOpen(false);
    else if (m.type === "unread") setUnread(Number(m.count) || 0);
    else if (m.type === "peek") store(localStorage, peekKey, m.token ?? null);
  });
  button.addEventListener("click", () => setOpen(!isOpen));

  const commands: Record<string, (...a: unknown[]) => void> = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    on: (name, fn) => {
      if (typeof fn === "function") (listeners[String(name)] ??= []).push(fn as Listener);
    },
  };
  const gadka: GadkaFn = (command, ...args) => {
    const run = commands[command];
    if (run) run(...args);
    else console.warn(`Gadka: unknown command "${command}"`);
  };
  const queued = w.Gadka?.q ?? [];
  w.Gadka = gadka;
  for (const args of queued) gadka(...(Array.from(args) as [string, ...unknown[]]));

  const mount = () => {
    d.body.append(host);
    if (store(sessionStorage, openKey)) setOpen(true);
  };
  if (d.body) mount();
  else d.addEventListener("DOMContentLoaded", mount);

  // Unread replies: asked only after the page has loaded and the browser is idle.
  const peek = store(localStorage, peekKey);
  if (peek) {
    const check = () =>
      fetch(`${origin}/api/widget/unread?peek=${encodeURIComponent(peek)}`)
        .then((r) => (r.ok ? r.json() : { unread: 0 }))
        .then((r: { unread: number }) => {
          setUnread(r.unread);
          if (r.unread > 0) load();
        })
        .catch(() => {});
    const idle = () => ("requestIdleCallback" in w ? w.requestIdleCallback(check, { timeout: 4000 }) : setTimeout(check, 1500));
    if (d.readyState === "complete") idle();
    else w.addEventListener("load", idle);
  }
})(window, document);
