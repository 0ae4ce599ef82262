/**
 * The figures of one run as table rows: each Gadka figure beside the floor's and the target it
 * answers to (DESIGN.md budgets and the issue). Targets are printed, never asserted.
 */

import type { Plan } from "../plan";
import type { FanOutResult } from "../scenarios/fan-out";
import type { LatencyResult } from "../scenarios/latency";
import type { ResumeResult } from "../scenarios/resume";
import type { ThroughputResult } from "../scenarios/throughput";

export interface Results {
  latency: { gadka: LatencyResult; baseline: LatencyResult };
  throughput: { gadka: ThroughputResult; baseline: ThroughputResult };
  fanOut: { gadka: FanOutResult; baseline: FanOutResult };
  resume: ResumeResult;
}

export interface Row {
  scenario: string;
  figure: string;
  unit: "ms" | "msg/s" | "×";
  gadka: number;
  /** The in-memory relay's figure; null where the floor cannot do the scenario. */
  floor: number | null;
  target: string | null;
  met: boolean | null;
}

const atMost = (limit: number, unit: string) => (v: number) => ({ target: `≤ ${limit}${unit === "×" ? "" : " "}${unit}`, met: v <= limit });
const atLeast = (limit: number, unit: string) => (v: number) => ({ target: `≥ ${limit.toLocaleString("en")} ${unit}`, met: v >= limit });
const none = () => ({ target: null, met: null });

export function buildRows(r: Results, plan: Plan): Row[] {
  const l = plan.latency;
  const latency = `Delivery latency, visitor → operator (${l.conversations} conversations × ${l.messagesPerSecond} msg/s, ${l.seconds} s)`;
  const throughput = `Throughput, one conversation (${plan.throughput.window} in flight, ${plan.throughput.seconds} s)`;
  const fanOut = `Fan-out, one conversation to ${plan.fanOut.operators} operator sockets (${plan.fanOut.samples} messages)`;
  const resume = `Resume into ${plan.resume.messages.toLocaleString("en")} messages (${plan.resume.reconnects} reconnects)`;
  const lg = r.latency.gadka.latency;
  const lb = r.latency.baseline.latency;
  const row = (
    scenario: string,
    figure: string,
    unit: Row["unit"],
    gadka: number,
    floor: number | null,
    judge: (v: number) => { target: string | null; met: boolean | null },
  ): Row => ({
    scenario,
    figure,
    unit,
    gadka,
    floor,
    ...judge(gadka),
  });
  return [
    row(latency, "p50", "ms", lg.p50, lb.p50, atMost(2, "ms")),
    row(latency, "p50 ÷ floor's p50", "×", ratio(lg.p50, lb.p50), null, atMost(3, "×")),
    row(latency, "p90", "ms", lg.p90, lb.p90, none),
    row(latency, "p99", "ms", lg.p99, lb.p99, atMost(10, "ms")),
    row(latency, "max", "ms", lg.max, lb.max, none),
    row(
      throughput,
      "stored messages/s",
      "msg/s",
      r.throughput.gadka.messagesPerSecond,
      r.throughput.baseline.messagesPerSecond,
      atLeast(1000, "msg/s"),
    ),
    row(fanOut, "last recipient p50", "ms", r.fanOut.gadka.lastRecipient.p50, r.fanOut.baseline.lastRecipient.p50, none),
    row(fanOut, "last recipient p99", "ms", r.fanOut.gadka.lastRecipient.p99, r.fanOut.baseline.lastRecipient.p99, atMost(15, "ms")),
    row(resume, "latest page (no `after`) p50", "ms", r.resume.latestPage.p50, null, none),
    row(resume, `from after=${plan.resume.after} p50`, "ms", r.resume.fromAfter.p50, null, none),
  ];
}

/** Gadka ÷ floor: how many times the floor's time (or, for throughput, its rate) Gadka takes. */
export function ratio(gadka: number, floor: number | null): number {
  return floor ? Number((gadka / floor).toPrecision(3)) : NaN;
}
