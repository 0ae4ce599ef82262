/**
 * Prints the rows as an aligned Markdown table: readable in a terminal and pasted as is into
 * BENCHMARKS.md.
 */
import type { Integrity } from "../lib/integrity";
import { type Row, ratio } from "./rows";

export function formatTable(rows: readonly Row[]): string {
  const header = ["Scenario", "Figure", "Gadka", "Floor (ws relay)", "Gadka ÷ floor", "Target", "Met"];
  const body = rows.map((r, i) => [
    i > 0 && rows[i - 1]!.scenario === r.scenario ? "" : r.scenario,
    r.figure,
    value(r.gadka, r.unit),
    r.floor === null ? "—" : value(r.floor, r.unit),
    r.floor === null ? "—" : `${ratio(r.gadka, r.floor)}×`,
    r.target ?? "—",
    r.met === null ? "" : r.met ? "yes" : "NO",
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((b) => b[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

export function formatIntegrity(name: string, i: Integrity): string {
  return `${name}: ${i.expected.toLocaleString("en")} deliveries checked (acks + operator frames) — lost ${i.lost}, out of order ${i.outOfOrder}, dropped sockets ${i.drops}`;
}

function value(v: number, unit: Row["unit"]): string {
  if (Number.isNaN(v)) return "n/a";
  if (unit === "msg/s") return `${Math.round(v).toLocaleString("en")}/s`;
  if (unit === "×") return `${v}×`;
  return `${v.toFixed(2)} ms`;
}
