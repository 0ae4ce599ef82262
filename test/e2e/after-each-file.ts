// Runs in every end-to-end test file: once its tests are done, every conversation still open on
// the demo shop is resolved, so the next file's visitors find free seats (an operator holds 5 at
// most) and are routed as they would be on a fresh server.
import { afterAll, inject } from "vitest";
import { resolveOpenConversations } from "./resolve-all";

afterAll(async () => {
  await resolveOpenConversations(inject("baseUrl"));
});
