/**
 * The visitor path (issue 10): what the page's beacons cost and how many a server takes.
 *
 * - **Counts** (exact, machine-independent; the Worker's counting instrumentation,
 *   worker/lib/metrics.ts): per 1,000 pings, 250 page views and 250 leaves — D1 round trips,
 *   statements and rows written, hub / shard / room calls, HMAC operations, the objects' SQLite
 *   rows written — for a shop with 1 visitor shard and one with 4, plus what the server does on
 *   its own while nobody sends anything (timers, aggregates).
 * - **Shard balance** over 10,000 visitor ids for N = 4, 32, 256 (worker/lib/shards.ts).
 * - **Throughput**: open-loop steps of pings/s (each ping sent at its scheduled time whether or
 *   not earlier ones were answered; latency from that time, so queueing counts), achieved rate,
 *   p50/p99, errors, and the Worker's workerd CPU time per ping from /proc, N = 1 and N = 4.
 */

import os from "node:os";
import { shardOf } from "../../../worker/lib/shards";
import { mapLimit, range, sleep } from "../lib/async";
import { distribution, round } from "../lib/stats";
import { type BeaconAnswer, BeaconClient, Visitor } from "../visitor/beacon";
import { processCpuMs, SHOPS, type Shop, sqliteBytes, type TargetServer } from "../visitor/server";

export interface VisitorPathPlan {
  /** Visitors of the counting phases: each views, views again, pings `pingsPerVisitor` times, leaves. */
  countVisitors: number;
  pingsPerVisitor: number;
  /** The quiet phase: counts while nothing is sent. */
  idleSeconds: number;
  balanceVisitors: number;
  balanceShards: number[];
  /** Visitors the throughput steps ping in turn (the beacon rate limit allows 120 a minute each). */
  poolVisitors: number;
  /** Offered pings/s, in order; the steps stop after the first one the server does not sustain. */
  steps: number[];
  stepSeconds: number;
}

/** A step is sustained when it achieves ≥ 95% of the offered rate, ≤ 1% errors and p99 ≤ 500 ms. */
export const SUSTAINED = { achievedRatio: 0.95, errorRate: 0.01, p99Ms: 500 };

/** The Worker's counters as GET /api/dev/metrics answers them (worker/lib/metrics.ts). */
export interface Counts {
  events: number;
  d1: { roundTrips: number; statements: number; rowsWritten: number; rowsRead: number };
  doCalls: Record<string, number>;
  hmac: { sign: number; verify: number };
  doSql: Record<string, { statements: number; rowsWritten: number }>;
}
interface Snapshot {
  total: Counts;
  byKind: Record<string, Counts>;
}

/** One phase's counts, summed over the Worker and every object. */
export interface PhaseCounts {
  beacons: number;
  errors: number;
  seconds: number;
  d1RoundTrips: number;
  d1Statements: number;
  d1RowsWritten: number;
  hubCalls: number;
  shardCalls: number;
  roomCalls: number;
  hmacOps: number;
  shardSqlRowsWritten: number;
  hubSqlRowsWritten: number;
  /** Growth of the local D1 database (pages in use): the D1 storage the phase used. */
  d1BytesGrowth: number;
  /** Growth of the visitor shards' SQLite databases (pages in use). */
  shardBytesGrowth: number;
  calls: Record<string, number>;
  byKind: Record<string, Counts>;
  /** The Worker's workerd CPU time over the phase (until the counters were read) and that span. */
  cpu: { ms: number; seconds: number };
}

export interface ShopCounts {
  shards: number;
  firstViews: PhaseCounts;
  views: PhaseCounts;
  pings: PhaseCounts;
  leaves: PhaseCounts;
  idle: PhaseCounts;
  /**
   * workerd CPU per beacon in the counting phases (16 in flight, so far from saturation and
   * from the machine's queueing), less its idle CPU rate over the same time. `1000 / msPerPing`
   * is the pings/s one core of workerd could take on this machine: the load-robust ceiling.
   */
  cpu: { idleMsPerSecond: number; msPerPing: number; msPerView: number; msPerLeave: number; msPerFirstView: number };
}

