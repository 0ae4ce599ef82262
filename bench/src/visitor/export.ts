/**
 * `--target new=git:/work/wt/shard@HEAD`: a commit of another checkout, exported (git archive —
 * never touching that checkout) into a scratch directory, with the counting hook added when the
 * commit has none: worker/lib/metrics.ts (and its one type declaration) from this checkout, and
 * worker/index.ts's exports rewritten to the instrumented ones. node_modules is this checkout's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "../../../scripts/lib/dev-server.mjs";

const HOOK_FILES = ["worker/lib/metrics.ts", "worker/lib/async-hooks.d.ts"];

/** Returns the directory to run, and the commit it holds. */
export function exportTarget(label: string, spec: string): { dir: string; commit: string; hooked: boolean } {
  const m = /^git:(.+?)(?:@([^@]+))?$/.exec(spec);
  if (!m) throw new Error(`not a git target: ${spec}`);
  const repo = m[1]!;
  const ref = m[2] ?? "HEAD";
  const commit = execFileSync("git", ["-C", repo, "rev-parse", "--short", `${ref}^{commit}`], { encoding: "utf8" }).trim();
  const dir = join(tmpdir(), "gadka-bench-targets", `${label}-${commit}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync("sh", ["-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", repo, commit, dir], { stdio: "inherit" });
  if (archive.status !== 0) throw new Error(`git archive of ${repo}@${commit} failed`);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  const lock = (d: string) => readFileSync(join(d, "package-lock.json"), "utf8");
  if (lock(dir) !== lock(root))
    process.stderr.write(`  ! ${label}: its package-lock.json differs from this checkout's; running it with this node_modules\n`);
  let hooked = false;
  if (!existsSync(join(dir, HOOK_FILES[0]!))) {
    for (const f of HOOK_FILES) copyFileSync(join(root, f), join(dir, f));
    const index = join(dir, "worker/index.ts");
    writeFileSync(index, addHook(readFileSync(index, "utf8")));
    hooked = true;
  }
  return { dir, commit, hooked };
}

/** worker/index.ts with its Durable Object exports and its fetch counted (worker/lib/metrics.ts). */
export function addHook(source: string): string {
  let out = source.replace(/^export \{ (\w+) \} from "(\.\/do\/[\w-]+)";$/gm, (_, name: string, from: string) =>
    [
      `import { ${name} as ${name}Object } from "${from}";`,
      `export const ${name} = countedObject(${name}Object, "${name}");`,
      `export type ${name} = ${name}Object;`,
    ].join("\n"),
  );
  out = out.replace(/^(\s*)fetch: app\.fetch,$/m, "$1fetch: countedFetch(app.fetch),");
  if (out === source || !out.includes("countedFetch(app.fetch)"))
    throw new Error("worker/index.ts has a shape the counting hook does not know");
  return `import { countedFetch, countedObject } from "./lib/metrics";\n${out}`;
}
