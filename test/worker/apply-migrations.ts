// Runs before each test file: the real migrations/ on the file's fresh D1, and a pause when the
// file ends so the objects' background work finishes before the test runtime closes.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll } from "vitest";
import { settle } from "./routing-helpers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

// A room's hub update waits up to 200 ms and the hub's queue work follows it; a call still under
// way when the file's runtime closes fails inside the pool (EnvironmentTeardownError, an unhandled
// error that fails the run) though every test passed. Every file that opens a room needs this, so
// it is here once rather than in each file.
afterAll(settle);
