// After a test file that starts conversations: resolve every one still open on the demo shop, so
// the next file's conversations find a free seat (an operator holds 5 at most) and are routed
// as they would be on a fresh server.
import type { ConversationListResponse } from "../../protocol";

export async function resolveOpenConversations(base: string, siteId = "site_demo"): Promise<void> {
  const headers = { origin: base, "content-type": "application/json" };
  const login = await fetch(`${base}/api/auth/login`, {
    method: "POST",
    headers,
    body: JSON.stringify({ email: "anna@demo.test", password: "demo1234" }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  for (const status of ["open", "pending", "snoozed"]) {
    const list = (await (
      await fetch(`${base}/api/sites/${siteId}/conversations?status=${status}&limit=100`, { headers: { ...headers, cookie } })
    ).json()) as ConversationListResponse;
    for (const c of list.conversations) {
      await fetch(`${base}/api/sites/${siteId}/conversations/${c.id}/status`, {
        method: "POST",
        headers: { ...headers, cookie },
        body: JSON.stringify({ status: "resolved" }),
      });
    }
  }
}
