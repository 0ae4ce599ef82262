// The admin's languages as an operator meets them: the app downloads only the operator's
// language (one dictionary chunk, not four) and the next one when they switch; Polish reads as
// corrected (one conversation "Otwarta", the filter "Otwarte", a Pending button that is an
// action); a server error reaches the screen in the operator's language, by its code.
import type { Request } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();

const languageChunk = (r: Request) => /\/admin\/chunks\/(en|pl|fi|ru)-\w+\.js$/.exec(new URL(r.url()).pathname)?.[1];

describe("admin languages", () => {
  it("loads one language on start and the next on a switch", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "pl-PL" });
    const admin = await context.newPage();
    const loaded: string[] = [];
    admin.on("request", (r) => {
      const lang = languageChunk(r);
      if (lang) loaded.push(lang);
    });
    await signIn(admin, base, "anna@demo.test");
    await admin.locator(".inbox h2", { hasText: "Skrzynka" }).waitFor();
    expect(loaded).toEqual(["pl"]);
    expect(await admin.evaluate(() => document.documentElement.lang)).toBe("pl");

    await admin.locator(".profile-button").click();
    await admin.locator(".profile-panel select").selectOption("ru");
    await admin.locator(".inbox h2", { hasText: "Входящие" }).waitFor();
    expect(loaded).toEqual(["pl", "ru"]);
    expect(await admin.evaluate(() => document.documentElement.lang)).toBe("ru");
    // Remembered: a reload asks for Russian only.
    loaded.length = 0;
    await admin.reload();
    await admin.locator(".inbox h2", { hasText: "Входящие" }).waitFor();
    expect(loaded).toEqual(["ru"]);
    await context.close();
  });

  it("words one conversation, the filters and the actions as corrected, and server errors by code", async () => {
    const shopContext = await chromium.browser.newContext();
    const shop = await shopContext.newPage();
    await shop.goto(`${base}/demo/grinder.html`);
    const text = `Czy młynek nadaje się do espresso? (${Date.now()})`;
    await sendFromWidget(await openWidget(shop), text);

    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "pl-PL" });
    const admin = await context.newPage();
    await signIn(admin, base, "anna@demo.test");
    await admin.locator(".tabs .tab").nth(3).click();
    await admin.locator(".rows .row", { hasText: text.slice(0, 25) }).click();
    await expect(admin.locator(".thread-head .status").textContent()).resolves.toBe("Otwarta");
    await admin.locator(".workflow button", { hasText: "Oznacz jako oczekującą" }).waitFor();
    const statusOptions = await admin.locator(".filters select").first().locator("option").allTextContents();
    expect(statusOptions).toEqual(["Wszystkie statusy", "Otwarte", "Oczekujące", "Odłożone", "Zamknięte"]);

    // A taken shortcut: the server's code, the operator's language.
    await admin.locator(".rail-nav button").click();
    await admin.fill(".reply-form input", "hello");
    await admin.fill(".reply-form textarea", "Dzień dobry!");
    await admin.click(".reply-form button[type=submit]");
    await admin.locator(".reply-form .error", { hasText: "Skrót /hello jest już zajęty." }).waitFor({ timeout: 10_000 });
    await context.close();
    await shopContext.close();
  });

  // Needs the conversation room's stored status events (issue 9, core): before they land, the
  // timeline has no status lines.
  it("shows status changes in the timeline, with who and when, and the visitor reopening", async () => {
    const shopContext = await chromium.browser.newContext();
    const shop = await shopContext.newPage();
    await shop.goto(`${base}/demo/kettle.html`);
    const chat = await openWidget(shop);
    const text = `Is the kettle induction-ready? (${Date.now()})`;
    await sendFromWidget(chat, text);

    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "pl-PL" });
    const admin = await context.newPage();
    await signIn(admin, base, "anna@demo.test");
    await admin.locator(".tabs .tab").nth(3).click();
    await admin.locator(".rows .row", { hasText: text.slice(0, 25) }).click();
    await admin.locator(".timeline .bubble", { hasText: text }).waitFor();
    await admin.locator(".workflow .primary").click(); // ✓ Zamknij
    await admin.locator(".timeline .system-line", { hasText: "Anna Kowalska zamyka rozmowę" }).waitFor({ timeout: 10_000 });
    await expect(admin.locator(".thread-head .status").textContent()).resolves.toBe("Zamknięta");

    await sendFromWidget(chat, "Jeszcze jedno pytanie.");
    await admin.locator(".timeline .system-line", { hasText: "Nowa wiadomość od odwiedzającego – rozmowa znów otwarta" }).waitFor({
      timeout: 10_000,
    });
    await expect(admin.locator(".thread-head .status").textContent()).resolves.toBe("Otwarta");
    await context.close();
    await shopContext.close();
  });
});
