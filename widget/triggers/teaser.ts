/**
 * The teaser: a small card beside the launcher with the sender's photo and name, the message, an
 * optional offer card, dismiss (×, Escape) and reply. It lives in a shadow root of its own inside
 * the container the loader gives (its closed root), so neither the shop's CSS nor the loader's
 * reach it. Fixed position (no layout shift), data only ever as text (never HTML), links only
 * http(s), images only https. The teaser chunk (teaser-main.ts); driven by engine.ts, tested in Chromium.
 */
import type { CompactAction, TriggerFacts } from "../../protocol/triggers";
import { money, wordsFor } from "./words";

/** Where the launcher sits: its side, its offsets from that side and the bottom, and its size (px). */
export interface LauncherBox {
  side: "left" | "right";
  x: number;
  y: number;
  size: number;
}

export interface TeaserOptions {
  container: ParentNode;
  at: LauncherBox;
  /** The shop's accent colour and the text colour on it. */
  color: string;
  ink?: string;
  /** Gadka's origin: a photo given as a path is served from there. */
  origin: string;
  /** The widget's language. */
  lang: string;
  /** The launcher button: focus goes back to it when the visitor dismisses the teaser from the keyboard. */
  button?: HTMLElement | undefined;
}

export interface TeaserHandlers {
  dismiss(): void;
  reply(): void;
  clicked(what: "code" | "link"): void;
}

export interface Teaser {
  show(action: CompactAction, cart: TriggerFacts["ca"], on: TeaserHandlers): void;
  /** Takes the card away (no event). */
  hide(): void;
  destroy(): void;
}

const CSS =
  ":host{all:initial;--a:#4f46e5;--i:#fff}" +
  ".t{position:fixed;z-index:2147483000;box-sizing:border-box;width:300px;max-width:calc(100vw - 24px);padding:12px 14px 14px;border-radius:14px;background:#fff;color:#1f2330;font:14px/1.4 system-ui,sans-serif;box-shadow:0 8px 28px #0003}" +
  ".h{display:flex;align-items:center;gap:8px;margin-bottom:6px}" +
  ".h img,.h i{width:32px;height:32px;border-radius:50%;object-fit:cover;flex:none;background:var(--a);color:var(--i);font:600 14px/32px system-ui;text-align:center;font-style:normal}" +
  ".h strong{flex:1}" +
  "button{font:inherit;cursor:pointer;border:0}" +
  ".x{background:none;color:#555;font-size:20px;line-height:1;padding:4px 8px;border-radius:8px}" +
  "p{margin:0 0 10px;white-space:pre-wrap;overflow-wrap:anywhere}" +
  ".o{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin:0 0 10px;padding:8px 10px;border:1px dashed #99a;border-radius:10px;color:inherit;text-decoration:none}" +
  ".o code{flex:1;font:600 15px ui-monospace,monospace}" +
  ".o button{background:#eef;padding:6px 10px;border-radius:8px}" +
  ".o img{width:56px;height:56px;object-fit:cover;border-radius:6px}" +
  ".o small{flex-basis:100%}" +
  ".r{width:100%;padding:9px 14px;border-radius:10px;background:var(--a);color:var(--i);font-weight:600}" +
  ":focus-visible{outline:2px solid var(--a);outline-offset:2px}" +
  ".s{position:fixed;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}" +
  "@media (prefers-reduced-motion:no-preference){.t{animation:g .25s ease-out}}" +
  "@keyframes g{from{opacity:0;transform:translateY(8px)}}";

const HTTPS = /^https:\/\//i;

