/**
 * Runs the visitor-path scenario over the plan's checkouts one after the other (old, then new —
 * the same run, the same machine), and saves it: `--only visitor-path` keeps the conversation
 * scenarios' figures of bench/results/latest.json and replaces only its visitor path.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../../../scripts/lib/dev-server.mjs";
import { codeVersion } from "../code-version";
import { describeMachine, sampleLoad } from "../machine";
import type { Plan } from "../plan";
import { formatVisitorPath } from "../report/visitor-tables";
import { shardBalance, type VisitorPathResult, visitorPathTarget } from "../scenarios/visitor-path";
import { startTarget, type TargetServer } from "./server";

const log = (text: string) => process.stderr.write(`${text}\n`);

export async function runVisitorPath(plan: Plan): Promise<VisitorPathResult> {
  const result: VisitorPathResult = {
    balance: shardBalance(plan.visitorPath.balanceVisitors, plan.visitorPath.balanceShards),
    targets: [],
  };
  for (const t of plan.targets) {
    log(`· visitor-path: starting wrangler dev in ${t.dir} (${t.label}), counting on`);
    let server: TargetServer | null = null;
    const stop = () => void server?.stop().then(() => process.exit(130));
    process.once("SIGINT", stop);
    try {
      server = await startTarget(t.label, t.dir);
      log(
        `  ${server.direct ? "the Worker's own socket" : "wrangler's dev proxy"} ${server.url}, workerd pid ${server.pid}, code ${server.commit}`,
      );
      result.targets.push(await visitorPathTarget(server, plan.visitorPath));
      if (server.reloads) log(`! wrangler dev reloaded ${server.reloads}× during ${t.label}: its figures are not valid`);
    } catch (err) {
      if (server) log(`\nwrangler dev's last output:\n${server.output().slice(-4000)}`);
      throw err;
    } finally {
      process.removeListener("SIGINT", stop);
      await server?.stop();
    }
  }
  return result;
}

export function printVisitorPath(r: VisitorPathResult, plan: Plan): void {
  console.log(`\n${formatVisitorPath(r, plan.visitorPath)}`);
  for (const t of r.targets)
    console.log(`\n${t.label}: ${t.dir} at ${t.commit ?? "unknown commit"}${t.reloads ? ` — NOT VALID, ${t.reloads} reloads` : ""}`);
}

/** The `--only visitor-path` run's record: the visitor path beside the last full run's other figures. */
export function saveVisitorPathOnly(r: VisitorPathResult, plan: Plan, began: number, date: string): string[] {
  const dir = join(root, "bench/results");
  mkdirSync(dir, { recursive: true });
  const visitorPath = {
    date,
    mode: plan.mode,
    seconds: Math.round((performance.now() - began) / 1000),
    code: codeVersion(),
    machine: describeMachine(),
    load: sampleLoad("end"),
    plan: plan.visitorPath,
    ...r,
  };
  const stamp = date.replace(/[:.]/g, "-");
  const files = [join(dir, `run-${stamp}-visitor-path${plan.mode === "quick" ? "-quick" : ""}.json`)];
  writeFileSync(files[0]!, `${JSON.stringify({ visitorPath }, null, 2)}\n`);
  if (plan.mode === "full") {
    const latest = join(dir, "latest.json");
    const kept = existsSync(latest) ? (JSON.parse(readFileSync(latest, "utf8")) as Record<string, unknown>) : {};
    writeFileSync(latest, `${JSON.stringify({ ...kept, visitorPath }, null, 2)}\n`);
    files.push(latest);
  }
  return files;
}
