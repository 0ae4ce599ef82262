// The admin's Live page over a crowd: 60 visitors of the demo shop (beacons sent straight to the
// Worker, as the shop's loader would), the counts header from the hub's live.summary, the list
// pulled and paged (50, then "Load more" with the cursor — no duplicate row), the order picker
// (largest cart first), the search filter, the keyboard path to "Invite" and back, and axe at
// phone width. With E2E_SHOTS=<dir>, screenshots at 1440 px and 390 px in English and Finnish.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { signIn } from "./pages";

const base = inject("baseUrl");
const shots = process.env.E2E_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const chromium = useChromium();
const CROWD = 60;
const tag = `crowd${Date.now()}`;

async function beacon(body: Record<string, unknown>): Promise<{ t?: string }> {
  const r = await fetch(`${base}/api/track`, {
    method: "POST",
    headers: { "content-type": "text/plain;charset=UTF-8", origin: base },
    body: JSON.stringify({ k: "pk_demo_shop", ...body }),
  });
  expect(r.status).toBe(200);
  return r.json();
}

async function shot(page: Page, name: string): Promise<void> {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: false });
}

describe("the Live page over a crowd", () => {
  const crowd: { t: string; u: string }[] = [];
  let pinging: ReturnType<typeof setInterval> | undefined;
  beforeAll(async () => {
    for (let i = 0; i < CROWD; i++) {
      const u = `${base}/demo/kettle.html?utm_source=${tag}&n=${i}`;
      const { t } = await beacon({ e: "view", u, ti: `Kettle ${tag} ${i}` });
      if (i % 10 === 0) await beacon({ t, e: "cart", d: { items: [{ id: "kettle", price: 20 + i }], total: 20 + i, currency: "EUR" } });
      crowd.push({ t: t!, u });
    }
    // Their tabs stay open: a ping each every 10 s keeps them on the shop (LIVE_TIMEOUT_MS is 45 s).
    pinging = setInterval(() => {
      for (const { t, u } of crowd) void beacon({ t, e: "ping", u, ms: 10_000 }).catch(() => {});
    }, 10_000);
  }, 60_000);
  afterAll(() => clearInterval(pinging));

  it("pages the list with a cursor, orders by cart, filters, and is reachable from the keyboard", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US", bypassCSP: true });
    const admin = await context.newPage();
    await signIn(admin, base, "anna@demo.test");
    await admin.goto(`${base}/admin/#/live`);
    const rows = admin.locator(".live-table tbody tr");
    await admin.locator(".live-counts li", { hasText: "Visitors" }).waitFor();
    await expect
      .poll(async () => Number(await admin.locator(".live-counts li strong").first().textContent()), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(CROWD);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(50);
    await shot(admin, "live-crowd-en-1440");

    await admin.locator("button.load-more").click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(CROWD);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-visitor")));
    expect(new Set(ids).size).toBe(ids.length);

    // Largest cart first, chosen from the keyboard.
    await admin.locator(".live-sort select").focus();
    await admin.locator(".live-sort select").selectOption("cart");
    await expect.poll(() => rows.first().locator("td.num").nth(2).textContent(), { timeout: 10_000 }).toContain("70");

    // Search: one visitor of the crowd.
    await admin.fill(".live-search", `Kettle ${tag} 37`);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    await expect(rows.first().locator(".live-page strong").textContent()).resolves.toBe(`Kettle ${tag} 37`);

    // Keyboard: from the search box, Tab reaches the row's Invite; Enter opens the dialog,
    // Escape closes it and gives focus back.
    await admin.locator(".live-search").focus();
    let onInvite = false;
    for (let i = 0; i < 12 && !onInvite; i++) {
      await admin.keyboard.press("Tab");
      onInvite = await admin.evaluate(() => document.activeElement?.textContent?.trim() === "Invite");
    }
    expect(onInvite).toBe(true);
    await admin.keyboard.press("Enter");
    await admin.locator(".modal.invite textarea").waitFor();
    // The dialog moves focus in once it has drawn.
    await expect.poll(() => admin.evaluate(() => !!document.activeElement?.closest(".modal.invite"))).toBe(true);
    await admin.keyboard.press("Escape");
    await admin.locator(".modal.invite").waitFor({ state: "detached" });
    await expect.poll(() => admin.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Invite");
    await admin.fill(".live-search", "");
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(1);

    await admin.setViewportSize({ width: 390, height: 844 });
    await shot(admin, "live-crowd-en-390");
    expect(await seriousViolations(admin), "Live page at 390 px").toEqual([]);
    await context.close();
  });

  it("reads in Finnish at both widths", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "fi-FI", bypassCSP: true });
    const admin = await context.newPage();
    await signIn(admin, base, "anna@demo.test");
    await admin.goto(`${base}/admin/#/live`);
    await admin.locator(".live-counts li", { hasText: "Kävijät" }).waitFor({ timeout: 10_000 });
    await admin.locator(".live-sort", { hasText: "Järjestys" }).waitFor();
    await expect.poll(() => admin.locator(".live-table tbody tr").count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await shot(admin, "live-crowd-fi-1440");
    expect(await seriousViolations(admin), "Live page in Finnish").toEqual([]);
    await admin.setViewportSize({ width: 390, height: 844 });
    await shot(admin, "live-crowd-fi-390");
    await context.close();
  });
});