export function createTeaser(o: TeaserOptions): Teaser {
  const d = document;
  const host = d.createElement("div");
  const root = host.attachShadow({ mode: "closed" });
  host.style.setProperty("--a", o.color);
  if (o.ink) host.style.setProperty("--i", o.ink);
  const [language, words] = wordsFor(o.lang);
  root.innerHTML = `<style>${CSS}</style><div class="s" role="status"></div>`;
  // The status line exists before anything is said into it: screen readers announce changes of a
  // live region, not a region that appears with its text.
  const status = root.lastChild as HTMLElement;
  o.container.append(host);
  let card: HTMLElement | undefined;

  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text = "") => {
    const e = d.createElement(tag);
    e.className = cls;
    e.textContent = text;
    return e;
  };
  const hide = () => {
    card?.remove();
    card = undefined;
  };
  const say = (text: string) => {
    status.textContent = text;
  };

  const show = (a: CompactAction, cart: TriggerFacts["ca"], on: TeaserHandlers) => {
    hide();
    const c = el("div", "t");
    card = c;
    c.setAttribute("role", "dialog");
    c.setAttribute("aria-labelledby", "gn");
    c.setAttribute("aria-describedby", "gm");
    c.style[o.at.side] = `${o.at.x}px`;
    c.style.bottom = `${o.at.y + o.at.size + 12}px`;
    c.innerHTML = `<div class="h"><strong id="gn"></strong><button class="x">×</button></div><p id="gm"></p>`;
    const head = c.firstChild as HTMLElement;
    const close = head.lastChild as HTMLButtonElement;
    (head.firstChild as HTMLElement).textContent = a.n;
    (c.lastChild as HTMLElement).textContent = a.m;
    close.setAttribute("aria-label", words.close);

    // A photo path is on Gadka's origin ("//host" would be another site's: refused).
    const photo = a.p && (HTTPS.test(a.p) ? a.p : /^\/(?!\/)/.test(a.p) ? o.origin + a.p : "");
    if (photo) {
      const img = el("img", "");
      img.alt = "";
      img.src = photo;
      img.onerror = () => img.remove();
      head.prepend(img);
    } else head.prepend(el("i", "", a.n.slice(0, 1).toUpperCase()));

    const offer = a.o;
    if (offer?.k === "c") {
      const box = el("div", "o");
      const code = el("code", "", offer.c);
      const copy = el("button", "", words.copy);
      copy.onclick = () => {
        on.clicked("code");
        // Without the async clipboard (an http page, an old browser) the code is selected instead,
        // for the visitor to copy with the keyboard or the context menu.
        const select = () => getSelection()?.selectAllChildren(code);
        const copied = () => {
          copy.textContent = words.copied;
          say(words.copied);
        };
        if (navigator.clipboard) navigator.clipboard.writeText(offer.c).then(copied, select);
        else select();
      };
      box.append(code, copy);
      if (offer.d) box.append(el("small", "", offer.d));
      c.append(box);
    } else if (offer?.k === "f" && cart?.[2] === offer.$) {
      const left = offer.t - cart[0];
      const amount = money(language, left, offer.$);
      if (amount) c.append(el("p", "o", left > 0 ? words.more.replace("{}", amount) : words.free));
    } else if (offer?.k === "p" && /^https?:\/\//i.test(offer.u)) {
      const link = el("a", "o");
      link.href = offer.u;
      link.onclick = () => on.clicked("link");
      if (offer.i && HTTPS.test(offer.i)) {
        const img = el("img", "");
        img.alt = "";
        img.src = offer.i;
        link.append(img);
      }
      const text = el("span", "");
      text.append(el("strong", "", offer.t));
      const price = offer.v !== undefined && offer.$ ? money(language, offer.v, offer.$) : null;
      if (price) text.append(d.createElement("br"), price);
      link.append(text);
      c.append(link);
    }

    const reply = el("button", "r", words.reply);
    reply.onclick = on.reply;
    close.onclick = () => {
      // Focus inside a card that disappears would fall to the page's top: hand it to the launcher.
      if (root.activeElement) o.button?.focus();
      on.dismiss();
    };
    c.onkeydown = (e) => e.key === "Escape" && close.click();
    c.append(reply);
    root.append(c);
    say(`${a.n}: ${a.m}`);
  };

  return { show, hide, destroy: () => host.remove() };
}
