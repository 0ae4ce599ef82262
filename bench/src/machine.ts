/**
 * The machine a run happened on, and how busy it was: figures from two cores shared with a
 * browser test next door are not comparable with a quiet machine's, so every run records both.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { root } from "../../scripts/lib/dev-server.mjs";

export interface Machine {
  cpus: number;
  cpuModel: string;
  /** `free -h`, the memory line. */
  memory: string;
  os: string;
  node: string;
  wrangler: string;
}

export interface LoadSample {
  at: string;
  /** 1-minute load average (runnable processes; the machine is saturated at `cpus`). */
  load1: number;
  /** Browser processes running beside the benchmark (other engineers' end-to-end tests). */
  chromiumProcesses: number;
}

export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    memory: firstLine(run("free", ["-h"]), /^Mem:/).replace(/\s+/g, " "),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: run(join(root, "node_modules/.bin/wrangler"), ["--version"]).match(/\d+\.\d+\.\d+/)?.[0] ?? "unknown",
  };
}

export function sampleLoad(at: string): LoadSample {
  return { at, load1: Math.round(os.loadavg()[0]! * 100) / 100, chromiumProcesses: countProcesses(/^(chromium|chrome)/) };
}

function countProcesses(name: RegExp): number {
  let n = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (name.test(readFileSync(`/proc/${pid}/comm`, "utf8"))) n++;
    } catch {
      // the process ended while we looked
    }
  }
  return n;
}

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  return r.status === 0 ? r.stdout : "unknown";
}

function firstLine(text: string, pattern: RegExp): string {
  return text.split("\n").find((l) => pattern.test(l)) ?? text.trim();
}
