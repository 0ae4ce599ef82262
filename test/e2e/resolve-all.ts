// After a test file that starts conversations: resolve every one still open on the demo shop, so
// the next file's conversations find a free seat (an operator holds 5 at most) and are routed
// as they would be on a fresh server.
import type { ConversationListResponse } from "../../protocol";
import { operatorApi } from "./operator-api";

export async function resolveOpenConversations(base: string, siteId = "site_demo"): Promise<void> {
  const owner = await operatorApi(base);
  for (const status of ["open", "pending", "snoozed"]) {
    const list = await owner.json<ConversationListResponse>(`/api/sites/${siteId}/conversations?status=${status}&limit=100`);
    for (const c of list.conversations) {
      await owner.fetch(`/api/sites/${siteId}/conversations/${c.id}/status`, {
        method: "POST",
        body: JSON.stringify({ status: "resolved" }),
      });
    }
  }
}
