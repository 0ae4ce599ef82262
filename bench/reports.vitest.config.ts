// `npm run bench:reports`: the reports' volume benchmark (test/worker/report-volume.bench.ts) in
// the Workers pool — workerd, the real migrations on a fresh local D1 — apart from the tests.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.join(import.meta.dirname, "..");

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
          TOKEN_SECRET: "bench-secret-not-for-production",
          FUZZ_RUNS: "",
        },
      },
    }),
  ],
  test: {
    root,
    include: ["test/worker/report-volume.bench.ts"],
    setupFiles: ["./test/worker/apply-migrations.ts"],
    testTimeout: 900_000,
    hookTimeout: 900_000,
  },
}));
