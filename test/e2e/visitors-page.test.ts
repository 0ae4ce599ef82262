// The Visitors page and the owners' identity and API settings, as operators use them: visitors
// recorded through the beacon (POST /api/track) appear in the list, a filter narrows it, a
// segment saved from the filters applies them again (and a taken name is refused in words),
// a row opens the profile drawer; the owner sees the identity secret in settings, the agent
// does not. Every assertion waits on the DOM with a deadline. With E2E_SHOTS=<dir>, screenshots
// of the page (English, Russian, Finnish) and of the settings section are saved there.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { TrackResponse } from "../../protocol";
import { useChromium } from "./browser";
import { signIn } from "./pages";

const base = inject("baseUrl");
const shots = process.env.E2E_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const DEMO_IDENTITY_SECRET = "is_demo_identity_secret_do_not_use_in_production";

const chromium = useChromium();

async function shot(target: Page | Locator, name: string): Promise<void> {
  if (shots) await target.screenshot({ path: join(shots, `${name}.png`) });
}

async function beacon(body: Record<string, unknown>): Promise<TrackResponse> {
  const r = await fetch(`${base}/api/track`, {
    method: "POST",
    headers: {
      "content-type": "text/plain",
      "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    },
    body: JSON.stringify({ k: "pk_demo_shop", ...body }),
  });
  expect(r.status).toBe(200);
  return (await r.json()) as TrackResponse;
}

/** A visitor who opened the demo shop from `source` and told the shop their name (unverified). */
async function shopVisitor(source: string, name: string, id: string): Promise<void> {
  const { t } = await beacon({
    e: "view",
    u: `${base}/demo/kettle.html?utm_source=${source}&utm_medium=email`,
    ti: "Gooseneck kettle",
    l: "pl-PL",
  });
  await beacon({ t, e: "identify", id: { id, name, email: `${id}@example.com` } });
}

async function operator(email: string, locale = "en-US"): Promise<{ context: BrowserContext; admin: Page }> {
  const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale });
  const admin = await context.newPage();
  await signIn(admin, base, email);
  return { context, admin };
}

const rows = (admin: Page) => admin.locator(".visitor-table tbody tr");
const row = (admin: Page, name: string) => admin.locator(".visitor-table tbody tr", { hasText: name });

