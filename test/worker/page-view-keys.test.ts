// Defect 12: two open tabs of one visitor. Each tab's pings and leave carry the page view they
// are about (pv): a ping never creates a view for a URL that was not viewed, never retitles a
// page with another's title, and never changes another page's duration; repeat interest counts
// real views only.
import { beforeAll, describe, expect, it } from "vitest";
import type { VisitorDetailsResponse } from "../../protocol";
import { api, login, seedSite } from "./helpers";
import { SHOP, track, trackingRows, visitorOf } from "./tracking-helpers";

let owner: string;

beforeAll(async () => {
  await seedSite({ id: "site_pv", key: "pk_pv" }, [{ id: "op_pv", email: "o@pv.test", name: "O", role: "owner" }]);
  owner = await login("o@pv.test");
});

// From the visitor's shard (pings kept in its memory are written first).
const views = async (visitorId: string) => ({
  results: await trackingRows<{ url: string; title: string | null; duration_ms: number | null }>(
    "SELECT url, title, duration_ms FROM page_views WHERE visitor_id = ? ORDER BY id",
    visitorId,
  ),
});

describe("two tabs of one visitor", () => {
  it("time their own pages and invent no views", async () => {
    // Tab A views the kettle, then tab B (same visitor, same token) the grinder.
    const t = (await track({ k: "pk_pv", e: "view", u: `${SHOP}/p/kettle`, ti: "Kettle", pv: "tabA1" })).t!;
    await track({ k: "pk_pv", t, e: "view", u: `${SHOP}/p/grinder`, ti: "Grinder", pv: "tabB1" });
    const grinderBefore = (await views(visitorOf(t))).results[1]!.duration_ms;
    // Tab A keeps pinging from the kettle page while the grinder is the visitor's latest view.
    for (const ms of [15_000, 30_000, 45_000]) await track({ k: "pk_pv", t, e: "ping", u: `${SHOP}/p/kettle`, ms, pv: "tabA1" });
    await track({ k: "pk_pv", t, e: "leave", u: `${SHOP}/p/kettle`, ms: 50_000, pv: "tabA1" });
    const rows = (await views(visitorOf(t))).results;
    expect(rows.map((r) => [r.url, r.title])).toEqual([
      [`${SHOP}/p/kettle`, "Kettle"],
      [`${SHOP}/p/grinder`, "Grinder"],
    ]);
    expect(rows[0]!.duration_ms).toBe(50_000);
    expect(rows[1]!.duration_ms).toBe(grinderBefore);
    // Tab A's leave does not take the visitor (still on the grinder in tab B) out of the Live view,
    // and the grinder's own pings time the grinder.
    await track({ k: "pk_pv", t, e: "ping", u: `${SHOP}/p/grinder`, ms: 20_000, pv: "tabB1" });
    expect((await views(visitorOf(t))).results[1]!.duration_ms).toBe(20_000);

    const d = (await (await api(`/api/sites/site_pv/visitors/${visitorOf(t)}`, { cookie: owner })).json()) as VisitorDetailsResponse;
    expect(d.profile.pageViews).toBe(2);
    expect(d.interest.every((i) => i.views === 1)).toBe(true);
  });

  it("ignore a ping for a page view this visitor never reported", async () => {
    const t = (await track({ k: "pk_pv", e: "view", u: `${SHOP}/a`, ti: "A", pv: "x1" })).t!;
    await track({ k: "pk_pv", t, e: "ping", u: `${SHOP}/b`, ms: 5000, pv: "never" });
    await track({ k: "pk_pv", t, e: "ping", u: `${SHOP}/c`, ms: 5000 }); // an older presence module, no key
    expect((await views(visitorOf(t))).results.map((r) => r.url)).toEqual([`${SHOP}/a`]);
  });
});
