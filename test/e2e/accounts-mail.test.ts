// Issue 14, account email in Chromium against `wrangler dev`: a new owner signs up, opens the
// confirmation from the development mail log (/api/dev/mail) and lands in the first-shop wizard;
// the owner invites an operator by email, the invitee opens the mail's link, sets a name and
// password and is in, and signs in again later; "Forgot password?" mails a reset link, the new
// password works and the operator's other session is signed out. axe finds nothing serious on
// the new screens; screenshots at 1440 and 390 px in English and Finnish go to
// test-results/screens/accounts-mail-*.png.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { root } from "../../scripts/lib/dev-server.mjs";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";

const base = inject("baseUrl");
const chromium = useChromium();
const SCREENS = join(root, "test-results/screens");
const OWNER = { name: "Oona Owner", email: "oona@mailshop.test", password: "oonas-password" };
const INVITEE = { name: "Ilkka Invitee", email: "ilkka@mailshop.test", password: "ilkkas-password" };

beforeAll(() => mkdirSync(SCREENS, { recursive: true }));

async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1440, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await page.screenshot({ path: join(SCREENS, `accounts-mail-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

async function clean(page: Page, what: string): Promise<void> {
  expect(await seriousViolations(page), what).toEqual([]);
}

/** Opens the development mail log for `to` and follows the newest mail's link whose text matches. */
async function openMailLink(page: Page, to: string, kind: string): Promise<string> {
  await page.goto(`${base}/api/dev/mail?to=${encodeURIComponent(to)}`);
  const article = page.locator("article").filter({ hasText: kind }).first();
  await article.waitFor();
  const href = await article.locator("a").first().getAttribute("href");
  expect(href).toBeTruthy();
  return href!;
}

const newContext = (locale = "en-US"): Promise<BrowserContext> =>
  chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true, locale });

let ownerContext: BrowserContext;

describe("account email", () => {
  it("sign-up: the confirmation from the dev mail log confirms the account and opens the first-shop wizard", async () => {
    ownerContext = await newContext();
    const page = await ownerContext.newPage();
    await page.goto(`${base}/admin/#/signup`);
    await page.locator("h1").first().waitFor();
    await page.getByLabel("Your name").fill(OWNER.name);
    await page.getByLabel("Email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.click("button[type=submit]");
    await page.locator("[role=status]", { hasText: OWNER.email }).waitFor();
    const devLink = page.locator("a[href='/api/dev/mail']");
    await devLink.waitFor();
    await clean(page, "check your email");
    await shoot(page, "check-email-en");
    await devLink.click();
    await page.locator("h1", { hasText: "Mail (dev)" }).waitFor();
    await clean(page, "dev mail log");
    await shoot(page, "dev-mail-en");
    const link = await openMailLink(page, OWNER.email, "signup_confirm");
    expect(link).toMatch(new RegExp(`^${base}/admin/#/confirm\\?token=confirm\\.`));
    await page.goto(link);
    await page.locator(".wizard h1").waitFor();
    expect(page.url()).toContain("#/welcome");
  });

  it("an invited operator opens the mail's link, sets a name and password, is in, and signs in again", async () => {
    const owner = await ownerContext.newPage();
    // The wizard's shop: skip to the team.
    await owner.goto(`${base}/admin/#/welcome`);
    await owner.locator(".wizard input").first().waitFor();
    await owner.locator(".wizard input").first().fill("Oona's Mail Shop");
    await owner.click(".wizard button[type=submit]");
    await owner.locator(".wizard h1", { hasNotText: "Shop" }).waitFor();
    await owner.goto(`${base}/admin/#/team`);
    const form = owner.locator("form.invite-operator");
    await form.waitFor();
    await form.getByLabel("Email").fill(INVITEE.email);
    await form.getByLabel("Name (optional)").fill(INVITEE.name);
    await form.locator("button[type=submit]").click();
    await owner.locator("[role=status]", { hasText: `Invitation emailed to ${INVITEE.email}` }).waitFor();
    await owner.locator(`[data-invitation] >> text=${INVITEE.email}`).waitFor();
    await clean(owner, "team with a pending invitation");
    await shoot(owner, "team-invited-en");

    const invitee = await newContext("fi-FI");
    const page = await invitee.newPage();
    const link = await openMailLink(page, INVITEE.email, "invitation");
    expect(link).toMatch(new RegExp(`^${base}/admin/#/invitation\\?token=invitation\\.`));
    await page.goto(link);
    await page.locator("h1", { hasText: "Liity kaupan" }).waitFor();
    expect(await page.getByLabel("Nimesi").inputValue()).toBe(INVITEE.name);
    await clean(page, "invitation (fi)");
    await shoot(page, "invitation-fi");
    await page.getByLabel("Salasana").fill(INVITEE.password);
    await page.click("button[type=submit]");
    await page.waitForSelector(".inbox");
    // The link is spent: opening it again says so.
    await page.goto(link);
    await page.locator("[role=alert]", { hasText: "Tähän kutsuun on jo vastattu" }).waitFor();
    await shoot(page, "invitation-used-fi");
    await invitee.close();

    // A fresh browser signs in with the password the invitee chose.
    const again = await newContext();
    const signIn = await again.newPage();
    await signIn.goto(`${base}/admin/`);
    await signIn.fill("input[type=email]", INVITEE.email);
    await signIn.fill("input[type=password]", INVITEE.password);
    await signIn.click("button[type=submit]");
    await signIn.waitForSelector(".inbox");
    await again.close();
  });

  it("forgot password: the reset link sets a new password and the other session is signed out", async () => {
    const signedIn = await newContext();
    const old = await signedIn.newPage();
    await old.goto(`${base}/admin/`);
    await old.fill("input[type=email]", INVITEE.email);
    await old.fill("input[type=password]", INVITEE.password);
    await old.click("button[type=submit]");
    await old.waitForSelector(".inbox");

    const other = await newContext("fi-FI");
    const page = await other.newPage();
    await page.goto(`${base}/admin/`);
    await page.locator("a[href='#/forgot']").click();
    await page.locator("h1", { hasText: "Vaihda salasana" }).waitFor();
    await clean(page, "forgot (fi)");
    await shoot(page, "forgot-fi");
    await page.getByLabel("Sähköposti").fill(INVITEE.email);
    await page.click("button[type=submit]");
    await page.locator("[role=status]", { hasText: INVITEE.email }).waitFor();
    const link = await openMailLink(page, INVITEE.email, "password_reset");
    expect(link).toMatch(new RegExp(`^${base}/admin/#/reset\\?token=reset\\.`));
    await page.goto(link);
    await page.locator("h1", { hasText: "Valitse uusi salasana" }).waitFor();
    await clean(page, "reset (fi)");
    await shoot(page, "reset-fi");
    await page.getByLabel("Uusi salasana").fill("ilkkas-new-password");
    await page.click("button[type=submit]");
    await page.locator("[role=status]", { hasText: "Salasanasi on vaihdettu" }).waitFor();

    // The session from before the reset is over: the next request signs it out.
    await old.reload();
    await old.locator("input[type=password]").waitFor();
    await old.fill("input[type=email]", INVITEE.email);
    await old.fill("input[type=password]", INVITEE.password);
    await old.click("button[type=submit]");
    await old.locator("[role=alert]").waitFor();
    await old.fill("input[type=password]", "ilkkas-new-password");
    await old.click("button[type=submit]");
    await old.waitForSelector(".inbox");
    await signedIn.close();
    await other.close();
    await ownerContext.close();
  });
});
