// A saved reply as an operator uses it: "/hel" in the composer, pick it, edit it, send it; the
// visitor receives the edited text with the variables filled in.
import { describe, expect, inject, it } from "vitest";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");

const chromium = useChromium();

describe("saved replies", () => {
  it("inserts a reply by its shortcut, lets the operator edit it, and sends the edited text", async () => {
    const visitorContext = await chromium.browser.newContext();
    const operatorContext = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const shop = await visitorContext.newPage();
    const admin = await operatorContext.newPage();
    await signIn(admin, base, "anna@demo.test");
    await shop.goto(`${base}/demo/kettle.html`);
    const chat = await openWidget(shop);
    const question = `Hello, is the kettle in stock? ${Date.now()}`;
    await sendFromWidget(chat, question);

    const row = admin.locator(".rows .row", { hasText: question.slice(0, 25) });
    await row.click();
    await admin.locator(".timeline .bubble", { hasText: question }).waitFor();

    const box = admin.locator(".composer textarea");
    await box.click();
    await box.pressSequentially("/hel");
    await admin.locator(".suggestions", { hasText: "/hello" }).waitFor();
    await box.press("Enter");
    const inserted = await box.inputValue();
    expect(inserted).toBe("Hi! I'm Anna from Demo Shop — how can I help?");

    await box.press("End");
    await box.pressSequentially(" Yes, the kettle ships today.");
    await box.press("Enter");

    const expected = "Hi! I'm Anna from Demo Shop — how can I help? Yes, the kettle ships today.";
    await chat.locator(".row.them .bubble", { hasText: expected }).waitFor({ timeout: 10_000 });
    await visitorContext.close();
    await operatorContext.close();
  });
});
