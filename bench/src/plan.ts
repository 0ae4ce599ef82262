/**
 * What one `npm run bench` does: the command line, and the size of every scenario in the full
 * run (the figures) and in `--quick` (about a minute, for checking a change).
 * Imported by main and the scenarios.
 */
import { parseArgs } from "node:util";

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

export interface Plan {
  mode: "full" | "quick";
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

const FULL: Omit<Plan, "mode" | "url" | "viaProxy"> = {
  latency: { conversations: 100, messagesPerSecond: 1, seconds: 60, warmupSeconds: 5 },
  throughput: { window: SEND_WINDOW, seconds: 60, warmupSeconds: 2 },
  fanOut: { operators: 50, samples: 300, warmupSamples: 20 },
  resume: { messages: 10_000, reconnects: 20, after: 9_800 },
};

const QUICK: Omit<Plan, "mode" | "url" | "viaProxy"> = {
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
    },
  });
  const url = values.url ? values.url.replace(/\/+$/, "") : null;
  if (url !== null && !/^https?:\/\//.test(url)) throw new Error(`--url must be an http(s) URL, got "${url}"`);
  return { mode: values.quick ? "quick" : "full", url, viaProxy: values["via-proxy"], ...(values.quick ? QUICK : FULL) };
}
