// Issue 14 in Chromium: a new owner opens the deployment's setup link (filled in with the keyboard
// only), walks the set-up wizard (shop and address, colour, allowed websites, a colleague, the
// install step), pastes the snippet into a page served from another local port, and the live
// install check turns green with that page. The same snippet on a website the shop does not
// allow draws no launcher and says why in the console. The colleague added in the wizard signs
// in and answers the visitor's message. axe finds nothing serious on the new screens; the
// screenshots (1440 and 390 px, English and Polish) are written to test-results/screens/.
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { root } from "../../scripts/lib/dev-server.mjs";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget } from "./pages";

const base = inject("baseUrl");
const setupToken = inject("setupToken");
const chromium = useChromium();
const port = Number(process.env.E2E_PORT ?? 8790);
const SHOP_PORT = port + 1;
const SCREENS = join(root, "test-results/screens");

let snippet = "";
let server: Server;

beforeAll(async () => {
  mkdirSync(SCREENS, { recursive: true });
  // The shop: one page whose body ends with whatever snippet the wizard showed.
  server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(
      `<!doctype html><html lang="en"><head><title>Test shop ${req.url}</title></head><body><h1>Test shop</h1>${snippet}</body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(SHOP_PORT, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: join(SCREENS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function clean(page: Page, what: string): Promise<void> {
  expect(await seriousViolations(page), what).toEqual([]);
}

describe("a new shop owner", () => {
  it("uses the setup link, completes the wizard, installs the snippet and sees the install check turn green", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const admin = await context.newPage();
    await admin.goto(`${base}/admin/#/setup?token=${setupToken}`);
    await admin.locator("h1", { hasText: "Set up Gadka" }).waitFor();
    await clean(admin, "setup");
    await shoot(admin, "setup-en");

    // Keyboard only: Tab through the fields, Enter submits.
    await admin.locator("input").first().focus();
    await admin.keyboard.type("Olivia Owner");
    await admin.keyboard.press("Tab");
    await admin.keyboard.type("olivia@newshop.test");
    await admin.keyboard.press("Tab");
    await admin.keyboard.type("olivias-password");
    await admin.keyboard.press("Tab");
    await admin.keyboard.type("Olivia's Teas");
    await admin.keyboard.press("Enter");

    // Step 1: the shop and its address (served by this test on another port).
    await admin.locator(".wizard h1", { hasText: "Shop" }).waitFor();
    expect(await admin.locator(".wizard input").first().inputValue()).toBe("Olivia's Teas");
    await clean(admin, "wizard: shop");
    await shoot(admin, "wizard-shop-en");
    await admin.locator(".wizard input").nth(1).fill(`http://127.0.0.1:${SHOP_PORT}`);
    await admin.click(".wizard button[type=submit]");
    // Step 2: colour.
    await admin.locator(".wizard h1", { hasText: "Look" }).waitFor();
    await admin.locator(".wizard input[type=color]").fill("#0f766e");
    await admin.click(".wizard button[type=submit]");
    // Step 3: allowed websites, prefilled from the address.
    await admin.locator(".wizard h1", { hasText: "Websites" }).waitFor();
    expect(await admin.locator(".wizard textarea").inputValue()).toBe(`http://127.0.0.1:${SHOP_PORT}`);
    await clean(admin, "wizard: websites");
    await shoot(admin, "wizard-domains-en");
    await admin.click(".wizard button[type=submit]");
    // Step 4: a colleague.
    await admin.locator(".wizard h1", { hasText: "Team" }).waitFor();
    const team = admin.locator("form.wizard-team");
    await team.locator("input[type=email]").fill("tom@newshop.test");
    await team.locator("input").nth(1).fill("Tom Helper");
    // Invited by email: no password typed for him; the invitation mail is in the dev mail log.
    expect(await team.locator("input[type=password]").count()).toBe(0);
    await team.locator("button[type=submit]").click();
    await admin.locator(".wizard-added li", { hasText: "tom@newshop.test" }).waitFor();
    await admin.click(".wizard-nav .primary");
    // Step 5: install.
    await admin.locator(".wizard h1", { hasText: "Install" }).waitFor();
    snippet = (await admin.locator("pre.install-snippet").textContent()) ?? "";
    expect(snippet).toContain(`${base}/widget.js`);
    expect(snippet).toMatch(/data-site="pk_[A-Za-z0-9_-]+"/);
    await admin.locator(".install-check", { hasText: "Waiting for the first page view" }).waitFor();
    await admin.locator(".guides summary", { hasText: "Shopify" }).click();
    await clean(admin, "wizard: install");
    await shoot(admin, "wizard-install-waiting-en");

    // The snippet on a website the shop does not allow: no launcher, and a console message why.
    const elsewhere = await context.newPage();
    const warnings: string[] = [];
    elsewhere.on("console", (m) => m.type() === "warning" && warnings.push(m.text()));
    await elsewhere.goto(`http://localhost:${SHOP_PORT}/other`);
    await expect.poll(() => warnings.join("\n"), { timeout: 15_000 }).toContain("not allowed on http://localhost:");
    expect(await elsewhere.locator("#gadka-launcher").count()).toBe(0);
    await admin.waitForTimeout(2500);
    await admin.locator(".install-check", { hasText: "Waiting" }).waitFor();

    // The shop's own page: the check turns green, naming the host and the page.
    const shop = await context.newPage();
    await shop.goto(`http://127.0.0.1:${SHOP_PORT}/products/green-tea`);
    const done = admin.locator(".install-check.installed");
    await done.waitFor({ timeout: 15_000 });
    expect(await done.textContent()).toContain(`Gadka is installed on 127.0.0.1:${SHOP_PORT}`);
    expect(await done.textContent()).toContain(`http://127.0.0.1:${SHOP_PORT}/products/green-tea`);
    await clean(admin, "wizard: installed");
    await shoot(admin, "wizard-install-done-en");

    // Polish, the same step and the security page.
    await admin.evaluate(() => localStorage.setItem("gadka:admin:lang", "pl"));
    await admin.reload();
    await admin.locator(".wizard").waitFor();
    await shoot(admin, "wizard-shop-pl");
    await admin.goto(`${base}/admin/#/welcome?step=4`);
    await admin.locator(".install-check.installed", { hasText: "Gadka działa w sklepie" }).waitFor();
    await clean(admin, "wizard: installed (pl)");
    await shoot(admin, "wizard-install-done-pl");
    await admin.goto(`${base}/admin/#/security`);
    await admin.locator(".security h1").waitFor();
    await clean(admin, "security (pl)");
    await shoot(admin, "security-pl");
    await admin.evaluate(() => localStorage.setItem("gadka:admin:lang", "en"));
    await admin.reload();
    await admin.locator(".security button.primary").click();
    await admin.locator(".security .qr svg").waitFor();
    await clean(admin, "security: enrolment");
    await shoot(admin, "security-enrol-en");

    // The colleague from the wizard answers the shop's visitor (the owner has gone offline, so
    // routing gives the chat to him).
    await admin.close();
    const tomContext = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const tom = await tomContext.newPage();
    // He joins from the invitation mail (the dev mail log): sets his own password on its page.
    await tom.goto(`${base}/api/dev/mail?to=${encodeURIComponent("tom@newshop.test")}`);
    const invitation = tom.locator("article").filter({ hasText: "invitation" }).first();
    await invitation.waitFor();
    const link = (await invitation.locator("a").first().getAttribute("href")) ?? "";
    expect(link).toContain("/admin/#/invitation?token=");
    await tom.goto(link);
    await tom.locator("input[type=password]").waitFor();
    expect(await tom.locator("input[autocomplete=name], input[name=name]").first().inputValue()).toBe("Tom Helper");
    await tom.fill("input[type=password]", "toms-first-pass");
    await tom.click("button[type=submit]");
    await tom.waitForSelector(".inbox");
    await sendFromWidget(await openWidget(shop), "Do you ship green tea to Turku?");
    await tom.locator(".rows .row", { hasText: "Do you ship green tea" }).click();
    await tom.fill(".composer textarea", "Yes, in two days.");
    await tom.press(".composer textarea", "Enter");
    const chat = shop.frames().find((f) => f.url().includes("/chat/"))!;
    await chat.locator(".row.them", { hasText: "Yes, in two days." }).waitFor({ timeout: 10_000 });
    await tomContext.close();
    await context.close();
  }, 150_000);

  it("an owner starts a second shop from the rail; the switcher shows both and each inbox is its own", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const admin = await context.newPage();
    await admin.goto(`${base}/admin/`);
    await admin.fill("input[type=email]", "olivia@newshop.test");
    await admin.fill("input[type=password]", "olivias-password");
    await admin.click("button[type=submit]");
    await admin.waitForSelector(".inbox");
    await admin.click("a[href='#/welcome?new=1']");
    await admin.locator(".wizard h1", { hasText: "Shop" }).waitFor();
    expect(await admin.locator(".wizard input").first().inputValue()).toBe("");
    await clean(admin, "wizard: new shop");
    await shoot(admin, "wizard-new-shop-en");
    await admin.locator(".wizard input").first().fill("Olivia's Coffee");
    await admin.locator(".wizard input").nth(1).fill("coffee.example.com");
    await admin.click(".wizard button[type=submit]");
    // The new shop is the workspace's now, at the wizard's second step.
    await admin.locator(".wizard h1", { hasText: "Look" }).waitFor();
    const picker = admin.locator(".site-picker");
    await picker.waitFor();
    expect(await picker.locator("option").allTextContents()).toEqual(["Olivia's Coffee", "Olivia's Teas"]);
    expect(await picker.inputValue()).toBe(await picker.locator("option", { hasText: "Coffee" }).getAttribute("value"));
    await admin.click("a[href='#/settings']");
    await admin.locator(".settings .origins textarea").waitFor();
    expect(await admin.locator(".settings .origins textarea").inputValue()).toBe("https://coffee.example.com");
    // The new shop's inbox has none of the tea shop's conversations.
    await admin.click("a[href='#/inbox']");
    await admin.locator(".inbox").waitFor();
    const all = admin.locator(".tabs [role=tab]", { hasText: "All" });
    await all.click();
    await admin.waitForTimeout(1000);
    // (A row shows the conversation's last message: the colleague's answer.)
    expect(await admin.locator(".rows .row", { hasText: "Yes, in two days." }).count()).toBe(0);
    await picker.selectOption({ label: "Olivia's Teas" });
    await admin.locator(".tabs [role=tab].on", { hasText: "Mine" }).waitFor();
    await all.click();
    await admin.locator(".rows .row", { hasText: "Yes, in two days." }).waitFor();
    await context.close();
  });

  it("sign-up: the form says to check the email; the sign-in page links to it", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/admin/`);
    await page.click("a[href='#/signup']");
    await page.locator("h1", { hasText: "Create your Gadka account" }).waitFor();
    await clean(page, "signup");
    await shoot(page, "signup-en");
    const fields = page.locator("form input");
    await fields.nth(0).fill("Nina New");
    await fields.nth(1).fill("nina@signup.test");
    await fields.nth(2).fill("ninas-password");
    await page.click("button[type=submit]");
    await page.locator("[role=status]", { hasText: "We sent a link to nina@signup.test" }).waitFor();
    await page.evaluate(() => localStorage.setItem("gadka:admin:lang", "ru"));
    await page.goto(`${base}/admin/#/signup`);
    await page.reload();
    await page.locator("h1", { hasText: "Регистрация в Gadka" }).waitFor();
    await shoot(page, "signup-ru");
    await context.close();
  });
});
