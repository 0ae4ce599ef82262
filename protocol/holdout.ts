/**
 * Holdout assignment of triggers: whether a visitor is in a trigger's control group, decided the
 * same way by the trigger chunk on the shop's page (which then shows nothing and records
 * "control") and by the Worker (which can check that a `shown` or `control` event matches the
 * visitor's arm). Imports nothing, so the browser chunk takes it without valibot.
 */

/**
 * The visitor's point in [0, 1) for one trigger: FNV-1a over the UTF-16 units of salt, trigger
 * id and visitor id, then murmur3's finaliser. FNV-1a alone leaves ids that differ only in their
 * last characters close together in the high bits; the finaliser spreads them (see the 10,000-id
 * tests beside). A new salt re-draws every visitor, which is how an owner restarts a test.
 */
export function holdoutPoint(visitorId: string, triggerId: string, salt: string): number {
  const s = `${salt}\n${triggerId}\n${visitorId}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 2 ** 32;
}

/** True when the visitor is in the control group of a trigger holding out `share` (0–1) of visitors. */
export function inHoldout(visitorId: string, triggerId: string, salt: string, share: number): boolean {
  return holdoutPoint(visitorId, triggerId, salt) < share;
}
