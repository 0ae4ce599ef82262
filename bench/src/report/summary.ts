/**
 * What one run records (the JSON in bench/results/) and how it is printed: where and on what it
 * ran, the table, the zero-loss check, and whether the server reloaded mid-run.
 */
import type { CodeVersion } from "../code-version";
import { type Integrity, isClean } from "../lib/integrity";
import type { LoadSample, Machine } from "../machine";
import type { Plan } from "../plan";
import type { VisitorPathResult } from "../scenarios/visitor-path";
import type { Results, Row } from "./rows";
import { formatIntegrity, formatTable } from "./table";

export interface RunRecord {
  date: string;
  mode: Plan["mode"];
  seconds: number;
  code: CodeVersion;
  machine: Machine;
  load: LoadSample[];
  server: {
    url: string;
    /** True when the scenarios bypassed wrangler dev's proxy (see local-server.ts). */
    direct: boolean;
    /** True when the local storage lived in memory (tmpfs), not on disk (see local-server.ts). */
    stateOnTmpfs: boolean;
    startedByBench: boolean;
    /** wrangler dev's local trace store (X_LOCAL_OBSERVABILITY), when the benchmark started it. */
    localTracing: string | null;
    /** Reloads during the run: the scenario, and wrangler's log just before (it names the cause). */
    reloads: { during: string; log: string }[];
  };
  plan: Plan;
  rows: Row[];
  integrity: { gadka: Integrity; baseline: Integrity };
  results: Results;
  /** The visitor-path scenario (null when run with `--only chat`). */
  visitorPath: VisitorPathResult | null;
}

/** A run is valid when nothing was lost, reordered or dropped and the server never reloaded. */
export const isValid = (r: RunRecord) => isClean(r.integrity.gadka) && isClean(r.integrity.baseline) && r.server.reloads.length === 0;

export function printRun(r: RunRecord, files: string[]): void {
  const busiest = r.load.reduce((a, b) => (b.load1 > a.load1 ? b : a));
  const browsers = Math.max(...r.load.map((s) => s.chromiumProcesses));
  const code = r.code.commit ? `${r.code.commit}${r.code.uncommittedChanges ? " + uncommitted changes" : ""}` : "unknown";
  const m = r.machine;
  console.log(`\nGadka benchmark, ${r.mode} run, ${r.date} (${r.seconds} s), code ${code}`);
  console.log(`${m.cpus} × ${m.cpuModel}; ${m.memory}; node ${m.node}; wrangler ${m.wrangler}`);
  console.log(`Machine load: 1-min load average up to ${busiest.load1} (at ${busiest.at}); Chromium processes seen: ${browsers}`);
  console.log(
    r.server.startedByBench
      ? `wrangler dev's local tracing (X_LOCAL_OBSERVABILITY): ${r.server.localTracing}; measured ${r.server.direct ? "at the Worker's own socket" : "through wrangler's dev proxy"}; storage ${r.server.stateOnTmpfs ? "in memory (tmpfs)" : "on disk"}\n`
      : `Server: ${r.server.url} (started elsewhere)\n`,
  );
  console.log(formatTable(r.rows));
  console.log(`\n${formatIntegrity("Zero loss, Gadka", r.integrity.gadka)}`);
  console.log(formatIntegrity("Zero loss, floor", r.integrity.baseline));
  if (r.server.reloads.length > 0) {
    const during = r.server.reloads.map((x) => x.during).join(", ");
    console.log(`\nNOT VALID: wrangler dev reloaded during ${during}, dropping every socket (its log is in the results file).`);
  }
  console.log(`\nWritten: ${files.map((f) => f.slice(f.indexOf("bench/"))).join(", ")}`);
}
