// Starts `wrangler dev` the way `npm run dev` does (migrations + demo seed), on a spare port with
// fresh state, and hands its URL to the tests.
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import {
  ensureDevVars,
  newLocalSetupToken,
  prepareDatabase,
  type RunningServer,
  root,
  startWrangler,
} from "../../scripts/lib/dev-server.mjs";

let server: RunningServer | undefined;

export default async function setup(project: TestProject) {
  const persistTo = join(root, ".wrangler/e2e-state");
  rmSync(persistTo, { recursive: true, force: true });
  ensureDevVars();
  const setupToken = newLocalSetupToken();
  await prepareDatabase(persistTo);
  server = await startWrangler({ port: Number(process.env.E2E_PORT ?? 8790), persistTo });
  project.provide("baseUrl", server.url);
  project.provide("setupToken", setupToken);
  return async () => {
    await server?.stop();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    /** The run's local setup link token (test/e2e/onboarding.test.ts). */
    setupToken: string;
  }
}
