/**
 * The Gadka under test: a fresh `wrangler dev` of its own (new state every run, so conversations
 * and history never carry over), or the one named by `--url`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureDevVars, prepareDatabase, root, startWrangler } from "../../scripts/lib/dev-server.mjs";
import { BENCH_PORT } from "./plan";

export interface ServerUnderTest {
  /** Where the scenarios connect: the Worker's own socket when it could be found, else wrangler's. */
  url: string;
  /** wrangler dev's own address (its dev proxy in front of the Worker). */
  proxyUrl: string;
  /** True when `url` bypasses wrangler's dev proxy. */
  direct: boolean;
  /** True when the local storage was kept in memory rather than on disk. */
  stateOnTmpfs: boolean;
  /** False when `--url` pointed at a server someone else runs. */
  started: boolean;
  /** The tail of wrangler's log, for a failure report ("" for `--url`). */
  output(): string;
  stop(): Promise<void>;
}

const RELOAD_MARKER = "Reloading local server";
const TMPFS = "/dev/shm";

/** Set by bench/run.mjs before anything starts; see there. */
export const LOCAL_TRACING = "X_LOCAL_OBSERVABILITY";

/**
 * `onReload` is called whenever wrangler dev reloads the code. It does so when a watched file
 * changes — someone editing while the benchmark runs — and a reload drops every socket, so the
 * figures of such a run are not valid.
 */
export async function serverUnderTest(url: string | null, viaProxy: boolean, onReload: () => void): Promise<ServerUnderTest> {
  if (url) return { url, proxyUrl: url, direct: false, stateOnTmpfs: false, started: false, output: () => "", stop: async () => {} };
  // Local workerd's SQLite syncs every commit to disk, and on a virtual disk that sync — not
  // Gadka, and nothing production storage does — became the figure (throughput 4× lower, latency
  // p50 +1.5 ms, both swinging run to run). So the state lives in memory (tmpfs) where there is one.
  const persistTo = existsSync(TMPFS) ? join(TMPFS, `gadka-bench-${process.pid}`) : join(root, ".wrangler/bench-state");
  rmSync(persistTo, { recursive: true, force: true });
  ensureDevVars();
  // wrangler dev refuses to start without its assets directory; the figures do not depend on it.
  if (!existsSync(join(root, "dist/public"))) {
    const build = spawnSync(process.execPath, [join(root, "scripts/build.mjs")], { cwd: root, stdio: "inherit" });
    if (build.status !== 0) throw new Error("the build failed");
  }
  await prepareDatabase(persistTo);
  const server = await startWrangler({ port: BENCH_PORT, persistTo });
  let tail = "";
  const watch = (chunk: Buffer) => {
    const text = tail + chunk.toString();
    if (text.includes(RELOAD_MARKER)) onReload();
    // Short enough never to hold a whole marker, long enough to join one split across chunks.
    tail = text.slice(-(RELOAD_MARKER.length - 1));
  };
  server.process.stdout?.on("data", watch);
  server.process.stderr?.on("data", watch);
  const direct = viaProxy ? null : await workerSocket(server.process.pid!);
  return {
    url: direct ?? server.url,
    proxyUrl: server.url,
    direct: direct !== null,
    started: true,
    output: server.output,
    stateOnTmpfs: persistTo.startsWith(TMPFS),
    stop: async () => {
      await server.stop();
      if (persistTo.startsWith(TMPFS)) rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

/**
 * `wrangler dev` runs two workerd processes: a dev proxy on the port it prints (it holds requests
 * while the code reloads, and relays every WebSocket frame in JavaScript) and the Worker itself on
 * a port of its own. Production has no such proxy: measured here it doubles the CPU time per
 * message. So the scenarios talk to the Worker's own socket — found from the workerd started
 * without a fixed port in wrangler's process group, and checked to answer as Gadka's API does.
 * Linux only (`/proc`, `ss`); elsewhere, or with `--via-proxy`, the proxy is measured too.
 */
export async function workerSocket(group: number): Promise<string | null> {
  return (await workerProcess(group))?.url ?? null;
}

/** The Worker's own workerd (see workerSocket): its address and its process id, for /proc's CPU time. */
export async function workerProcess(group: number): Promise<{ url: string; pid: number } | null> {
  try {
    const workers = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
          // Field 5 of /proc/<pid>/stat is the process group; the command name may hold spaces.
          const pgrp = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[2]);
          return pgrp === group && cmd.includes("workerd") && cmd.includes("entry=127.0.0.1:0");
        } catch {
          return false; // gone, or not ours to read
        }
      });
    const listening = spawnSync("ss", ["-ltnpH"], { encoding: "utf8" }).stdout ?? "";
    for (const pid of workers) {
      for (const line of listening.split("\n").filter((l) => l.includes(`pid=${pid},`))) {
        const port = /127\.0\.0\.1:(\d+)/.exec(line)?.[1];
        if (!port) continue;
        const candidate = `http://127.0.0.1:${port}`;
        const r = await fetch(`${candidate}/api/me`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        const body = r ? ((await r.json().catch(() => null)) as { error?: { code?: string } } | null) : null;
        if (r?.status === 401 && body?.error?.code) return { url: candidate, pid: Number(pid) };
      }
    }
  } catch {
    // Fall back to the proxy.
  }
  return null;
}
