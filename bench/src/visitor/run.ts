/**
 * Runs the visitor-path scenario over the plan's checkouts in one run on the same machine (counts
 * one checkout after the other, throughput steps alternating between them), and saves it: `--only visitor-path` keeps the conversation
 * scenarios' figures of bench/results/latest.json and replaces only its visitor path.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../../../scripts/lib/dev-server.mjs";
import { codeVersion } from "../code-version";
import { describeMachine, sampleLoad } from "../machine";
import type { Plan } from "../plan";
import { formatVisitorPath } from "../report/visitor-tables";
import { countTarget, interleavedThroughput, shardBalance, type VisitorPathResult } from "../scenarios/visitor-path";
import { exportTarget } from "./export";
import { startTarget, type TargetServer, VISITOR_PORT } from "./server";

const log = (text: string) => process.stderr.write(`${text}\n`);

export async function runVisitorPath(plan: Plan): Promise<VisitorPathResult> {
  const result: VisitorPathResult = {
    balance: shardBalance(plan.visitorPath.balanceVisitors, plan.visitorPath.balanceShards),
    targets: [],
  };
  // Exports first, so every target's code is fixed before the first measurement begins.
  const targets = plan.targets.map((t) => {
    if (!t.dir.startsWith("git:")) return { ...t, source: null };
    const e = exportTarget(t.label, t.dir);
    const source = `${t.dir.slice(4).replace(/@.*$/, "")}@${e.commit}${e.hooked ? " + the counting hook" : ""}`;
    log(`· visitor-path: ${t.label} = ${source}, exported to ${e.dir}`);
    return { label: t.label, dir: e.dir, source };
  });
  // All servers run at once (an idle workerd costs next to nothing), so the throughput steps can
  // alternate between them; ports 8890, 8892, … (and the next one for each inspector).
  const servers: TargetServer[] = [];
  const stopAll = () => Promise.all(servers.map((s) => s.stop()));
  const interrupted = () => void stopAll().then(() => process.exit(130));
  process.once("SIGINT", interrupted);
  try {
    for (const [i, t] of targets.entries()) {
      log(`· visitor-path: starting wrangler dev in ${t.dir} (${t.label}), counting on`);
      const server = await startTarget(t.label, t.dir, VISITOR_PORT + 2 * i);
      servers.push(server);
      log(`  ${server.direct ? "the Worker's own socket" : "wrangler's dev proxy"} ${server.url}, workerd pid ${server.pid}`);
    }
    const counts = [];
    for (const server of servers) counts.push(await countTarget(server, plan.visitorPath));
    const throughput = await interleavedThroughput(servers, plan.visitorPath);
    for (const [i, server] of servers.entries()) {
      const t = targets[i]!;
      if (server.reloads) log(`! wrangler dev reloaded ${server.reloads}× during ${t.label}: its figures are not valid`);
      result.targets.push({
        label: t.label,
        dir: t.dir,
        ...(t.source ? { source: t.source } : {}),
        commit: server.commit,
        direct: server.direct,
        counts: counts[i]!.counts,
        floor: counts[i]!.floor,
        throughput: throughput[i]!,
        reloads: server.reloads,
      });
    }
  } catch (err) {
    for (const s of servers) log(`\n${s.label}: wrangler dev's last output:\n${s.output().slice(-3000)}`);
    throw err;
  } finally {
    process.removeListener("SIGINT", interrupted);
    await stopAll();
  }
  return result;
}

export function printVisitorPath(r: VisitorPathResult, plan: Plan): void {
  console.log(`\n${formatVisitorPath(r, plan.visitorPath)}`);
  for (const t of r.targets)
    console.log(
      `\n${t.label}: ${t.source ?? `${t.dir} at ${t.commit ?? "unknown commit"}`}${t.reloads ? ` — NOT VALID, ${t.reloads} reloads` : ""}`,
    );
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
