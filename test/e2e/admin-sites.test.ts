// The admin across shops and the visitor's profile beside a conversation, as an operator of two
// shops meets them: switching shop shows only that shop's inbox and Live view, and switching
// back brings the first shop's rows again (defect 13); a visitor who identifies is renamed in the
// inbox row without a reload; the profile values stay inside the sidebar and the Visitors drawer
// once a conversation is listed, at 1440 px and at phone size (defect 15).
import type { Locator, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";
import { addSecondSite, SECOND_SITE } from "./second-site";

const base = inject("baseUrl");
const chromium = useChromium();

/** Every profile value (dd) lies inside `panel`'s visible box. */
async function valuesInside(panel: Locator): Promise<{ outside: string[]; count: number }> {
  return panel.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const dds = Array.from(el.querySelectorAll(".visitor-sidebar .facts dd"));
    const outside = dds
      .filter((dd) => {
        const r = dd.getBoundingClientRect();
        return r.width === 0 || r.left < box.left - 1 || r.right > box.right + 1;
      })
      .map((dd) => dd.textContent ?? "");
    return { outside, count: dds.length };
  });
}

async function visitorWrites(text: string) {
  const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const shop = await context.newPage();
  await shop.goto(`${base}/demo/cart.html`);
  const chat = await openWidget(shop);
  await sendFromWidget(chat, text);
  // The tracking token (`track.<expires>.<siteId>.<visitorId>.<sig>`) names the visitor.
  const track = await shop.evaluate(() => localStorage.getItem("gadka:track:pk_demo_shop") ?? "");
  return { context, shop, chat, visitorId: track.split(".")[3] ?? "" };
}

async function pickSite(admin: Page, name: string): Promise<void> {
  await admin.locator(".site-picker").selectOption({ label: name });
}

describe("admin across shops", () => {
  it("shows only the chosen shop's conversations and visitors, and renames a row when the visitor identifies", async () => {
    addSecondSite("op_anna");
    const text = `Which grinder for a moka pot? (${Date.now()})`;
    const visitor = await visitorWrites(text);

    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const admin = await context.newPage();
    await signIn(admin, base, "anna@demo.test");
    await pickSite(admin, "Demo Shop");
    await admin.locator(".tabs .tab").nth(3).click(); // All
    const row = admin.locator(".rows .row", { hasText: text.slice(0, 30) });
    await row.waitFor({ timeout: 10_000 });
    await admin.locator(".rail-nav a[href='#/live'] .nav-count").waitFor({ timeout: 20_000 });

    // The second shop: none of the first shop's rows, no Live count, an empty inbox.
    await pickSite(admin, SECOND_SITE.name);
    await admin.locator(".inbox .empty").waitFor({ timeout: 10_000 });
    await admin.locator(".tabs .tab").nth(3).click();
    expect(await admin.locator(".rows .row").count()).toBe(0);
    expect(await admin.locator(".rail-nav .nav-count").count()).toBe(0);
    await admin.goto(`${base}/admin/#/live`);
    await admin.locator(".live-view .empty").waitFor({ timeout: 10_000 });
    expect(await admin.locator(".live-table tbody tr").count()).toBe(0);

    // Back to the demo shop: its rows come back.
    await pickSite(admin, "Demo Shop");
    await admin.locator(".tabs .tab").nth(3).click();
    await row.waitFor({ timeout: 10_000 });

    // The visitor signs in on the shop (identify): the row takes her name, no reload.
    await visitor.shop.click("button[data-sign-in]");
    await admin.locator(".rows .row", { hasText: "Ewa Zielińska" }).waitFor({ timeout: 15_000 });
    await visitor.context.close();
    await context.close();
  });

  it("keeps every profile value in view in the sidebar and the Visitors drawer, on a desktop and a phone", async () => {
    const text = `A long question about the V60 dripper, filter sizes, grind settings and delivery to Tampere (${Date.now()})`;
    const visitor = await visitorWrites(text);
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const context = await chromium.browser.newContext({ viewport });
      const admin = await context.newPage();
      await signIn(admin, base, "anna@demo.test");
      if (await admin.locator(".site-picker").count()) await pickSite(admin, "Demo Shop");
      if (viewport.width > 1280) {
        await admin.locator(".tabs .tab").nth(3).click();
        await admin.locator(".rows .row", { hasText: text.slice(0, 30) }).click();
        const sidebar = admin.locator(".conversation > .details");
        await sidebar.locator(".visitor-sidebar .facts dd").first().waitFor({ timeout: 10_000 });
        const inSidebar = await valuesInside(sidebar);
        expect(inSidebar.count).toBeGreaterThan(5);
        expect(inSidebar.outside, "sidebar values outside the panel").toEqual([]);
      }
      await admin.goto(`${base}/admin/#/visitors`);
      // This visitor's row: other files' visitors may have been active more recently.
      await admin.locator(`.visitor-table tbody tr[data-visitor="${visitor.visitorId}"] .row-link`).click();
      const drawer = admin.locator(".drawer");
      await drawer.locator(".visitor-sidebar h4").last().waitFor({ timeout: 10_000 });
      // Loaded: the profile's facts are drawn (lists such as previous visits depend on the history).
      await drawer.locator(".visitor-sidebar .facts dd").first().waitFor({ timeout: 10_000 });
      const inDrawer = await valuesInside(drawer);
      expect(inDrawer.count).toBeGreaterThan(5);
      expect(inDrawer.outside, `drawer values outside the panel at ${viewport.width} px`).toEqual([]);
      await context.close();
    }
    await visitor.context.close();
  });
});
