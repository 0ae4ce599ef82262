/**
 * A round avatar: the image when there is one, else initials on a colour derived from the name
 * (stable, so a visitor keeps their colour across sessions).
 */
// Each colour carries white initials at 4.8:1 or more (WCAG AA for normal text).
const PALETTE = ["#4f46e5", "#0369a1", "#047857", "#b45309", "#dc2626", "#7c3aed", "#be185d", "#0f766e"];

function hash(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) | 0;
  return Math.abs(h);
}

export function colourFor(seed: string): string {
  return PALETTE[hash(seed) % PALETTE.length]!;
}

export function Avatar({ name, url, seed, size = 32 }: { name: string; url?: string | null; seed?: string; size?: number }) {
  const style = { width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.4)}px` };
  if (url) return <img class="avatar" src={url} alt="" style={style} />;
  const initials = name
    .split(/\s+/)
    .map((w) => /[\p{L}\p{N}]/u.exec(w)?.[0] ?? "")
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <span class="avatar" style={{ ...style, background: colourFor(seed ?? name) }} aria-hidden="true">
      {initials || "?"}
    </span>
  );
}

/** Visitors are anonymous: a stable, speakable number from their id ("Visitor #4821"). */
export function visitorLabel(visitorId: string): string {
  return `#${1000 + (hash(visitorId) % 9000)}`;
}