export interface Step {
  offered: number;
  /** Pings really sent per second of the window (below `offered` when the client falls behind). */
  sent: number;
  /** OK answers received within the step's window, per second. */
  achieved: number;
  ok: number;
  errors: Record<string, number>;
  errorRate: number;
  latency: { p50: number; p90: number; p99: number; max: number };
  /** The Worker's workerd CPU time (user + system) from the step's start until its last answer, per OK ping. */
  workerdCpuMsPerPing: number;
  /** The benchmark's own CPU time per ping (it shares the machine). */
  clientCpuMsPerPing: number;
  /** Counts over the step (answers drained), per OK ping and per second: flat per second means flat as the rate grows. */
  perPing: { d1Statements: number; hubCalls: number; shardCalls: number; hmacOps: number };
  hubCallsPerSecond: number;
  sustained: boolean;
  /** The machine's 1-minute load average at the step's end (2 cores: above 2 means queueing for CPU). */
  load1: number;
}

export interface ThroughputResult {
  shards: number;
  steps: Step[];
  /** The highest offered rate sustained (see SUSTAINED); 0 when none was. */
  sustainedPerSecond: number;
  /** The highest achieved rate of any step. */
  peakPerSecond: number;
}

/** workerd CPU per request of the cheapest route (the beacon's CORS preflight): HTTP, the Worker's entry, Hono. */
export interface Floor {
  requests: number;
  msPerRequest: number;
}

export interface TargetResult {
  label: string;
  dir: string;
  /** For an exported target (`git:` …): the repository, the commit, whether the counting hook was added. */
  source?: string;
  commit: string | null;
  direct: boolean;
  counts: ShopCounts[];
  floor: Floor;
  throughput: ThroughputResult[];
  reloads: number;
}

export interface Balance {
  shards: number;
  visitors: number;
  mean: number;
  min: number;
  max: number;
  /** max |count − mean| ÷ mean, in percent. */
  maxDeviationPct: number;
  /** The same for a perfectly uniform random assignment (median of 101 draws): chance's own share. */
  uniformRandomPct: number;
  /** Max deviation over 1,000,000 visitor ids: the hash's own evenness once chance has averaged out. */
  atMillionPct: number;
}

export interface VisitorPathResult {
  balance: Balance[];
  targets: TargetResult[];
}

const log = (text: string) => process.stderr.write(`${text}\n`);

// ---- Shard balance --------------------------------------------------------------------------

/** Visitor ids in the Worker's format (`v_` + 22 base64url characters), from a fixed seed. */
export function visitorIds(n: number, seed = 0x9e3779b9): string[] {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  let s = seed >>> 0;
  const next = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  return range(n).map(
    () =>
      `v_${range(22)
        .map(() => alphabet[Math.floor(next() * 64)])
        .join("")}`,
  );
}

function maxDeviationPct(ids: readonly string[], shards: number): number {
  const per = new Array<number>(shards).fill(0);
  for (const id of ids) per[shardOf(id, shards)]!++;
  const mean = ids.length / shards;
  return round((Math.max(...per.map((c) => Math.abs(c - mean))) / mean) * 100);
}

export function shardBalance(visitors: number, shardCounts: number[]): Balance[] {
  const ids = visitorIds(visitors);
  const million = visitorIds(1_000_000, 0x85ebca6b);
  return shardCounts.map((shards) => {
    const per = new Array<number>(shards).fill(0);
    for (const id of ids) per[shardOf(id, shards)]!++;
    const mean = visitors / shards;
    const dev = Math.max(...per.map((c) => Math.abs(c - mean)));
    return {
      shards,
      visitors,
      mean,
      min: Math.min(...per),
      max: Math.max(...per),
      maxDeviationPct: round((dev / mean) * 100),
      uniformRandomPct: uniformRandomDeviation(visitors, shards),
      atMillionPct: maxDeviationPct(million, shards),
    };
  });
}

function uniformRandomDeviation(visitors: number, shards: number, draws = 101): number {
  const mean = visitors / shards;
  const devs = range(draws).map(() => {
    const per = new Array<number>(shards).fill(0);
    for (let i = 0; i < visitors; i++) per[Math.floor(Math.random() * shards)]!++;
    return Math.max(...per.map((c) => Math.abs(c - mean))) / mean;
  });
  return round(devs.sort((a, b) => a - b)[(draws - 1) / 2]! * 100);
}

