// Running wrangler for `npm run deploy`, and reading what it prints. The formats are those of
// wrangler 4.156 (`d1 list --json`, `pages project list --json`, `secret list` print JSON;
// `r2 bucket list` prints "name: …" blocks; `deploy` prints the workers.dev URL). Used by
// scripts/lib/deploy-run.mjs only.
import { spawn } from "node:child_process";

/**
 * Runs `bin args…` in `cwd`. With `capture`, stdout and stderr are collected (and with `echo`
 * also shown as they arrive); otherwise they go to this terminal. Resolves { status, stdout,
 * stderr }; never rejects for a non-zero exit — the caller decides what a failure means.
 */
export function runCommand(bin, args, { cwd, env, capture = false, echo = false }) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: capture ? ["inherit", "pipe", "pipe"] : "inherit" });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += d;
      if (echo) process.stdout.write(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
      if (echo) process.stderr.write(d);
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The JSON value a `--json` command printed (wrangler may print a line or two before it). */
export function parseJsonOutput(stdout) {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) throw new Error(`expected JSON from wrangler, got:\n${stdout.slice(0, 500)}`);
  return JSON.parse(stdout.slice(start));
}

/** `d1 list --json` → Map of database name → uuid. */
export function d1Databases(stdout) {
  return new Map(parseJsonOutput(stdout).map((db) => [db.name, db.uuid]));
}

/** `r2 bucket list` → Set of bucket names (blocks of "name: …" and "creation_date: …" lines). */
export function r2Buckets(stdout) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips the terminal colour codes wrangler may add.
  const plain = stdout.replace(/\u001b\[[0-9;]*m/g, "");
  return new Set([...plain.matchAll(/^name:\s+(\S+)\s*$/gm)].map((m) => m[1]));
}

/** `pages project list --json` → Map of project name → its domains (first: the pages.dev one). */
export function pagesProjects(stdout) {
  return new Map(
    parseJsonOutput(stdout).map((p) => [
      p["Project Name"],
      String(p["Project Domains"] ?? "")
        .split(",")
        .map((d) => d.trim())
        .filter(Boolean)
        .sort((a, b) => Number(b.endsWith(".pages.dev")) - Number(a.endsWith(".pages.dev"))),
    ]),
  );
}

/**
 * `secret list` → Set of secret names, or null when the Worker does not exist yet (wrangler
 * answers `Worker "gadka" not found.`, API codes 10007/10090). Any other failure throws: a
 * deploy that cannot tell whether TOKEN_SECRET exists must not set a new one.
 */
export function workerSecrets({ status, stdout, stderr }) {
  if (status === 0) return new Set(parseJsonOutput(stdout).map((s) => s.name));
  if (/Worker "[^"]+"(?: \(env: [^)]*\))? not found/.test(stdout + stderr)) return null;
  throw new Error(`wrangler secret list failed (exit ${status}):\n${(stderr || stdout).trim()}`);
}

/** The https://…workers.dev address `wrangler deploy` printed, if any. */
export function workersDevUrl(stdout) {
  return /https:\/\/[a-z0-9.-]+\.workers\.dev\b/i.exec(stdout)?.[0] ?? null;
}
