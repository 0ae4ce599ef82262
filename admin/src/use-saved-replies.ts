/**
 * The site's saved replies (shared + the operator's own), loaded once per site and refreshed
 * after the operator changes them. A tiny shared store, so the composer and the manager agree.
 */
import { useEffect, useState } from "preact/hooks";
import type { SavedReply } from "../../protocol";
import { api } from "./api";

const cache = new Map<string, SavedReply[]>();
const listeners = new Set<() => void>();

export async function refreshSavedReplies(siteId: string): Promise<void> {
  const r = await api.savedReplies(siteId).catch(() => null);
  if (r) cache.set(siteId, r.replies);
  for (const fn of listeners) fn();
}

export function useSavedReplies(siteId: string): SavedReply[] {
  const [, bump] = useState(0);
  useEffect(() => {
    const fn = () => bump((n) => n + 1);
    listeners.add(fn);
    if (!cache.has(siteId)) void refreshSavedReplies(siteId);
    return () => void listeners.delete(fn);
  }, [siteId]);
  return cache.get(siteId) ?? [];
}

/** Replies matching what follows "/" in the composer: shortcut prefix first, then body words. */
export function matchReplies(replies: SavedReply[], query: string): SavedReply[] {
  const q = query.toLowerCase();
  const byShortcut = replies.filter((r) => r.shortcut.startsWith(q));
  const byBody = replies.filter((r) => !r.shortcut.startsWith(q) && r.body.toLowerCase().includes(q));
  return [...byShortcut, ...byBody].slice(0, 8);
}