// ---- Counts ---------------------------------------------------------------------------------------

async function readCounts(server: TargetServer): Promise<Snapshot> {
  const r = await fetch(`${server.url}/api/dev/metrics`);
  if (r.status !== 200) throw new Error(`GET /api/dev/metrics answered ${r.status}`);
  return (await r.json()) as Snapshot;
}

async function resetCounts(server: TargetServer): Promise<void> {
  const r = await fetch(`${server.url}/api/dev/metrics`, { method: "DELETE" });
  if (r.status !== 204) throw new Error(`DELETE /api/dev/metrics answered ${r.status}`);
}

const sumCalls = (calls: Record<string, number>, cls: string) =>
  Object.entries(calls)
    .filter(([k]) => k.startsWith(`${cls}.`))
    .reduce((a, [, n]) => a + n, 0);

interface Bytes {
  d1: number;
  shards: number;
}
const storage = async (server: TargetServer): Promise<Bytes> => ({
  d1: await sqliteBytes(server.persistTo, "d1"),
  shards: await sqliteBytes(server.persistTo, "do", /VisitorShard/),
});
const NO_BYTES: Bytes = { d1: 0, shards: 0 };
const grown = (a: Bytes, b: Bytes): Bytes => ({ d1: b.d1 - a.d1, shards: b.shards - a.shards });

function summarise(s: Snapshot, beacons: number, errors: number, seconds: number, bytes: Bytes): Omit<PhaseCounts, "cpu"> {
  const t = s.total;
  return {
    beacons,
    errors,
    seconds: round(seconds),
    d1RoundTrips: t.d1.roundTrips,
    d1Statements: t.d1.statements,
    d1RowsWritten: t.d1.rowsWritten,
    hubCalls: sumCalls(t.doCalls, "SiteHub"),
    shardCalls: sumCalls(t.doCalls, "VisitorShard"),
    roomCalls: sumCalls(t.doCalls, "ConversationRoom"),
    hmacOps: t.hmac.sign + t.hmac.verify,
    shardSqlRowsWritten: t.doSql.VisitorShard?.rowsWritten ?? 0,
    hubSqlRowsWritten: t.doSql.SiteHub?.rowsWritten ?? 0,
    d1BytesGrowth: bytes.d1,
    shardBytesGrowth: bytes.shards,
    calls: t.doCalls,
    byKind: s.byKind,
  };
}

/** Waits for what a beacon leaves running (waitUntil, a flush) before the counters are read. */
const SETTLE_MS = 500;

async function phase(
  server: TargetServer,
  name: string,
  items: Visitor[],
  act: (v: Visitor) => Promise<BeaconAnswer>,
  concurrency = 16,
): Promise<PhaseCounts> {
  await resetCounts(server);
  const bytes0 = await storage(server);
  const cpu0 = processCpuMs(server.pid);
  const began = performance.now();
  const answers = await mapLimit(items, concurrency, act);
  const seconds = (performance.now() - began) / 1000;
  await sleep(SETTLE_MS);
  const cpu = { ms: processCpuMs(server.pid) - cpu0, seconds: (performance.now() - began) / 1000 };
  const errors = answers.filter((a) => a.status !== 200).length;
  if (errors)
    log(`  ! ${name}: ${errors} of ${answers.length} beacons failed (first: ${JSON.stringify(answers.find((a) => a.status !== 200))})`);
  const counts = await readCounts(server);
  return { ...summarise(counts, answers.length, errors, seconds, grown(bytes0, await storage(server))), cpu };
}

