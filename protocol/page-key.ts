/**
 * A page's key: the URL a visitor was on, cleaned to the path (no origin, query or hash, no
 * trailing slash, lower case). Per-page numbers (the usual time on page that triggers compare
 * against) are kept and shipped under it. Imports nothing: the trigger chunk on the shop's page
 * and the Worker import it directly, so both sides key a page the same way.
 */

/** Longest key kept; longer paths are cut (they are rare and never among a shop's top pages). */
export const MAX_PAGE_KEY_CHARS = 300;

/**
 * `https://Shop.example/Products/Mug/?utm_source=x#reviews` → `/products/mug`. Accepts a full
 * URL or a path. Query strings are dropped on purpose: `?utm_…`, `?sort=` and `?page=` make
 * thousands of variants of one page, each with too few visits for a usual time of its own. A
 * shop whose products live at `product.php?id=5` therefore gets one key for all its products.
 */
export function pageKey(url: string): string {
  // Cuts the scheme and host, and the trailing slashes with whatever query or hash follows them.
  const path = url.replace(/^[a-z][\w+.-]*:\/\/[^/?#]*|\/*([?#].*)?$/gis, "").toLowerCase();
  return (path[0] === "/" ? path : `/${path}`).slice(0, MAX_PAGE_KEY_CHARS);
}
