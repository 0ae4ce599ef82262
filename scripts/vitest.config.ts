// Tests of the Node scripts (npm run test:deploy): plain Node, no workerd. The deploy tests run
// scripts/deploy.mjs against a fake wrangler (scripts/test/fake-wrangler.mjs).
import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: path.join(import.meta.dirname, ".."),
    include: ["scripts/**/*.test.mjs"],
    environment: "node",
    testTimeout: 30_000,
  },
});
