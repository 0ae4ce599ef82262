// The reports' Sales section (issue 13) as people use it: a visitor writes, Anna answers, the
// visitor then buys on the shop page (Gadka('track','purchase')); the order shows as influenced
// and assisted revenue in Anna's row, in its own currency. The section is axe-clean and is
// photographed at 1440 and 390 px in English and Polish (test-results/screens/).
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { SalesReport } from "../../protocol";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();
const SCREENS = "test-results/screens";
const CURRENCY = "CHF";

async function annaChf(admin: Page) {
  const report = (await admin.evaluate(async () => (await fetch("/api/sites/site_demo/reports/sales?days=7")).json())) as SalesReport;
  const anna = report.operators.find((o) => o.name === "Anna Kowalska" && o.currency === "CHF");
  return { influenced: anna?.influencedRevenue ?? 0, assisted: anna?.assistedRevenue ?? 0 };
}

describe("reports: sales", () => {
  it("credits an order placed after a chat to the operator who answered", async () => {
    const visitorContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const operatorContext = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const shop = await visitorContext.newPage();
    const admin = await operatorContext.newPage();
    await signIn(admin, base, "anna@demo.test");
    await admin.goto(`${base}/admin/#/reports`);
    const before = await annaChf(admin);

    await shop.goto(`${base}/demo/`);
    const chat = await openWidget(shop);
    const question = `Is the blue one in stock? ${Date.now()}`;
    await sendFromWidget(chat, question);
    await admin.goto(`${base}/admin/#/inbox`);
    const row = admin.locator(".rows .row", { hasText: question.slice(0, 20) });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await admin.fill(".composer textarea", "Yes, two left.");
    await admin.press(".composer textarea", "Enter");
    await chat.locator(".row.them", { hasText: "Yes, two left." }).waitFor({ timeout: 10_000 });

    // The page reports the purchase, as the demo shop's checkout does.
    const orderId = `E2E-${Date.now().toString(36)}`;
    await shop.evaluate((o) => (window as unknown as { Gadka: (...a: unknown[]) => void }).Gadka("track", "purchase", o), {
      orderId,
      total: 123.45,
      currency: CURRENCY,
      items: [],
    });

    // The room's outbox copies the first answer to D1 within about a second; the beacon writes the order.
    let after = before;
    for (let i = 0; i < 30 && after.influenced <= before.influenced; i++) {
      await admin.waitForTimeout(500);
      after = await annaChf(admin);
    }
    expect(Math.round((after.influenced - before.influenced) * 100) / 100).toBe(123.45);
    expect(Math.round((after.assisted - before.assisted) * 100) / 100).toBe(123.45);

    // The table shows it in Anna's row, in francs.
    await admin.goto(`${base}/admin/#/reports`);
    const cell = admin.locator("table[data-table=sales-operators] tbody tr", { hasText: "Anna Kowalska" }).filter({ hasText: CURRENCY });
    await cell.waitFor({ timeout: 15_000 });
    const raw = await cell.locator("td").evaluateAll((tds) => tds.map((td) => td.getAttribute("data-raw")));
    expect(Number(raw[2])).toBeCloseTo(after.influenced, 6);
    expect(await seriousViolations(admin)).toEqual([]);
    await visitorContext.close();
    await operatorContext.close();
  });

  it("looks right at 1440 and 390 px in English and Polish", async () => {
    mkdirSync(SCREENS, { recursive: true });
    for (const lang of ["en", "pl"]) {
      for (const width of [1440, 390]) {
        const context = await chromium.browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
        await context.addInitScript((l) => localStorage.setItem("gadka:admin:lang", l), lang);
        const admin = await context.newPage();
        await signIn(admin, base, "anna@demo.test");
        await admin.goto(`${base}/admin/#/reports`);
        const section = admin.locator("[data-section=sales]");
        await section.waitFor({ timeout: 15_000 });
        await section.scrollIntoViewIfNeeded();
        await section.screenshot({ path: `${SCREENS}/reports-sales-${lang}-${width}.png` });
        await admin.locator("[data-section=uplift]").screenshot({ path: `${SCREENS}/reports-uplift-${lang}-${width}.png` });
        expect(await seriousViolations(admin)).toEqual([]);
        await context.close();
      }
    }
  });
});
