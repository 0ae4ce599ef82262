// Test-only bindings (test/worker/vitest.config.ts), on top of the Worker's generated `Env`.
import type { D1Migration } from "cloudflare:test";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      FUZZ_RUNS: string;
      TEST_VISITOR_SHARDS: string;
    }
  }
}
