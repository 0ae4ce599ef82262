// Workers-pool tests: run inside workerd with the real wrangler.toml, the real migrations/ applied
// to a fresh D1, and real Durable Objects and WebSockets.
import { createHash } from "node:crypto";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const root = path.join(import.meta.dirname, "../..");
export const DEPLOY_TOKEN = "gdt_test_deploy_token_not_for_production_0123";

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
          // Visitor shards per seeded site (helpers.ts seedSite): `VISITOR_SHARDS=4 npm run test:worker:shards`
          // runs the visitor files again with four.
          TEST_VISITOR_SHARDS: process.env.VISITOR_SHARDS ?? "1",
          // The deployment jobs' token (test/worker/tracking-jobs.test.ts presents it).
          DEPLOY_TOKEN_HASH: createHash("sha256").update(DEPLOY_TOKEN).digest("hex"),
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
