/**
 * A checkout of Gadka under its own `wrangler dev`, for the visitor-path scenario: this one or
 * another directory (`--target old=/work/wt/bench-old`), with the counting instrumentation on
 * (`--var GADKA_METRICS:1`, worker/lib/metrics.ts), fresh state in memory, and a second shop with
 * four visitor shards beside the demo shop (one). Only one runs at a time: the checkouts are
 * measured one after the other in the same run, on the same machine.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { workerProcess } from "../local-server";

// The visitor path's ports: 8890, 8892, … for the targets' wrangler dev, each next one its inspector.
/** The first target's port (`GADKA_BENCH_VISITOR_PORT` to move it on a machine others share). */
export const VISITOR_PORT = Number(process.env.GADKA_BENCH_VISITOR_PORT) || 8890;
/** The inspector's port: the next one unless `GADKA_BENCH_INSPECTOR_PORT` names it (one target then). */
const INSPECTOR_PORT = Number(process.env.GADKA_BENCH_INSPECTOR_PORT) || null;

export interface Shop {
  siteId: string;
  key: string;
  shards: number;
}

/** The demo shop (one shard, the default) and the benchmark's own four-shard shop. */
export const SHOPS: Shop[] = [
  { siteId: "site_demo", key: "pk_demo_shop", shards: 1 },
  { siteId: "site_bench_n4", key: "pk_bench_n4", shards: 4 },
];

/** An allowed origin of the demo shop (scripts/lib/seed.mjs); the beacon checks it. */
export const SHOP_ORIGIN = "http://localhost:8787";

export interface TargetServer {
  label: string;
  dir: string;
  commit: string | null;
  /** The Worker's own socket (not wrangler's dev proxy) when found. */
  url: string;
  direct: boolean;
  /** The Worker's workerd, whose CPU time /proc reports; null when not found. */
  pid: number | null;
  persistTo: string;
  reloads: number;
  output(): string;
  stop(): Promise<void>;
}

const RELOAD_MARKER = "Reloading local server";

export async function startTarget(label: string, dir: string, port = VISITOR_PORT): Promise<TargetServer> {
  const devServer = (await import(
    pathToFileURL(join(dir, "scripts/lib/dev-server.mjs")).href
  )) as typeof import("../../../scripts/lib/dev-server.mjs");
  const persistTo = existsSync("/dev/shm") ? `/dev/shm/gadka-visitor-${label}-${process.pid}` : join(dir, ".wrangler/bench-visitor-state");
  rmSync(persistTo, { recursive: true, force: true });
  devServer.ensureDevVars();
  if (!existsSync(join(dir, "dist/public"))) {
    const build = spawnSync(process.execPath, [join(dir, "scripts/build.mjs")], { cwd: dir, stdio: "inherit" });
    if (build.status !== 0) throw new Error(`the build in ${dir} failed`);
  }
  const shops = SHOPS.slice(1)
    .map(
      (s) =>
        `INSERT INTO sites (id, name, public_key, allowed_origins, settings, created_at, visitor_shards) SELECT '${s.siteId}', 'Bench shop, ${s.shards} shards', '${s.key}', allowed_origins, settings, created_at, ${s.shards} FROM sites WHERE id = 'site_demo' ON CONFLICT DO NOTHING;\n`,
    )
    .join("");
  await devServer.prepareDatabase(persistTo, { extraSql: `\nUPDATE sites SET visitor_shards = 1 WHERE id = 'site_demo';\n${shops}` });

  const child = spawn(
    join(dir, "node_modules/.bin/wrangler"),
    [
      "dev",
      ...["--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(INSPECTOR_PORT ?? port + 1)],
      ...["--persist-to", persistTo, "--show-interactive-dev-session=false", "--var", "GADKA_METRICS:1"],
    ],
    {
      cwd: dir,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1", X_LOCAL_OBSERVABILITY: "false" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  let reloads = 0;
  const onData = (d: Buffer) => {
    const before = output.length;
    output = (output + d).slice(-20_000);
    if (output.slice(Math.max(0, before - RELOAD_MARKER.length)).includes(RELOAD_MARKER)) reloads++;
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const proxyUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev in ${dir} exited (${child.exitCode}):\n${output}`);
    const r = await fetch(`${proxyUrl}/api/me`).catch(() => null);
    if (r?.status === 401) break;
    if (Date.now() > deadline) {
      await stopGroup(child.pid!);
      throw new Error(`wrangler dev in ${dir} did not answer within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const worker = await workerProcess(child.pid!);
  const url = worker?.url ?? proxyUrl;
  const metrics = await fetch(`${url}/api/dev/metrics`);
  if (metrics.status !== 200) {
    await stopGroup(child.pid!);
    throw new Error(`${label} (${dir}) has no counting instrumentation: GET /api/dev/metrics answered ${metrics.status}`);
  }
  const git = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: dir, encoding: "utf8" });
  return {
    label,
    dir,
    commit: git.status === 0 ? git.stdout.trim() : null,
    url,
    direct: worker !== null,
    pid: worker?.pid ?? null,
    persistTo,
    get reloads() {
      return reloads;
    },
    output: () => output,
    stop: async () => {
      await stopGroup(child.pid!);
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

async function stopGroup(pid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(-pid, "SIGKILL");
}

const TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** CPU time (user + system, all threads) of a process so far, in milliseconds; NaN if unreadable. */
export function processCpuMs(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted from the state field (3).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/**
 * Bytes in use by the SQLite databases under `persistTo/v3/<under>` whose path matches `name`:
 * (pages − free pages) × page size as a reader sees them (WAL included, so checkpoints do not
 * move it), via node:sqlite; the files' sizes where that is unavailable.
 */
export async function sqliteBytes(persistTo: string, under: "d1" | "do", name: RegExp = /./): Promise<number> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const entry of existsSync(d) ? readdirSync(d) : []) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith(".sqlite") && name.test(p)) files.push(p);
    }
  };
  walk(join(persistTo, "v3", under));
  let sqlite: typeof import("node:sqlite") | null = null;
  try {
    sqlite = await import("node:sqlite");
  } catch {
    // Node without node:sqlite: file sizes
  }
  let total = 0;
  for (const file of files) {
    try {
      if (!sqlite) throw new Error("no node:sqlite");
      const db = new sqlite.DatabaseSync(file, { readOnly: true });
      try {
        const one = (pragma: string) => Object.values(db.prepare(`PRAGMA ${pragma}`).get() as Record<string, number>)[0]!;
        total += (one("page_count") - one("freelist_count")) * one("page_size");
      } finally {
        db.close();
      }
    } catch {
      total += statSync(file).size + (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    }
  }
  return total;
}
