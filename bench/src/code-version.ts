/**
 * Which code a run measured: the git commit, and whether the working tree differed from it
 * (figures from uncommitted code cannot be reproduced from the history).
 */
import { spawnSync } from "node:child_process";
import { root } from "../../scripts/lib/dev-server.mjs";

export interface CodeVersion {
  commit: string | null;
  uncommittedChanges: boolean | null;
}

export function codeVersion(): CodeVersion {
  const git = (...args: string[]) => spawnSync("git", args, { cwd: root, encoding: "utf8" });
  const head = git("rev-parse", "--short", "HEAD");
  if (head.status !== 0) return { commit: null, uncommittedChanges: null };
  // Results files are written by the run itself, so they do not count as changes.
  const status = git("status", "--porcelain", "--", ".", ":!bench/results");
  return { commit: head.stdout.trim(), uncommittedChanges: status.stdout.trim() !== "" };
}
