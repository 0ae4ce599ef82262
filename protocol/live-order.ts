/**
 * The Live view's orders, filters and cursor, written once for every place that sorts or pages
 * visitors on the shop now: each visitor shard (its page and its top entries), the site hub (the
 * merged first page), the REST route's merge across shards, and the admin's list. Pure.
 *
 * Every order is total (the visitor id breaks ties), so a cursor — the sort key of the last entry
 * shown — splits a static set into pages with no duplicate and no gap, whichever shard each
 * entry lives in. Keys are built from what a ping does not change (page since, cart, chatting),
 * so the heartbeat of 15 s never reorders the list.
 */
import type { LiveListQuery, LiveSort, LiveVisitor } from "./live";

/** A visitor's place in an order: numbers compared descending, then the id ascending. */
export type LiveKey = readonly [number, number, string];

export function liveKey(v: LiveVisitor, sort: LiveSort): LiveKey {
  switch (sort) {
    case "recent":
      return [v.pageSince, 0, v.visitorId];
    case "cart":
      // In cents, so the key stays a whole number (the cursor writes it in base 36); no cart is -1.
      return [v.cart ? Math.round(v.cart.total * 100) : -1, v.pageSince, v.visitorId];
    case "chatting":
      return [v.chatting ? 1 : 0, v.pageSince, v.visitorId];
  }
}

/** Negative when `a` comes first. */
export function compareKeys(a: LiveKey, b: LiveKey): number {
  if (a[0] !== b[0]) return b[0] - a[0];
  if (a[1] !== b[1]) return b[1] - a[1];
  return a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0;
}

export function compareLive(sort: LiveSort): (a: LiveVisitor, b: LiveVisitor) => number {
  return (a, b) => compareKeys(liveKey(a, sort), liveKey(b, sort));
}

/** The filters of a Live view list (LiveListQuery without order and paging). */
export type LiveFilter = Pick<LiveListQuery, "q" | "chatting" | "cart" | "returning" | "country">;

/** Whether a visitor passes every filter given (they combine with AND). */
export function matchesLive(v: LiveVisitor, f: LiveFilter): boolean {
  if (f.chatting !== undefined && v.chatting !== f.chatting) return false;
  if (f.cart !== undefined && (v.cart !== null && v.cart.total > 0) !== f.cart) return false;
  if (f.returning !== undefined && v.returning !== f.returning) return false;
  if (f.country !== undefined && v.country !== f.country) return false;
  const q = f.q?.toLowerCase();
  return !q || [v.name, v.email, v.title, v.url].some((x) => x?.toLowerCase().includes(q));
}

/**
 * The cursor after `last` in `sort`: opaque to clients, bound to its sort so a cursor of one
 * order is refused by another. URL-safe as it is: base-36 numbers and the visitor id, whose rules
 * (A–Z, a–z, 0–9, _ and -) leave the dot free as the separator.
 */
export function encodeLiveCursor(sort: LiveSort, last: LiveVisitor): string {
  const [a, b, id] = liveKey(last, sort);
  return [sort, a.toString(36), b.toString(36), id].join(".");
}

/** The key a cursor points after, or null when it is not a cursor of this sort. */
export function decodeLiveCursor(sort: LiveSort, cursor: string): LiveKey | null {
  const [s, a, b, id, ...rest] = cursor.split(".");
  const num = (x: string | undefined) => (x !== undefined && /^-?[0-9a-z]{1,12}$/.test(x) ? Number.parseInt(x, 36) : null);
  const ka = num(a);
  const kb = num(b);
  if (s !== sort || rest.length || ka === null || kb === null || !id || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) return null;
  return [ka, kb, id];
}

/**
 * One page from lists that are each already in `sort` order and start after the cursor (the
 * shards' pages): the first `limit` of their merge, and whether anything follows.
 */
export function mergeLivePages(
  sort: LiveSort,
  lists: readonly (readonly LiveVisitor[])[],
  limit: number,
  anyMore: boolean,
): { visitors: LiveVisitor[]; more: boolean } {
  const all = lists.flat().sort(compareLive(sort));
  return { visitors: all.slice(0, limit), more: anyMore || all.length > limit };
}
