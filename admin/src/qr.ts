/**
 * A QR code as SVG markup, for the otpauth:// URI on the two-factor page (load it with that page
 * only: lean-qr's encoder and path writer are about 2.3 KB gzip). Pure: no DOM, so the workerd
 * test in worker/accounts/ decodes its output back to the URI.
 */
import { toSvgPath } from "lean-qr/extras/svg";
import { correction, generate } from "lean-qr/nano";

/** Modules of white margin on each side: the QR specification's quiet zone. */
const QUIET_ZONE = 4;

/**
 * `<svg>` markup of `text` as a QR code (error correction M: reads well from a screen with
 * glare), scaled by its container; `label` is its accessible name. Apart from the escaped label,
 * only numbers and path letters go into the markup, so it is safe to set as innerHTML.
 */
export function qrSvg(text: string, label: string): string {
  const code = generate(text, { minCorrectionLevel: correction.M });
  const size = code.size + 2 * QUIET_ZONE;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${-QUIET_ZONE} ${-QUIET_ZONE} ${size} ${size}" role="img" aria-label="${escapeAttribute(label)}" shape-rendering="crispEdges">` +
    `<rect x="${-QUIET_ZONE}" y="${-QUIET_ZONE}" width="${size}" height="${size}" fill="#fff"/><path fill="#000" d="${toSvgPath(code)}"/></svg>`
  );
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
