/**
 * Writes a run to bench/results/: always a timestamped copy (not committed), and for full runs
 * also `latest.json`, the file kept in git and quoted by BENCHMARKS.md. Quick runs never replace
 * it, so the committed figures are always the full scenarios.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../../../scripts/lib/dev-server.mjs";
import type { RunRecord } from "./summary";

export function saveRun(run: RunRecord): string[] {
  const dir = join(root, "bench/results");
  mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(run, null, 2)}\n`;
  const stamp = run.date.replace(/[:.]/g, "-");
  const files = [join(dir, `run-${stamp}${run.mode === "quick" ? "-quick" : ""}.json`)];
  if (run.mode === "full") files.push(join(dir, "latest.json"));
  for (const f of files) writeFileSync(f, text);
  return files;
}