async function countShop(server: TargetServer, client: BeaconClient, shop: Shop, plan: VisitorPathPlan): Promise<ShopCounts> {
  const visitors = range(plan.countVisitors).map((i) => new Visitor(shop, 1_000_000 + i));
  const firstViews = await phase(server, "first views", visitors, (v) => v.view(client));
  const views = await phase(server, "views", visitors, (v) => v.view(client));
  const rounds = range(plan.pingsPerVisitor).flatMap(() => visitors);
  const pings = await phase(server, "pings", rounds, (v) => v.ping(client));
  const leaves = await phase(server, "leaves", visitors, (v) => v.leave(client));
  await resetCounts(server);
  const bytes0 = await storage(server);
  const cpu0 = processCpuMs(server.pid);
  const began = performance.now();
  await sleep(plan.idleSeconds * 1000);
  const cpu = { ms: processCpuMs(server.pid) - cpu0, seconds: (performance.now() - began) / 1000 };
  const counts = await readCounts(server);
  const idle = { ...summarise(counts, 0, 0, cpu.seconds, grown(bytes0, await storage(server))), cpu };
  // CPU per beacon, less what workerd spends anyway over the same time (timers, housekeeping).
  const idleMsPerSecond = cpu.ms / cpu.seconds;
  const net = (p: PhaseCounts) => (p.beacons ? round((p.cpu.ms - idleMsPerSecond * p.cpu.seconds) / p.beacons) : NaN);
  const cpuSummary = {
    idleMsPerSecond: round(idleMsPerSecond),
    msPerPing: net(pings),
    msPerView: net(views),
    msPerLeave: net(leaves),
    msPerFirstView: net(firstViews),
  };
  return { shards: shop.shards, firstViews, views, pings, leaves, idle, cpu: cpuSummary };
}

// ---- Throughput ----------------------------------------------------------------------------------

const MAX_IN_FLIGHT = 4000;
const DRAIN_MS = 30_000;

async function step(server: TargetServer, client: BeaconClient, pool: Visitor[], rate: number, seconds: number): Promise<Step> {
  await resetCounts(server);
  const total = Math.round(rate * seconds);
  const windowMs = seconds * 1000;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const fail = (why: string) => {
    errors[why] = (errors[why] ?? 0) + 1;
  };
  let sent = 0;
  let lastSentAt = 0;
  let inFlight = 0;
  let ok = 0;
  let okInWindow = 0;
  const cpu0 = processCpuMs(server.pid);
  const client0 = process.cpuUsage();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    const drained = () => sent >= total && inFlight === 0 && resolve();
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
      while (sent < due) {
        const i = sent++;
        lastSentAt = performance.now();
        const intended = start + (i * 1000) / rate;
        if (inFlight >= MAX_IN_FLIGHT) {
          fail("shed (client: too many in flight)");
          continue;
        }
        inFlight++;
        pool[i % pool.length]!.ping(client).then((a) => {
          inFlight--;
          const done = performance.now();
          if (a.status === 200) {
            ok++;
            latencies.push(done - intended);
            if (done - start <= windowMs) okInWindow++;
          } else fail(a.status === 0 ? "network" : `${a.status} ${a.body?.error?.code ?? ""}`.trim());
          drained();
        });
      }
      if (sent < total) setTimeout(tick, 1);
      else drained();
    };
    tick();
    setTimeout(() => {
      if (inFlight > 0) {
        errors["no answer within 30 s of the step's end"] = inFlight;
        inFlight = 0;
        sent = total;
        resolve();
      }
    }, windowMs + DRAIN_MS).unref();
  });
  const cpu = processCpuMs(server.pid) - cpu0;
  const clientUsage = process.cpuUsage(client0);
  await sleep(SETTLE_MS);
  const counts = summarise(await readCounts(server), ok, 0, 0, NO_BYTES);
  const failed = Object.values(errors).reduce((a, b) => a + b, 0);
  const d = distribution(latencies);
  const per = (n: number) => (ok ? round(n / ok) : NaN);
  const result: Step = {
    offered: rate,
    sent: round(sent / Math.max(seconds, (lastSentAt - start) / 1000)),
    achieved: round(okInWindow / seconds),
    ok,
    errors,
    errorRate: round(failed / total),
    latency: { p50: d.p50, p90: d.p90, p99: d.p99, max: d.max },
    workerdCpuMsPerPing: per(cpu),
    clientCpuMsPerPing: per((clientUsage.user + clientUsage.system) / 1000),
    perPing: {
      d1Statements: per(counts.d1Statements),
      hubCalls: per(counts.hubCalls),
      shardCalls: per(counts.shardCalls),
      hmacOps: per(counts.hmacOps),
    },
    hubCallsPerSecond: round(counts.hubCalls / seconds),
    sustained: false,
    load1: round(os.loadavg()[0]!),
  };
  result.sustained =
    result.achieved >= SUSTAINED.achievedRatio * rate && result.errorRate <= SUSTAINED.errorRate && d.p99 <= SUSTAINED.p99Ms;
  return result;
}

