/**
 * Which visitor shard holds a visitor: FNV-1a of the visitor id picks one of 1,024 virtual slots,
 * and a site with N shards (a power of two) keeps slot s in shard s & (N − 1). Doubling N moves
 * whole slots (half of each shard's), so resharding is a copy of slots. Pure; used by the
 * tracking service, the admin reads and the hub.
 */

export const SLOTS = 1024;
export const MAX_SHARDS = 1024;

/** The visitor's slot, 0 … SLOTS − 1 (FNV-1a 32-bit over the id's UTF-16 units). */
export function slotOf(visitorId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < visitorId.length; i++) {
    h ^= visitorId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Fold the high bits in: FNV's low bits alone are the weakest.
  return ((h ^ (h >>> 16)) >>> 0) % SLOTS;
}

export function isShardCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_SHARDS && (n & (n - 1)) === 0;
}

/** The shard of a slot when the site has `shards` of them. */
export function shardOfSlot(slot: number, shards: number): number {
  return slot & (shards - 1);
}

export function shardOf(visitorId: string, shards: number): number {
  return shardOfSlot(slotOf(visitorId), shards);
}

/** The Durable Object name of a site's shard. */
export function shardName(siteId: string, shard: number): string {
  return `${siteId}/${shard}`;
}
