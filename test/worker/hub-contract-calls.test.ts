// The Worker's side of the hub's new contract (issue 9): sign-out closes that session's sockets
// on each of the operator's sites (defect 6), an operator's conversation socket is noted off the
// upgrade's path, a settings change reaches the hub (defect 10), and an identify with a name
// renames the visitor's inbox rows (defect 13). The hub's methods are contract stubs in this
// branch: the calls are recorded by replacing those four methods on SiteHub's prototype (RPC
// only dispatches to prototype methods; the real hub objects do everything else), and the
// joint tests after the merge check their effects.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SiteHub } from "../../worker/do/site-hub";
import { api, login, mustOpen, seedSite, startConversation, visitorSession } from "./helpers";
import { SHOP, track } from "./tracking-helpers";

type Calls = Record<string, unknown[][]>;
const CONTRACT = ["closeSessions", "noteViewer", "settingsChanged", "visitorNamed"] as const;
const recorded = new Map<string, Calls>();
const restore: (() => void)[] = [];

/** Starts a fresh record of the contract calls that name `siteId` (their first argument). */
async function recordHub(siteId: string): Promise<Calls> {
  const calls: Calls = Object.fromEntries(CONTRACT.map((name) => [name, []]));
  recorded.set(siteId, calls);
  // Waking the site's hub makes sure the class is loaded in this isolate before its prototype is patched.
  await runInDurableObject(env.SITE_HUB.getByName(siteId), (hub: SiteHub) => {
    const proto = Object.getPrototypeOf(hub) as Record<string, (...args: unknown[]) => Promise<void>>;
    for (const name of CONTRACT) {
      if (restore.length === CONTRACT.length) break;
      const original = proto[name]!;
      restore.push(() => {
        proto[name] = original;
      });
      proto[name] = async (...args: unknown[]) => {
        recorded.get(String(args[0]))?.[name]?.push(args);
      };
    }
  });
  return calls;
}

afterAll(() => {
  for (const undo of restore.splice(0)) undo();
});

const until = async (check: () => boolean) => {
  const deadline = Date.now() + 3000;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

beforeAll(async () => {
  await seedSite({ id: "site_h1", key: "pk_h1" }, [{ id: "op_h", email: "h@h.test", name: "H", role: "owner" }]);
  await seedSite({ id: "site_h2", key: "pk_h2" }, [{ id: "op_h", email: "h@h.test", name: "H", role: "agent" }]);
  await env.DB.prepare("INSERT INTO site_secrets (site_id, identity_secret) VALUES ('site_h1', 'is_h1')").run();
});

describe("calls into the site hub", () => {
  it("sign-out: closeSessions on every site of the operator, for that session only", async () => {
    const [one, two] = [await recordHub("site_h1"), await recordHub("site_h2")];
    const cookie = await login("h@h.test");
    expect((await api("/api/auth/logout", { method: "POST", cookie })).status).toBe(204);
    for (const [calls, site] of [
      [one, "site_h1"],
      [two, "site_h2"],
    ] as const) {
      expect(calls.closeSessions).toEqual([[site, { sessionTag: expect.stringMatching(/^[0-9a-f]{16}$/) }]]);
    }
    expect(one.closeSessions![0]![1]).toEqual(two.closeSessions![0]![1]);
  });

  it("an operator's conversation socket: noteViewer with the same session tag", async () => {
    const calls = await recordHub("site_h1");
    const cookie = await login("h@h.test");
    const conversationId = await startConversation((await visitorSession("pk_h1")).token);
    const s = await mustOpen(`/ws/sites/site_h1/conversations/${conversationId}`, { cookie });
    await s.next("hello");
    await until(() => calls.noteViewer!.length > 0);
    expect(calls.noteViewer).toEqual([["site_h1", expect.stringMatching(/^[0-9a-f]{16}$/), "op_h", conversationId]]);
    await api("/api/auth/logout", { method: "POST", cookie });
    expect(calls.closeSessions![0]![1]).toEqual({ sessionTag: calls.noteViewer![0]![1] });
    s.close();
  });

  it("a settings change: settingsChanged with the stored settings", async () => {
    const calls = await recordHub("site_h1");
    const cookie = await login("h@h.test");
    await api("/api/sites/site_h1/settings", { method: "PATCH", cookie, json: { typingPreview: false } });
    expect(calls.settingsChanged).toEqual([["site_h1", expect.objectContaining({ typingPreview: false, accentColor: "#4f46e5" })]]);
  });

  it("identify with a name (beacon or shop API): visitorNamed", async () => {
    const calls = await recordHub("site_h1");
    const t = (await track({ k: "pk_h1", e: "view", u: `${SHOP}/` })).t!;
    await track({ k: "pk_h1", t, e: "identify", id: { id: "c-1", name: "Zofia" } });
    expect(calls.visitorNamed).toEqual([["site_h1", t.split(".").at(-2), "Zofia"]]);
    await track({ k: "pk_h1", t, e: "identify", id: { id: "c-1" } });
    expect(calls.visitorNamed).toHaveLength(1);
  });
});
