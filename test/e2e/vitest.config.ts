// End-to-end tests: real Chromium (Debian's, via playwright-core) against a real `wrangler dev`
// started once for the run on its own port and its own fresh local state.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/e2e/**/*.test.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    setupFiles: ["test/e2e/after-each-file.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
