// Fault tests: real `wrangler dev`, real sockets from Node, dropped connections and server
// restarts. `npm run test:faults` (FAULTS_LONG=1 for the long version).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/faults/**/*.test.ts"],
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
  },
});
