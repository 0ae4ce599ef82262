// Types for dev-server.mjs, so TypeScript tests and benchmarks can start the local server.
import type { ChildProcess } from "node:child_process";

export const root: string;
export function ensureDevVars(): void;
/** A new local setup token (its hash written to .dev.vars before wrangler dev starts). */
export function newLocalSetupToken(): string;
export function prepareDatabase(persistTo: string, opts?: { extraSql?: string }): Promise<void>;
export interface RunningServer {
  url: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL of wrangler and its workerd (the process group); no graceful shutdown. */
  kill(): Promise<void>;
}
export function startWrangler(opts: { port: number; persistTo: string; inherit?: boolean; timeoutMs?: number }): Promise<RunningServer>;
export function stopProcess(child: ChildProcess): Promise<void>;
export function killProcess(child: ChildProcess): Promise<void>;
