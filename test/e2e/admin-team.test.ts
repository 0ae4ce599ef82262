// The team, invitations, my profile and the widget's allowed websites, as owners and operators
// use them. Needs the Worker side of issue 9 (edge): invitations (202 "invited", the team's
// pending list, accept / decline / revoke), PATCH /api/me and PUT /api/me/avatar, and
// allowedOrigins in the settings API. Before those land these tests fail at the first of them.
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { useChromium } from "./browser";
import { signIn } from "./pages";
import { addSecondSite, SECOND_SITE } from "./second-site";

const base = inject("baseUrl");
const chromium = useChromium();
// A 1×1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");

async function operator(email: string, password = "demo1234"): Promise<{ context: BrowserContext; admin: Page }> {
  const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const admin = await context.newPage();
  await signIn(admin, base, email, password);
  return { context, admin };
}

async function addToTeam(admin: Page, email: string, name: string): Promise<string> {
  await admin.goto(`${base}/admin/#/team`);
  const form = admin.locator("form.add-operator");
  await form.locator("input[type=email]").fill(email);
  await form.locator("input[type=password]").fill("first-pass-123");
  await form.locator("input").nth(1).fill(name);
  await form.locator("button[type=submit]").click();
  const message = admin.locator(".team .ok, .team .error");
  await message.waitFor({ timeout: 10_000 });
  return (await message.textContent()) ?? "";
}

describe("team, invitations and profile", () => {
  it("invites an existing account, which joins only after accepting; a pending invitation can be revoked", async () => {
    addSecondSite("op_anna");
    const owner = await operator("anna@demo.test");
    await owner.admin.locator(".site-picker").selectOption({ label: SECOND_SITE.name });
    await owner.admin.goto(`${base}/admin/#/team`);
    expect(await owner.admin.locator(".team input[type=file]").count()).toBe(0); // nobody's photo is the site's to change

    // Piotr has an account (on the demo shop): he is invited, not added.
    expect(await addToTeam(owner.admin, "piotr@demo.test", "Piotr Nowak")).toBe(
      "Invitation sent to piotr@demo.test. They join the team once they accept it.",
    );
    await owner.admin.locator(".invitations li", { hasText: "piotr@demo.test" }).waitFor();
    expect(await owner.admin.locator(".team tbody tr", { hasText: "piotr@demo.test" }).count()).toBe(0);

    // A new colleague on the demo shop, then invited to the second shop and revoked.
    const olga = `olga${Date.now()}@demo.test`;
    await owner.admin.locator(".site-picker").selectOption({ label: "Demo Shop" });
    expect(await addToTeam(owner.admin, olga, "Olga")).toBe(`${olga} is on the team now.`);
    await owner.admin.locator(".site-picker").selectOption({ label: SECOND_SITE.name });
    expect(await addToTeam(owner.admin, olga, "Olga")).toContain("Invitation sent");
    owner.admin.once("dialog", (d) => void d.accept());
    await owner.admin.locator(".invitations li", { hasText: olga }).locator("button", { hasText: "Revoke" }).click();
    await owner.admin.locator(".invitations li", { hasText: olga }).waitFor({ state: "detached", timeout: 10_000 });

    // Piotr sees the invitation, accepts it, and the second shop is his to pick.
    const piotr = await operator("piotr@demo.test");
    const banner = piotr.admin.locator(".my-invitations .invitation", { hasText: SECOND_SITE.name });
    await banner.waitFor({ timeout: 10_000 });
    await banner.locator("button.primary").click();
    await piotr.admin.locator(".my-invitations .ok", { hasText: `You joined ${SECOND_SITE.name}.` }).waitFor({ timeout: 10_000 });
    await piotr.admin.locator(".site-picker option", { hasText: SECOND_SITE.name }).waitFor({ state: "attached" });
    await owner.admin.reload();
    await owner.admin.locator(".team tbody tr", { hasText: "piotr@demo.test" }).waitFor({ timeout: 10_000 });
    await owner.context.close();
    await piotr.context.close();
  });

  it("lets operators change their own name and photo from the profile menu", async () => {
    const { context, admin } = await operator("piotr@demo.test");
    await admin.locator(".profile-button").click();
    await admin.locator(".profile-panel button").first().click();
    const dialog = admin.locator(".modal.profile");
    await dialog.locator("input:not([type=file]):not([type=checkbox])").fill("Piotr N.");
    await dialog.locator("button[type=submit]").click();
    await admin.locator(".profile-button", { hasText: "Piotr N." }).waitFor({ timeout: 10_000 });

    await dialog.locator("input[type=file]").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: PNG });
    await expect
      .poll(
        () =>
          admin
            .locator(".profile-button img")
            .getAttribute("src")
            .catch(() => null),
        { timeout: 10_000 },
      )
      .toMatch(/^\/api\/files\/avatars\//);
    // Not a picture: refused in words.
    await dialog.locator("input[type=file]").setInputFiles({ name: "me.txt", mimeType: "text/plain", buffer: Buffer.from("hi") });
    await dialog.locator(".error", { hasText: "Upload a PNG, JPEG or WebP image." }).waitFor({ timeout: 10_000 });

    await dialog.locator("input:not([type=file]):not([type=checkbox])").fill("Piotr Nowak");
    await dialog.locator("button[type=submit]").click();
    await admin.locator(".profile-button", { hasText: "Piotr Nowak" }).waitFor({ timeout: 10_000 });
    await admin.keyboard.press("Escape");
    await context.close();
  });

  it("keeps the websites the widget may run on, refuses a bad one in words, and warns while the list is empty", async () => {
    addSecondSite("op_anna");
    const { context, admin } = await operator("anna@demo.test");
    await admin.locator(".site-picker").selectOption({ label: SECOND_SITE.name });
    await admin.goto(`${base}/admin/#/settings`);
    const origins = admin.locator("label.origins textarea");
    await origins.waitFor({ timeout: 10_000 });
    await admin.locator(".settings .warning").waitFor();

    await origins.fill("shop.example/path");
    await admin.locator("form.settings button[type=submit]").click();
    await admin.locator("form.settings .error", { hasText: "“shop.example/path” is not an origin." }).waitFor();

    await origins.fill("https://shop.example\nHTTPS://Shop.Example/\nhttp://localhost:8787");
    await admin.locator("form.settings button[type=submit]").click();
    await admin.locator("form.settings .ok").waitFor({ timeout: 10_000 });
    expect(await admin.locator(".settings .warning").count()).toBe(0);
    await admin.reload();
    await expect(admin.locator("label.origins textarea").inputValue()).resolves.toBe("https://shop.example\nhttp://localhost:8787");

    await admin.locator("label.origins textarea").fill("");
    await admin.locator("form.settings button[type=submit]").click();
    await admin.locator("form.settings .ok").waitFor({ timeout: 10_000 });
    await admin.locator(".settings .warning").waitFor();
    await context.close();
  });
});