describe("visitors page", () => {
  it("lists visitors, filters them, saves a segment and applies it again", async () => {
    const tag = `${Date.now().toString(36)}`;
    const alma = `Alma ${tag}`;
    const bruno = `Bruno ${tag}`;
    await shopVisitor(`news${tag}`, alma, `a${tag}`);
    await shopVisitor(`ads${tag}`, bruno, `b${tag}`);

    const { context, admin } = await operator("anna@demo.test");
    await admin.goto(`${base}/admin/#/visitors`);
    await admin.locator(".visitors-view").waitFor();
    await row(admin, alma).waitFor({ timeout: 10_000 });
    await row(admin, bruno).waitFor();

    // Search narrows to this test's two visitors; the source narrows to one.
    await admin.fill(".visitor-filters input[type=search]", tag);
    await expect.poll(() => rows(admin).count(), { timeout: 10_000 }).toBe(2);
    await admin.fill(".visitor-filters input.source", `news${tag}`);
    await expect.poll(() => rows(admin).count(), { timeout: 10_000 }).toBe(1);
    await row(admin, alma).waitFor();
    await expect(row(admin, alma).textContent()).resolves.toContain(`news${tag} / email`);

    // Save the filters as a segment; the chip shows it as applied.
    const segment = `Newsletter ${tag}`;
    await admin.click("button.save-segment");
    await admin.fill(".segment-form input", segment);
    await admin.press(".segment-form input", "Enter");
    const chip = admin.locator(".chip", { hasText: segment });
    await chip.and(admin.locator(".chip.on")).waitFor({ timeout: 10_000 });
    await shot(admin, "visitors-en");

    // Clearing the filters brings Bruno back; the segment narrows to Alma again.
    await admin.click("text=Clear filters");
    await row(admin, bruno).waitFor({ timeout: 10_000 });
    await chip.locator(".chip-name").click();
    await expect.poll(() => admin.inputValue(".visitor-filters input.source")).toBe(`news${tag}`);
    await row(admin, bruno).waitFor({ state: "detached", timeout: 10_000 });
    await row(admin, alma).waitFor();
    expect(await admin.inputValue(".visitor-filters input[type=search]")).toBe(tag);

    // The same name again is refused with a sentence, not a silent failure.
    await admin.click("button.save-segment");
    await admin.fill(".segment-form input", segment);
    await admin.press(".segment-form input", "Enter");
    await admin.locator(".segments .error", { hasText: "already exists" }).waitFor({ timeout: 10_000 });
    await admin.click(".segment-form button[type=button]");

    // A row opens the visitor's profile beside the list.
    await row(admin, alma).click();
    await admin.locator(".drawer .drawer-head", { hasText: alma }).waitFor({ timeout: 10_000 });
    await admin
      .locator(".drawer .visitor-sidebar dd", { hasText: `news${tag} / email` })
      .first()
      .waitFor({ timeout: 10_000 });
    await shot(admin, "visitors-drawer-en");
    await admin.keyboard.press("Escape");
    await admin.locator(".drawer").waitFor({ state: "detached" });

    // Deleting asks first, then the chip goes.
    admin.once("dialog", (d) => void d.accept());
    await chip.locator(".chip-x").click();
    await chip.waitFor({ state: "detached", timeout: 10_000 });
    const left = await admin.evaluate(async () => (await fetch("/api/sites/site_demo/segments")).json());
    expect(left.segments.map((s: { name: string }) => s.name)).not.toContain(segment);
    await context.close();
  });

  it("reads well in Russian and Finnish", async () => {
    for (const locale of ["ru-RU", "fi-FI"]) {
      const { context, admin } = await operator("anna@demo.test", locale);
      await admin.goto(`${base}/admin/#/visitors`);
      await admin.locator(".visitor-table tbody tr").first().waitFor({ timeout: 10_000 });
      await admin.locator(".rail-nav a.on", { hasText: locale === "ru-RU" ? "Посетители" : "Kävijät" }).waitFor();
      await shot(admin, `visitors-${locale.slice(0, 2)}`);
      await context.close();
    }
  });

  it("shows the identity secret and API key to the owner, not to an agent", async () => {
    const owner = await operator("anna@demo.test");
    await owner.admin.goto(`${base}/admin/#/settings`);
    const dev = owner.admin.locator(".developers");
    await dev.locator(".secret code", { hasText: DEMO_IDENTITY_SECRET }).waitFor({ timeout: 10_000 });
    await dev.locator("pre.code", { hasText: "createHmac('sha256'" }).waitFor();
    await dev.locator("pre.code", { hasText: "/api/v1/orders" }).waitFor();
    await dev.scrollIntoViewIfNeeded();
    await shot(owner.admin, "settings-developers-en");

    // A new API key is shown once, in full, with the warning; afterwards only its start.
    owner.admin.once("dialog", (d) => void d.accept());
    await dev.locator("button", { hasText: "Create new key" }).click();
    const shown = dev.locator(".new-key", { hasText: "will not be shown again" });
    await shown.waitFor({ timeout: 10_000 });
    const key = (await shown.locator("code").textContent())!;
    expect(key).toMatch(/^sk_/);
    await shot(dev, "settings-new-key-en");
    await owner.admin.reload();
    await dev.locator(".key-line code", { hasText: `${key.slice(0, 10)}…` }).waitFor({ timeout: 10_000 });
    expect(await dev.locator(".new-key").count()).toBe(0);
    const orders = await fetch(`${base}/api/v1/orders`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ orderId: `e2e-${Date.now()}`, customerId: "cust_e2e_key", total: 12, currency: "EUR" }),
    });
    expect(orders.status).toBe(201);
    await owner.context.close();

    const agent = await operator("piotr@demo.test");
    await agent.admin.goto(`${base}/admin/#/settings`);
    await agent.admin.locator("form.settings").waitFor({ timeout: 10_000 });
    expect(await agent.admin.locator(".developers").count()).toBe(0);
    expect(await agent.admin.content()).not.toContain(DEMO_IDENTITY_SECRET);
    // The agent sees the Visitors page like everyone on the team.
    await agent.admin.goto(`${base}/admin/#/visitors`);
    await agent.admin.locator(".visitor-table tbody tr").first().waitFor({ timeout: 10_000 });
    await agent.context.close();
  });
});
