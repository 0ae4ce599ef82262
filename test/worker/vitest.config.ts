// Workers-pool tests: run inside workerd with the real wrangler.toml, the real migrations/ applied
// to a fresh D1, and real Durable Objects and WebSockets.
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.join(import.meta.dirname, "../..");

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: path.join(root, "wrangler.toml") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(root, "migrations")),
          TOKEN_SECRET: "test-secret-not-for-production",
          // The setup link's token "gst_" + 43 × "t" (test/worker/accounts.test.ts).
          SETUP_TOKEN_HASH: "36ee2b3b9a8dfc995694f5f20156e7149618c0debec5bac6b6ee5df6071b06bc",
          // Scales the protocol fuzzing (test/worker/fuzz.test.ts); empty means its default.
          FUZZ_RUNS: process.env.FUZZ_RUNS ?? "",
        },
      },
    }),
  ],
  test: {
    root,
    include: ["test/worker/**/*.test.ts", "worker/**/*.test.ts", "protocol/**/*.test.ts"],
    setupFiles: ["./test/worker/apply-migrations.ts"],
  },
}));
