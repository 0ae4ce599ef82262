// Two-factor enrolment end to end without a phone: a new secret's otpauth:// URI, drawn by the
// admin's QR renderer (admin/src/qr.ts, imported here on purpose: it is pure), rasterised and
// read back with a real QR decoder (jsQR), must give the same URI.
import jsQR from "jsqr";
import { describe, expect, it } from "vitest";
import { qrSvg } from "../../admin/src/qr";
import { generateTotpSecret, otpauthUri } from "./totp";

describe("the enrolment QR code", () => {
  it.each([
    ["a short address", "anna@demo.test", undefined],
    ["a long address and a non-ASCII issuer", `${"p".repeat(60)}.żółw+admin@sklep-internetowy.example.pl`, "Gadka (Sklep Żółw – Wrocław)"],
  ])("decodes back to the URI (%s)", (_case, account, issuer) => {
    const secret = generateTotpSecret();
    const uri = otpauthUri({ secret, account, issuer });
    const svg = qrSvg(uri, 'QR code <for> "Gadka"');
    expect(svg).toContain('aria-label="QR code &#60;for&#62; &#34;Gadka&#34;"');
    expect(decode(svg)).toBe(uri);
  });
});

/** Rasterises the SVG (viewBox + one path of M/L/Z outlines, non-zero fill) and runs jsQR on it. */
function decode(svg: string): string | null {
  const [minX, minY, size] = /viewBox="(-?\d+) (-?\d+) (\d+) \d+"/.exec(svg)!.slice(1).map(Number) as [number, number, number];
  const d = /<path fill="#000" d="([^"]*)"/.exec(svg)![1]!;
  const edges: { x: number; y0: number; y1: number }[] = [];
  for (const sub of d.split("Z").filter(Boolean)) {
    const points = [...sub.matchAll(/[ML](-?\d+) (-?\d+)/g)].map((m) => [Number(m[1]), Number(m[2])] as const);
    points.forEach(([x, y], i) => {
      const [nx, ny] = points[(i + 1) % points.length]!;
      if (x === nx && y !== ny) edges.push({ x, y0: y, y1: ny });
    });
  }
  const dark = (mx: number, my: number) => {
    let winding = 0;
    for (const e of edges) {
      if (e.x > mx && my > Math.min(e.y0, e.y1) && my < Math.max(e.y0, e.y1)) winding += e.y1 > e.y0 ? 1 : -1;
    }
    return winding !== 0;
  };
  const scale = 4;
  const side = size * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let my = 0; my < size; my++) {
    for (let mx = 0; mx < size; mx++) {
      if (!dark(minX + mx + 0.5, minY + my + 0.5)) continue;
      for (let py = my * scale; py < (my + 1) * scale; py++) {
        for (let px = mx * scale; px < (mx + 1) * scale; px++) pixels.fill(0, (py * side + px) * 4, (py * side + px) * 4 + 3);
      }
    }
  }
  return jsQR(pixels, side, side)?.data ?? null;
}
