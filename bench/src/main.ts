/**
 * `npm run bench`: proof of speed and of zero loss. Runs every scenario against Gadka under
 * `wrangler dev` and against an in-memory `ws` relay (the floor) on the same machine, prints
 * one table and writes the run to bench/results/. Exits 1 if any message was lost, reordered or
 * dropped, or the server reloaded mid-run; targets are reported, not asserted.
 */
import { codeVersion } from "./code-version";
import { addIntegrity, type Integrity, NO_PROBLEMS } from "./lib/integrity";
import { LOCAL_TRACING, serverUnderTest } from "./local-server";
import { describeMachine, type LoadSample, sampleLoad } from "./machine";
import { readPlan } from "./plan";
import { buildRows, type Results } from "./report/rows";
import { saveRun } from "./report/save";
import { isValid, printRun, type RunRecord } from "./report/summary";
import { fanOut } from "./scenarios/fan-out";
import { deliveryLatency } from "./scenarios/latency";
import { resume } from "./scenarios/resume";
import { throughput } from "./scenarios/throughput";
import type { VisitorPathResult } from "./scenarios/visitor-path";
import { baselineTarget } from "./targets/baseline";
import { gadkaTarget } from "./targets/gadka";
import type { Target } from "./targets/target";
import { printVisitorPath, runVisitorPath, saveVisitorPathOnly } from "./visitor/run";

const plan = readPlan(process.argv.slice(2));
const date = new Date().toISOString();
const began = performance.now();

if (plan.only === "visitor-path") {
  process.stderr.write(`Gadka benchmark (${plan.mode}), visitor path only: ${plan.targets.map((t) => `${t.label}=${t.dir}`).join(", ")}\n`);
  const visitorPath = await runVisitorPath(plan);
  printVisitorPath(visitorPath, plan);
  const files = saveVisitorPathOnly(visitorPath, plan, began, date);
  console.log(`\nWritten: ${files.map((f) => f.slice(f.indexOf("bench/"))).join(", ")}`);
  process.exit(visitorPath.targets.some((t) => t.reloads > 0) ? 1 : 0);
}
const machine = describeMachine();
const load: LoadSample[] = [];
const log = (text: string) => process.stderr.write(`${text}\n`);
/** The scenario running now, so a server reload can be pinned to it. */
let phase = "setup";
const reloads: RunRecord["server"]["reloads"] = [];

log(`Gadka benchmark (${plan.mode}) on ${machine.cpus} CPUs, node ${machine.node}, wrangler ${machine.wrangler}`);
load.push(sampleLoad("start"));
log(plan.url ? `· using ${plan.url}` : "· starting a fresh wrangler dev");
const server = await serverUnderTest(plan.url, plan.viaProxy, () => {
  reloads.push({ during: phase, log: server.output().slice(-3000) });
  log(`! wrangler dev reloaded during ${phase} (a watched file changed): every socket was dropped`);
});
if (server.started)
  log(
    server.direct
      ? `· measuring the Worker's own socket, ${server.url} (not wrangler's dev proxy)`
      : `· measuring through wrangler's dev proxy, ${server.url}`,
  );
let baseline: Target | null = null;
const stopAll = () => Promise.all([baseline?.stop(), server.stop()]);
// Ctrl-C must not leave a workerd or the relay behind.
process.once("SIGINT", () => void stopAll().then(() => process.exit(130)));

/** Runs one scenario against Gadka, then the floor, noting the machine's load before each. */
async function both<R>(name: string, targets: Target[], run: (t: Target) => Promise<R>) {
  const out = {} as Record<Target["name"], R>;
  for (const t of targets) {
    phase = `${name}/${t.name}`;
    load.push(sampleLoad(phase));
    log(`· ${name}: ${t.name}`);
    out[t.name] = await run(t);
  }
  return out;
}

let results: Results;
try {
  const gadka = await gadkaTarget(server.url);
  baseline = await baselineTarget();
  const targets = [gadka, baseline];
  const latency = await both("latency", targets, (t) => deliveryLatency(t, plan.latency));
  const throughputs = await both("throughput", targets, (t) => throughput(t, plan.throughput));
  const fanOuts = await both("fan-out", targets, (t) => fanOut(t, plan.fanOut));
  const resumed = await both("resume", [gadka], (t) => resume(t, plan.resume));
  results = { latency, throughput: throughputs, fanOut: fanOuts, resume: resumed.gadka };
} catch (err) {
  if (server.started) log(`\nwrangler dev's last output:\n${server.output().slice(-4000)}`);
  throw err;
} finally {
  await stopAll();
}
// The visitor path starts its own servers (one checkout at a time, counting on) after the chat's has stopped.
let visitorPath: VisitorPathResult | null = null;
if (plan.only === null) {
  phase = "visitor-path";
  load.push(sampleLoad(phase));
  visitorPath = await runVisitorPath(plan);
}
load.push(sampleLoad("end"));

const sum = (items: { integrity: Integrity }[]) => items.map((r) => r.integrity).reduce(addIntegrity, NO_PROBLEMS);
const run: RunRecord = {
  date,
  mode: plan.mode,
  seconds: Math.round((performance.now() - began) / 1000),
  code: codeVersion(),
  machine,
  load,
  server: {
    url: server.url,
    direct: server.direct,
    stateOnTmpfs: server.stateOnTmpfs,
    startedByBench: server.started,
    localTracing: server.started ? (process.env[LOCAL_TRACING] ?? null) : null,
    reloads,
  },
  plan,
  rows: buildRows(results, plan),
  integrity: {
    gadka: sum([results.latency.gadka, results.throughput.gadka, results.fanOut.gadka, results.resume]),
    baseline: sum([results.latency.baseline, results.throughput.baseline, results.fanOut.baseline]),
  },
  results,
  visitorPath,
};
printRun(run, saveRun(run));
if (visitorPath) printVisitorPath(visitorPath, plan);
process.exit(isValid(run) && !visitorPath?.targets.some((t) => t.reloads > 0) ? 0 : 1);
