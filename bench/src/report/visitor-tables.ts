/**
 * The visitor path's tables (Markdown, as BENCHMARKS.md quotes them): counts per phase, shard
 * balance, throughput steps, saturation old vs new, and the production estimate.
 */

import { SUSTAINED, type VisitorPathPlan, type VisitorPathResult } from "../scenarios/visitor-path";
import { estimates, LIMITS } from "../visitor/estimate";

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "∞ (not on this path)");
const num = (n: number, digits = 2) => (Number.isNaN(n) ? "n/a" : n.toLocaleString("en", { maximumFractionDigits: digits }));
const kb = (bytes: number) => `${num(bytes / 1024, 0)} KB`;

export function formatVisitorPath(r: VisitorPathResult, plan: VisitorPathPlan): string {
  const out: string[] = [];
  const p = plan;
  out.push(
    `Visitor path — counts (exact): ${p.countVisitors} visitors each view a page (first views: new visitors), view another, ping ${p.pingsPerVisitor}× (= ${(p.countVisitors * p.pingsPerVisitor).toLocaleString("en")} pings), leave; then ${p.idleSeconds} s with nothing sent. Summed over the Worker and every object.`,
  );
  const countRows: string[][] = [];
  for (const t of r.targets)
    for (const c of t.counts)
      for (const [name, ph] of [
        [`${c.pings.beacons.toLocaleString("en")} pings`, c.pings],
        [`${c.views.beacons} views`, c.views],
        [`${c.leaves.beacons} leaves`, c.leaves],
        [`${c.firstViews.beacons} first views`, c.firstViews],
        [`idle ${num(c.idle.seconds, 1)} s`, c.idle],
      ] as const)
        countRows.push([
          t.label,
          String(c.shards),
          name,
          int(ph.d1RoundTrips),
          int(ph.d1Statements),
          int(ph.d1RowsWritten),
          int(ph.hubCalls),
          int(ph.shardCalls),
          int(ph.roomCalls),
          int(ph.hmacOps),
          int(ph.shardSqlRowsWritten),
          int(ph.hubSqlRowsWritten),
          kb(ph.d1BytesGrowth),
          kb(ph.shardBytesGrowth),
          ph.errors ? `${ph.errors} failed` : "",
        ]);
  out.push(
    table(
      [
        "Target",
        "N",
        "Phase",
        "D1 round trips",
        "D1 statements",
        "D1 rows written",
        "Hub calls",
        "Shard calls",
        "Room calls",
        "HMAC ops",
        "Shard SQLite rows written",
        "Hub SQLite rows written",
        "D1 growth",
        "Shard SQLite growth",
        "",
      ],
      countRows,
    ),
  );

  out.push(
    `\nShard balance over ${p.balanceVisitors.toLocaleString("en")} visitor ids (worker/lib/shards.ts; target within ±10% of the mean):`,
  );
  out.push(
    table(
      ["N", "Mean per shard", "Min", "Max", "Max deviation", "Within ±10%", "Uniform random (median)", "At 1,000,000 visitors"],
      r.balance.map((b) => [
        String(b.shards),
        num(b.mean, 1),
        String(b.min),
        String(b.max),
        `${b.maxDeviationPct}%`,
        b.maxDeviationPct <= 10 ? "yes" : "NO",
        `${b.uniformRandomPct}%`,
        b.atMillionPct === undefined ? "—" : `${b.atMillionPct}%`,
      ]),
    ),
  );

  out.push(
    `\nThroughput — open-loop steps of ${p.stepSeconds} s (each ping sent at its time, answered or not; latency from that time). Sustained: achieved ≥ ${SUSTAINED.achievedRatio * 100}% of offered, errors ≤ ${SUSTAINED.errorRate * 100}%, p99 ≤ ${SUSTAINED.p99Ms} ms.`,
  );
  const stepRows: string[][] = [];
  for (const t of r.targets)
    for (const th of t.throughput)
      for (const s of th.steps)
        stepRows.push([
          t.label,
          String(th.shards),
          `${s.offered}/s`,
          `${num(s.sent, 0)}/s`,
          `${num(s.achieved, 0)}/s`,
          `${num(s.latency.p50, 1)} ms`,
          `${num(s.latency.p99, 1)} ms`,
          `${num(s.errorRate * 100, 1)}%`,
          `${num(s.workerdCpuMsPerPing, 3)} ms`,
          `${num(s.clientCpuMsPerPing, 3)} ms`,
          num(s.perPing.d1Statements, 3),
          num(s.perPing.hubCalls, 3),
          num(s.perPing.shardCalls, 3),
          num(s.hubCallsPerSecond, 1),
          s.sustained ? "yes" : "NO",
          num(s.load1, 1),
        ]);
  out.push(
    table(
      [
        "Target",
        "N",
        "Offered",
        "Sent",
        "Achieved",
        "p50",
        "p99",
        "Errors",
        "workerd CPU/ping",
        "client CPU/ping",
        "D1 stmts/ping",
        "Hub calls/ping",
        "Shard calls/ping",
        "Hub calls/s",
        "Sustained",
        "Load",
      ],
      stepRows,
    ),
  );

  out.push(
    "\nworkerd CPU per beacon (counting phases, 16 in flight, less idle CPU) and the ceiling it implies: pings/s one core of workerd could take on this machine — robust to the machine's load, unlike the steps above:",
  );
  const cpuBase = r.targets[0];
  out.push(
    table(
      [
        "Target",
        "N",
        "CPU/ping",
        "CPU/view",
        "CPU/leave",
        "CPU/first view",
        "Floor (CPU/preflight)",
        "Idle CPU",
        "Ceiling (pings/s per core)",
        `Ceiling ÷ ${cpuBase?.label ?? "first"}`,
      ],
      r.targets.flatMap((t) =>
        t.counts.map((c) => {
          const ref = cpuBase?.counts.find((b) => b.shards === c.shards);
          return [
            t.label,
            String(c.shards),
            `${num(c.cpu.msPerPing, 3)} ms`,
            `${num(c.cpu.msPerView, 3)} ms`,
            `${num(c.cpu.msPerLeave, 3)} ms`,
            `${num(c.cpu.msPerFirstView, 3)} ms`,
            `${num(t.floor.msPerRequest, 3)} ms`,
            `${num(c.cpu.idleMsPerSecond, 1)} ms/s`,
            `${int(1000 / c.cpu.msPerPing)}/s`,
            ref && t !== cpuBase ? `${num(ref.cpu.msPerPing / c.cpu.msPerPing)}×` : "—",
          ];
        }),
      ),
    ),
  );

  out.push("\nSaturation (highest offered rate sustained; highest achieved rate of any step):");
  const base = r.targets[0];
  const satRows: string[][] = [];
  for (const t of r.targets)
    for (const th of t.throughput) {
      const ref = base?.throughput.find((b) => b.shards === th.shards);
      satRows.push([
        t.label,
        String(th.shards),
        `${int(th.sustainedPerSecond)}/s`,
        `${int(th.peakPerSecond)}/s`,
        ref && t !== base && ref.sustainedPerSecond > 0 ? `${num(th.sustainedPerSecond / ref.sustainedPerSecond)}×` : "—",
        ref && t !== base && ref.peakPerSecond > 0 ? `${num(th.peakPerSecond / ref.peakPerSecond)}×` : "—",
      ]);
    }
  out.push(
    table(
      ["Target", "N", "Sustained", "Peak achieved", `Sustained ÷ ${base?.label ?? "first"}`, `Peak ÷ ${base?.label ?? "first"}`],
      satRows,
    ),
  );

  out.push(
    `\nProduction estimate from the counts (pings every ${LIMITS.pingSeconds} s, a page view and a leave every ${LIMITS.pageSeconds} s per visible visitor; D1 ${LIMITS.d1QueriesPerSecond.toLocaleString("en")} queries/s and 10 GB per database — ${LIMITS.docs.d1}; a Durable Object ${LIMITS.objectRequestsPerSecond.toLocaleString("en")} requests/s soft limit — ${LIMITS.docs.durableObjects}):`,
  );
  const estRows = r.targets.flatMap((t) =>
    estimates(t).map((e) => [
      e.label,
      String(e.shards),
      num(e.perVisitor.d1Queries * 1000, 1),
      num(e.perVisitor.hubRequests * 1000, 1),
      num(e.perVisitor.shardRequests * 1000, 1),
      num(e.hubBackgroundPerSecond, 2),
      int(e.maxPerShop.overall),
      int(e.maxPerDeployment.byD1),
      `${num((e.perVisitor.d1BytesPerDay * 1000) / 1024 ** 3, 2)} GB`,
      Number.isFinite(e.daysToFillD1AtMax) ? num(e.daysToFillD1AtMax, 1) : "never",
      e.shardsFor100k === null ? "—" : String(e.shardsFor100k),
    ]),
  );
  out.push(
    table(
      [
        "Target",
        "N",
        "D1 queries/s per 1,000 visitors",
        "Hub req/s per 1,000",
        "Shard req/s per 1,000",
        "Hub calls/s idle",
        "Max visitors per shop",
        "Max per deployment (D1)",
        "D1 growth/day per 1,000",
        "Days to 10 GB at max",
        "Shards for 100,000",
      ],
      estRows,
    ),
  );
  return out.join("\n");
}