/** A shop's pool of visitors on one server, each with a first page view (so pings name a known visitor). */
async function makePool(server: TargetServer, client: BeaconClient, shop: Shop, plan: VisitorPathPlan): Promise<Visitor[]> {
  const pool = range(plan.poolVisitors).map((i) => new Visitor(shop, 2_000_000 + i));
  const made = await mapLimit(pool, 32, (v) => v.view(client));
  const failed = made.filter((a) => a.status !== 200).length;
  if (failed)
    throw new Error(
      `${server.label}: ${failed} of ${pool.length} visitors could not be created: ${JSON.stringify(made.find((a) => a.status !== 200))}`,
    );
  return pool;
}

const summary = (shards: number, steps: Step[]): ThroughputResult => ({
  shards,
  steps,
  sustainedPerSecond: Math.max(0, ...steps.filter((s) => s.sustained).map((s) => s.offered)),
  peakPerSecond: Math.max(0, ...steps.map((s) => s.achieved)),
});

/**
 * Counts on one server (its servers may all be running; each is measured alone).
 */
export async function countTarget(server: TargetServer, plan: VisitorPathPlan): Promise<{ counts: ShopCounts[]; floor: Floor }> {
  const client = new BeaconClient(server.url);
  try {
    const counts: ShopCounts[] = [];
    for (const shop of SHOPS) {
      log(`· visitor-path/${server.label}: counts, ${shop.shards} shard${shop.shards > 1 ? "s" : ""}`);
      counts.push(await countShop(server, client, shop, plan));
    }
    const requests = range(plan.countVisitors * plan.pingsPerVisitor);
    const before = processCpuMs(server.pid);
    const began = performance.now();
    await mapLimit(requests, 16, () => client.preflight());
    const ms = processCpuMs(server.pid) - before;
    const seconds = (performance.now() - began) / 1000;
    const idle = counts.reduce((a, c) => a + c.cpu.idleMsPerSecond, 0) / counts.length;
    const floor = { requests: requests.length, msPerRequest: round((ms - idle * seconds) / requests.length) };
    return { counts, floor };
  } finally {
    client.close();
  }
}

/**
 * The throughput steps with the servers interleaved: at each offered rate, each server still
 * sustaining is stepped in turn, so a change in the machine's load (two shared cores, other
 * engineers' tests) lands on old and new alike rather than on whichever ran later. A server
 * leaves the comparison after its first step not sustained. Returns each server's results, per shop.
 */
export async function interleavedThroughput(servers: TargetServer[], plan: VisitorPathPlan): Promise<ThroughputResult[][]> {
  const clients = servers.map((s) => new BeaconClient(s.url));
  try {
    const out: ThroughputResult[][] = servers.map(() => []);
    for (const shop of SHOPS) {
      log(
        `· visitor-path: throughput, ${shop.shards} shard${shop.shards > 1 ? "s" : ""}, ${servers.map((s) => s.label).join(" and ")} in turn`,
      );
      const pools: Visitor[][] = [];
      for (const [i, server] of servers.entries()) pools.push(await makePool(server, clients[i]!, shop, plan));
      await sleep(1000);
      const steps: Step[][] = servers.map(() => []);
      const going = new Set(servers.map((_, i) => i));
      for (const rate of plan.steps) {
        if (going.size === 0) break;
        for (const i of [...going]) {
          const st = await step(servers[i]!, clients[i]!, pools[i]!, rate, plan.stepSeconds);
          steps[i]!.push(st);
          log(
            `  ${servers[i]!.label.padEnd(6)} ${String(rate).padStart(5)}/s offered → ${Math.round(st.achieved)}/s, p50 ${st.latency.p50} ms, p99 ${st.latency.p99} ms, errors ${(st.errorRate * 100).toFixed(1)}%, workerd ${st.workerdCpuMsPerPing} ms CPU/ping, load ${st.load1}${st.sustained ? "" : " — not sustained"}`,
          );
          if (!st.sustained) going.delete(i);
          await sleep(1000);
        }
      }
      for (const [i] of servers.entries()) out[i]!.push(summary(shop.shards, steps[i]!));
    }
    return out;
  } finally {
    for (const c of clients) c.close();
  }
}
