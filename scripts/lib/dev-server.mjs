// Local Gadka under `wrangler dev`: prepare the local D1 (migrations + demo seed), start the
// server, wait until it answers. Used by `npm run dev`, the end-to-end tests, the benchmarks and
// the fault tests, so all of them run the same way a developer does.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { newSetupToken } from "./deploy-secrets.mjs";
import { seedSql } from "./seed.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const wranglerBin = join(root, "node_modules/.bin/wrangler");
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "true", NO_COLOR: "1" };

/** `.dev.vars` holds local secrets; a random one is written on first run (never committed). */
export function ensureDevVars() {
  const file = join(root, ".dev.vars");
  if (!existsSync(file)) writeFileSync(file, `TOKEN_SECRET=${randomBytes(32).toString("hex")}\n`);
}

/**
 * A new local setup token: its hash goes into `.dev.vars` (SETUP_TOKEN_HASH, read when wrangler
 * dev starts) and the token is returned, for the link `npm run dev` prints. Each start makes a
 * new one, as `npm run deploy -- --new-setup-token` does in production.
 */
export function newLocalSetupToken() {
  ensureDevVars();
  const file = join(root, ".dev.vars");
  const { token, hash } = newSetupToken();
  const kept = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line && !line.startsWith("SETUP_TOKEN_HASH="));
  writeFileSync(file, `${[...kept, `SETUP_TOKEN_HASH=${hash}`].join("\n")}\n`);
  return token;
}

function wrangler(args, opts = {}) {
  const r = spawnSync(wranglerBin, args, { cwd: root, env: quietEnv, encoding: "utf8", ...opts });
  if (r.status !== 0) {
    throw new Error(`wrangler ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/**
 * Applies D1 migrations and the idempotent demo seed to the local database in `persistTo`;
 * `extraSql` (a test's own fixtures) runs after the seed in the same `wrangler d1 execute`.
 */
export async function prepareDatabase(persistTo, { extraSql = "" } = {}) {
  mkdirSync(persistTo, { recursive: true });
  wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo]);
  const file = join(persistTo, "seed.sql");
  writeFileSync(file, (await seedSql()) + extraSql);
  wrangler(["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", file]);
}

/**
 * Starts `wrangler dev` and resolves once the API answers. Returns { url, process, stop }.
 * `inherit` streams wrangler's output to this terminal (npm run dev); otherwise it is kept
 * for error reports only.
 */
export async function startWrangler({ port, persistTo, inherit = false, timeoutMs = 60_000, publicUrl = `http://127.0.0.1:${port}` }) {
  const child = spawn(
    wranglerBin,
    // PUBLIC_URL: links in the emails this server records (chat, unsubscribe) point at this server.
    [
      "dev",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--persist-to",
      persistTo,
      "--show-interactive-dev-session=false",
      "--var",
      `PUBLIC_URL:${publicUrl}`,
    ],
    { cwd: root, env: quietEnv, stdio: inherit ? "inherit" : ["ignore", "pipe", "pipe"], detached: !inherit },
  );
  let output = "";
  child.stdout?.on("data", (d) => (output = (output + d).slice(-20_000)));
  child.stderr?.on("data", (d) => (output = (output + d).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (${child.exitCode}):\n${output}`);
    try {
      const r = await fetch(`${url}/api/me`);
      if (r.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stopProcess(child);
      throw new Error(`wrangler dev did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, process: child, output: () => output, stop: () => stopProcess(child), kill: () => killProcess(child) };
}

/** Stops wrangler and the workerd it spawned (its process group). */
export function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
    setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // gone
      }
    }, 5000).unref();
  });
}

/**
 * Kills wrangler and the workerd it spawned at once (SIGKILL to the process group), as a crash or
 * a lost machine would: no shutdown, no close frames. Resolves when no process of the group is left.
 */
export function killProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
    const gone = () => {
      try {
        process.kill(-child.pid, 0);
      } catch {
        return resolve();
      }
      setTimeout(gone, 20);
    };
    child.once("exit", gone);
  });
}
