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
export type HostMessage = { type: "ready" } | { type: "close" } | { type: "unread"; count: number } | { type: "peek"; track: string };

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
