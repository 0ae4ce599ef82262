// Every route and socket refuses the unauthenticated and keeps each shop to its own data.
import { beforeAll, describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../protocol";
import { api, login, mustOpen, refusal, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";

let conversationA: string;
let visitorA: { token: string };
let cookieA: string;
let cookieB: string;

beforeAll(async () => {
  await seedSite({ id: "site_a", key: "pk_a" }, [{ id: "op_a", email: "a@a.test", name: "A", role: "agent" }]);
  await seedSite({ id: "site_b", key: "pk_b" }, [{ id: "op_b", email: "b@b.test", name: "B", role: "owner" }]);
  visitorA = await visitorSession("pk_a");
  conversationA = await startConversation(visitorA.token);
  [cookieA, cookieB] = await Promise.all([login("a@a.test"), login("b@b.test")]);
});

const operatorRoutes = (site: string, conv: string): [string, string, unknown?][] => [
  ["GET", `/api/sites/${site}/conversations`],
  ["GET", `/api/sites/${site}/conversations/${conv}`],
  ["GET", `/api/sites/${site}/conversations/${conv}/messages`],
  ["POST", `/api/sites/${site}/conversations/${conv}/status`, { status: "resolved" }],
];

describe("operator routes", () => {
  it("refuse requests without a session (401)", async () => {
    for (const [method, path, json] of [...operatorRoutes("site_a", conversationA), ["GET", "/api/me"] as [string, string]]) {
      const r = await api(path, { method, json });
      expect(r.status, `${method} ${path}`).toBe(401);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
  });

  it("refuse another shop's operator (404, nothing revealed)", async () => {
    for (const [method, path, json] of operatorRoutes("site_a", conversationA)) {
      const r = await api(path, { method, json, cookie: cookieB });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    // Naming your own site does not open another site's conversation either.
    for (const [method, path, json] of operatorRoutes("site_b", conversationA).slice(1)) {
      const r = await api(path, { method, json, cookie: cookieB });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    const list = (await (await api("/api/sites/site_b/conversations", { cookie: cookieB })).json()) as { conversations: unknown[] };
    expect(list.conversations).toEqual([]);
  });

  it("serve the shop's own operator", async () => {
    for (const [method, path, json] of operatorRoutes("site_a", conversationA)) {
      const r = await api(path, { method, json, cookie: cookieA });
      expect(r.status, `${method} ${path}`).toBe(200);
    }
  });
});

// Refusals are accepted sockets closed with a final code (an HTTP error reaches a browser as 1006,
// which a reconnecting client cannot tell from a network failure).
describe("sockets", () => {
  it("refuse operator sockets without a session, from another origin, or for another shop", async () => {
    const paths = ["/ws/sites/site_a/inbox", `/ws/sites/site_a/conversations/${conversationA}`];
    for (const path of paths) {
      expect(await refusal(path), path).toEqual({ close: CLOSE_CODES.unauthorized, code: "unauthorized" });
      expect(await refusal(path, { cookie: cookieA, origin: "https://evil.example" }), path).toEqual({
        close: CLOSE_CODES.forbidden,
        code: "bad_origin",
      });
      expect(await refusal(path, { cookie: cookieB }), path).toEqual({ close: CLOSE_CODES.notFound, code: "not_found" });
    }
    // Site B's operator naming site B with site A's conversation: its D1 row is not site B's.
    expect(await refusal(`/ws/sites/site_b/conversations/${conversationA}`, { cookie: cookieB })).toEqual({
      close: CLOSE_CODES.notFound,
      code: "not_found",
    });
  });

  it("refuse a visitor socket for someone else's conversation", async () => {
    const stranger = await visitorSession("pk_a");
    expect(await refusal(visitorSocketPath(conversationA, stranger.token))).toEqual({ close: CLOSE_CODES.forbidden, code: "forbidden" });
    expect(await refusal(visitorSocketPath(conversationA, `${visitorA.token}x`))).toEqual({
      close: CLOSE_CODES.unauthorized,
      code: "unauthorized",
    });
    // A visitor of site B cannot reach site A's conversation either.
    const other = await visitorSession("pk_b");
    expect(await refusal(visitorSocketPath(conversationA, other.token))).toEqual({ close: CLOSE_CODES.notFound, code: "not_found" });
  });

  it("answer plain HTTP on socket paths with 426", async () => {
    const r = await api(`/ws/visitor/conversations/${conversationA}?token=${visitorA.token}`);
    expect(r.status).toBe(426);
  });

  it("accept the owner", async () => {
    const s = await mustOpen(visitorSocketPath(conversationA, visitorA.token));
    expect((await s.next("hello")).conversation.id).toBe(conversationA);
    s.close();
  });
});

describe("visitor REST", () => {
  it("refuses missing and forged visitor tokens", async () => {
    expect((await api("/api/widget/conversations", { method: "POST" })).status).toBe(401);
    expect(
      (await api("/api/widget/conversations", { method: "POST", headers: { authorization: "Bearer v1.site_a.v_x.sig" } })).status,
    ).toBe(401);
    expect((await api("/api/widget/unread?peek=p1.site_a.v_x.c_xxxxxxxxxxxxxxxxxxxx.sig")).status).toBe(401);
    expect((await api(`/api/widget/unread?peek=${encodeURIComponent(visitorA.token)}`)).status).toBe(401);
  });

  it("gives an unknown site key a coded 404", async () => {
    const r = await api("/api/widget/session", { method: "POST", json: { siteKey: "pk_nope" } });
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("replaces a token of another site with a new visitor", async () => {
    const other = await visitorSession("pk_b", visitorA.token);
    expect(other.siteId).toBe("site_b");
    expect(other.conversationId).toBeNull();
    const same = await visitorSession("pk_a", visitorA.token);
    expect(same.conversationId).toBe(conversationA);
  });
});
