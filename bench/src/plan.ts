/**
 * What one `npm run bench` does: the command line, and the size of every scenario in the full
 * run (the figures) and in `--quick` (about a minute, for checking a change).
 * Imported by main and the scenarios.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { root } from "../../scripts/lib/dev-server.mjs";
import type { VisitorPathPlan } from "./scenarios/visitor-path";

export interface LatencyPlan {
  conversations: number;
  messagesPerSecond: number;
  seconds: number;
  /** Sent and checked, but not counted: the first seconds include cold objects and JIT. */
  warmupSeconds: number;
}

export interface ThroughputPlan {
  window: number;
  seconds: number;
  warmupSeconds: number;
}

export interface FanOutPlan {
  operators: number;
  samples: number;
  warmupSamples: number;
}

export interface ResumePlan {
  messages: number;
  reconnects: number;
  /** The resume point of the second measurement: the client holds everything up to here. */
  after: number;
}

/**
 * A checkout the visitor-path scenario starts its own `wrangler dev` in: a directory
 * (`--target old=/work/wt/bench-old`) or a commit of a repository (`--target new=git:/work/wt/shard@HEAD`).
 */
export interface VisitorTarget {
  label: string;
  dir: string;
}

export const SCENARIOS = ["chat", "visitor-path"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Plan {
  mode: "full" | "quick";
  /** `--only visitor-path` (or `chat`: the conversation scenarios); null runs everything. */
  only: ScenarioName | null;
  /** The checkouts the visitor path measures, in order; this one when no `--target` is given. */
  targets: VisitorTarget[];
  visitorPath: VisitorPathPlan;
  /** A Gadka already running (`--url`); null starts a fresh `wrangler dev` on BENCH_PORT. */
  url: string | null;
  /** Measure through wrangler dev's proxy instead of the Worker's own socket (`--via-proxy`). */
  viaProxy: boolean;
  latency: LatencyPlan;
  throughput: ThroughputPlan;
  fanOut: FanOutPlan;
  resume: ResumePlan;
}

/** Unacknowledged sends the throughput scenario keeps in flight (the figure). */
export const SEND_WINDOW = 200;

/** The port of the benchmark's own `wrangler dev`, apart from dev (8787) and e2e (8790). */
export const BENCH_PORT = 8791;

type Sizes = Omit<Plan, "mode" | "url" | "viaProxy" | "only" | "targets">;

const FULL: Sizes = {
  visitorPath: {
    countVisitors: 250,
    pingsPerVisitor: 4,
    idleSeconds: 5,
    balanceVisitors: 10_000,
    balanceShards: [4, 32, 256],
    poolVisitors: 3000,
    steps: [25, 50, 75, 100, 150, 200, 250, 300, 400, 500, 600, 800, 1000, 1250, 1500, 2000, 2500, 3000, 4000],
    stepSeconds: 8,
  },
  latency: { conversations: 100, messagesPerSecond: 1, seconds: 60, warmupSeconds: 5 },
  throughput: { window: SEND_WINDOW, seconds: 60, warmupSeconds: 2 },
  fanOut: { operators: 50, samples: 300, warmupSamples: 20 },
  resume: { messages: 10_000, reconnects: 20, after: 9_800 },
};

const QUICK: Sizes = {
  visitorPath: {
    countVisitors: 250,
    pingsPerVisitor: 4,
    idleSeconds: 2,
    balanceVisitors: 10_000,
    balanceShards: [4, 32, 256],
    poolVisitors: 1500,
    steps: [25, 50, 100, 150, 200, 300, 400, 600, 800, 1000, 1500, 2000, 3000],
    stepSeconds: 3,
  },
  latency: { conversations: 50, messagesPerSecond: 1, seconds: 8, warmupSeconds: 2 },
  throughput: { window: SEND_WINDOW, seconds: 6, warmupSeconds: 1 },
  fanOut: { operators: 50, samples: 60, warmupSamples: 10 },
  resume: { messages: 10_000, reconnects: 10, after: 9_800 },
};

export function readPlan(argv: string[]): Plan {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      url: { type: "string" },
      "via-proxy": { type: "boolean", default: false },
      only: { type: "string" },
      target: { type: "string", multiple: true },
    },
  });
  const only = (values.only ?? null) as ScenarioName | null;
  if (only !== null && !SCENARIOS.includes(only)) throw new Error(`--only must be one of ${SCENARIOS.join(", ")}, got "${only}"`);
  const targets = (values.target ?? [`this=${root}`]).map((t) => {
    const m = /^([a-z][a-z0-9-]{0,15})=(.+)$/.exec(t);
    if (!m) throw new Error(`--target must be label=directory (e.g. old=/work/wt/bench-old), got "${t}"`);
    // git:<repository>@<ref> is exported at run time (bench/src/visitor/export.ts).
    return { label: m[1]!, dir: m[2]!.startsWith("git:") ? m[2]! : resolve(m[2]!) };
  });
  const url = values.url ? values.url.replace(/\/+$/, "") : null;
  if (url !== null && !/^https?:\/\//.test(url)) throw new Error(`--url must be an http(s) URL, got "${url}"`);
  return { mode: values.quick ? "quick" : "full", url, viaProxy: values["via-proxy"], only, targets, ...(values.quick ? QUICK : FULL) };
}
