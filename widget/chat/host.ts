/**
 * The chat iframe's side of the postMessage channel with the loader on the shop page. Trusts
 * only the embedding page's origin (from `location.ancestorOrigins`, else the `host` parameter)
 * and posts only to it. The visitor's chat token never crosses this channel.
 */
const params = new URLSearchParams(location.search);
export const siteKey = params.get("site") ?? "";
const hostOrigin = location.ancestorOrigins?.[0] ?? params.get("host") ?? "";

/**
 * The loader's tracking token for this visitor, handed over in the URL hash (never the query, so
 * no server log sees it): the session adopts the visitor the shop's page views belong to.
 */
export const trackToken = decodeURIComponent(location.hash.slice(1)) || null;

/** `peek` hands the loader the session's tracking token (the chat token never leaves the iframe). */
export type HostMessage =
  | { type: "ready" }
  | { type: "close" }
  | { type: "unread"; count: number }
  | { type: "peek"; track: string }
  /** An event for the shop's `Gadka('on', name, fn)` listeners (message, conversation:started). */
  | { type: "on"; name: string; detail?: unknown };

export function toHost(message: HostMessage): void {
  if (window.parent !== window && hostOrigin) window.parent.postMessage({ gadka: 1, ...message }, hostOrigin);
}

/** Calls `onVisible(open)` when the loader shows or hides the panel. */
export function onHostVisibility(onVisible: (open: boolean) => void): void {
  window.addEventListener("message", (e) => {
    const m = e.data as { gadka?: number; type?: string } | null;
    if (e.origin !== hostOrigin || e.source !== window.parent || m?.gadka !== 1) return;
    if (m.type === "open" || m.type === "close") onVisible(m.type === "open");
  });
}

/** Outside an iframe (the page opened directly), the chat is simply visible. */
export const standalone = window.parent === window;

/**
 * What the presence module puts in the chat's address (widget/presence.ts): `lang` the widget's
 * language; `z` the visitor's last `reset` (a new one makes the chat forget its visitor); and,
 * after a reply to a proactive trigger, `trigger` (its id, sent when the conversation starts) with
 * `tn`/`tm` its sender and message, shown as the conversation's first message.
 */
export const chatLang = params.get("lang");
export const resetMark = params.get("z") ?? "";
const triggerId = params.get("trigger");
export const trigger = triggerId ? { id: triggerId, n: params.get("tn") ?? "", m: params.get("tm") ?? "" } : null;
