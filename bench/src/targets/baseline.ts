/**
 * The in-memory floor as a benchmark target: forks relay-server (built next to main by
 * bench/run.mjs) and hands out conversations on it. Every Gadka figure is also reported as a
 * ratio to what this relay achieves on the same machine in the same run.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Endpoint, Target } from "./target";

export async function baselineTarget(): Promise<Target> {
  // import.meta.url is the bundle's (main.mjs), and run.mjs writes relay-server.mjs beside it.
  const entry = fileURLToPath(new URL("./relay-server.mjs", import.meta.url));
  const child = fork(entry, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the baseline relay did not start within 10 s")), 10_000);
    child.once("message", (m) => {
      clearTimeout(timer);
      resolve((m as { port: number }).port);
    });
    child.once("exit", (code) => reject(new Error(`the baseline relay exited (${code})`)));
  });
  const base = `ws://127.0.0.1:${port}`;
  const endpoint = (path: string): Endpoint => ({
    url: (after) => (after === null ? path : `${path}?after=${after}`),
    headers: {},
  });
  let conversations = 0;
  return {
    name: "baseline",
    newConversation: async () => {
      const id = `relay${++conversations}`;
      return {
        id,
        visitor: endpoint(`${base}/ws/visitor/conversations/${id}`),
        operator: endpoint(`${base}/ws/sites/baseline/conversations/${id}`),
      };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
