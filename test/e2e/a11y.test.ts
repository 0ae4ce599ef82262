// Accessibility as a keyboard and screen-reader user meets the admin and the demo shop: axe-core
// (WCAG 2.1 AA rules) finds no serious or critical violation on the sign-in page, the inbox with
// an open conversation, the Live view, Visitors with the profile drawer, Audience, Team,
// Settings, the dialogs, and the demo shop with the widget open (English and Polish); the
// keyboard paths work: tab order, a visible focus ring, dialogs that hold focus, close on Escape
// and give focus back.
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();

async function expectClean(page: Page, what: string): Promise<void> {
  expect(await seriousViolations(page), what).toEqual([]);
}

/** The element that has focus, as "tag.class" plus whether its focus ring is drawn. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      inModal: !!el?.closest(".modal"),
      // An outline, or the focus glow (box-shadow) the form fields draw instead.
      ring: !!style && ((style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none"),
      text: el?.textContent?.trim() ?? "",
    };
  });
}

describe("accessibility", () => {
  it("has no serious or critical axe violation on any admin screen, in English and Polish", async () => {
    const shopContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    const shop = await shopContext.newPage();
    await shop.goto(`${base}/demo/`);
    const chat = await openWidget(shop);
    await sendFromWidget(chat, `Can I pay on delivery? (a11y ${Date.now()})`);
    expect(await seriousViolations(shop), "demo shop with the widget open").toEqual([]);
    expect(await seriousViolations(chat), "the chat in its iframe").toEqual([]);

    for (const locale of ["en-US", "pl-PL"]) {
      const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale, bypassCSP: true });
      const admin = await context.newPage();
      await admin.goto(`${base}/admin/`);
      await admin.locator("input[type=email]").waitFor();
      await expectClean(admin, `${locale} sign-in`);
      await signIn(admin, base, "anna@demo.test");
      await admin.locator(".tabs .tab").nth(3).click(); // All
      await admin.locator(".rows .row").first().click();
      await admin.locator(".timeline .bubble").first().waitFor({ timeout: 10_000 });
      await admin.locator(".visitor-sidebar").waitFor({ timeout: 10_000 });
      await expectClean(admin, `${locale} inbox with an open conversation`);

      await admin.locator(".rail-nav button").click(); // saved replies
      await admin.locator(".modal .reply-list").waitFor();
      await expectClean(admin, `${locale} saved replies dialog`);
      await admin.keyboard.press("Escape");

      for (const [hash, ready] of [
        ["#/live", ".live-view"],
        ["#/visitors", ".visitor-table tbody tr"],
        ["#/audience", ".audience .stats, .audience .error"],
        ["#/team", ".team tbody tr"],
        ["#/settings", "form.settings fieldset"],
      ] as const) {
        await admin.goto(`${base}/admin/${hash}`);
        await admin.locator(ready).first().waitFor({ timeout: 10_000 });
        await expectClean(admin, `${locale} ${hash}`);
        if (hash === "#/visitors") {
          await admin.locator(".visitor-table tbody tr .row-link").first().click();
          await admin.locator(".drawer .visitor-sidebar").waitFor({ timeout: 10_000 });
          await expectClean(admin, `${locale} visitor drawer`);
          await admin.keyboard.press("Escape");
        }
      }
      await admin.locator(".profile-button").click();
      await admin.locator(".profile-panel button", { hasText: locale === "pl-PL" ? "Mój profil" : "My profile" }).click();
      await admin.locator(".modal.profile").waitFor();
      await expectClean(admin, `${locale} my profile dialog`);
      await context.close();
    }
    await shopContext.close();
  }, 180_000);

  it("is usable from the keyboard: tab order, visible focus, dialogs that hold and return focus", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const admin = await context.newPage();
    await admin.goto(`${base}/admin/`);
    await admin.locator("input[type=email]").waitFor();

    // Sign in without a mouse: email, password, then the button, each with its focus ring.
    await admin.keyboard.press("Tab");
    expect(await focused(admin)).toMatchObject({ tag: "input", ring: true });
    await admin.keyboard.type("anna@demo.test");
    await admin.keyboard.press("Tab");
    await admin.keyboard.type("demo1234");
    await admin.keyboard.press("Tab");
    expect(await focused(admin)).toMatchObject({ tag: "button", ring: true });
    await admin.keyboard.press("Enter");
    await admin.locator(".inbox").waitFor();

    // The saved replies dialog takes focus, keeps it through 25 Tabs, closes on Escape and hands
    // focus back to the button that opened it.
    const opener = admin.locator(".rail-nav button");
    await opener.focus();
    await admin.keyboard.press("Enter");
    await admin.locator(".modal .reply-list").waitFor();
    expect((await focused(admin)).inModal).toBe(true);
    for (let i = 0; i < 25; i++) {
      await admin.keyboard.press(i % 5 === 4 ? "Shift+Tab" : "Tab");
      expect((await focused(admin)).inModal, `focus after ${i + 1} Tab presses`).toBe(true);
    }
    await admin.keyboard.press("Escape");
    await admin.locator(".modal").waitFor({ state: "detached" });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);

    // The profile menu opens from the keyboard and Escape closes it, focus back on its button.
    const menu = admin.locator(".profile-button");
    await menu.focus();
    await admin.keyboard.press("Enter");
    await admin.locator(".profile-panel").waitFor();
    await admin.keyboard.press("Escape");
    await admin.locator(".profile-panel").waitFor({ state: "detached" });
    expect(await menu.evaluate((el) => el === document.activeElement)).toBe(true);

    // The visitor drawer: focus moves in, Escape closes it and returns to the row's button.
    const shop = await context.newPage();
    await shop.goto(`${base}/demo/`);
    await admin.bringToFront();
    await admin.goto(`${base}/admin/#/visitors`);
    const rowButton = admin.locator(".visitor-table tbody tr .row-link").first();
    await rowButton.waitFor({ timeout: 10_000 });
    await rowButton.focus();
    await admin.keyboard.press("Enter");
    await admin.locator(".drawer").waitFor();
    expect(await admin.evaluate(() => !!document.activeElement?.closest(".drawer"))).toBe(true);
    await admin.keyboard.press("Escape");
    await admin.locator(".drawer").waitFor({ state: "detached" });
    expect(await rowButton.evaluate((el) => el === document.activeElement)).toBe(true);
    await context.close();
  });
});
