// Issue 11 end to end, in real Chromium against `wrangler dev`, with nothing fed in: the shop is
// closed by real hours set through the settings API, so the widget says when it is back in the
// visitor's own time zone and asks for an email at once; the visitor writes, leaves an email in
// the chat and closes the page; the operator answers in the admin; after the follow-up delay
// (followUpMinutes: 1, the setting's minimum, so this test waits about a minute for the room's
// real alarm) the Sent mail page lists the follow-up; a raw Thunderbird reply to its Reply-To
// address, posted to the development inbound door, appears in the operator's open conversation
// live and in the widget on the visitor's next visit, marked "via email".
// With E2E_SHOTS=<dir>, screenshots at 1440 and 390 px in English and Polish are saved there.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_BUSINESS_HOURS, type SentMailResponse } from "../../protocol";
import { root } from "../../scripts/lib/dev-server.mjs";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { closedNowHours, expectedBack, spaces } from "./offline-hours";
import { type OperatorApi, operatorApi } from "./operator-api";
import { chatFrame, openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const shots = process.env.E2E_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const chromium = useChromium();
const fixture = (name: string) => readFileSync(join(root, "test/fixtures/email", name), "utf8");
/** The new text of every reply fixture in English (worker/email/inbound.test.ts checks the parse). */
const REPLY_TEXT = "Thanks, that works for me!\nCould you send me the tracking number?";

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

let owner: OperatorApi;
const patchSettings = (body: object) => owner.patchSettings(body);

describe("offline flow: closed → email → the visitor leaves → answer → follow-up → reply by email", () => {
  beforeAll(async () => {
    owner = await operatorApi(base);
  });
  afterAll(async () => {
    await patchSettings({ businessHours: DEFAULT_BUSINESS_HOURS, followUpMinutes: 10, askEmailAfterSeconds: 60 });
  });

  for (const [locale, zone, width] of [
    ["en-US", "America/New_York", 1440],
    ["pl-PL", "Asia/Tokyo", 390],
  ] as const) {
    // The two languages run side by side: each waits for the room's real one-minute follow-up
    // alarm, and they share only the settings they both set to the same values.
    it.concurrent(`${locale} at ${width} px: the whole way, with the server's own answers`, { timeout: 180_000 }, async () => {
      const pl = locale === "pl-PL";
      const { hours, reopensAt } = closedNowHours();
      await patchSettings({ businessHours: hours, followUpMinutes: 1, askEmailAfterSeconds: 60 });
      const tag = `${locale}-${Date.now()}`;
      const email = `flow.${tag.toLowerCase()}@example.com`;

      // The visitor: the closed header from the real hours, in their own zone and language.
      const visitor = await chromium.browser.newContext({ viewport: { width, height: 800 }, locale, timezoneId: zone, bypassCSP: true });
      const shop = await visitor.newPage();
      await shop.goto(`${base}/demo/`);
      const chat = await openWidget(shop);
      await expect
        .poll(async () => spaces(await chat.locator("header .dot.closed").textContent()), { timeout: 10_000 })
        .toBe(expectedBack(locale, zone, reopensAt));
      await sendFromWidget(chat, `Do you ship to Tampere? (${tag})`);
      await chat.locator(".row.me .meta", { hasText: pl ? "Wysłano" : "Sent" }).waitFor({ timeout: 10_000 });
      // Closed: the prompt is there at once; the address goes to the real POST /api/widget/email.
      const card = chat.locator(".email-card");
      await card.waitFor({ timeout: 10_000 });
      await shot(shop, `flow-widget-closed-email-${locale}-${width}`);
      await card.locator("input").fill(email);
      const saved = shop.waitForResponse((r) => r.url().endsWith("/api/widget/email"));
      await card.locator("button[type=submit]").click();
      expect((await saved).status()).toBe(200);
      await chat.locator(".email-saved", { hasText: email }).waitFor({ timeout: 10_000 });
      expect(await seriousViolations(chat)).toEqual([]);
      await shot(shop, `flow-widget-email-saved-${locale}-${width}`);
      // The visitor leaves: the page (and with it the only visitor socket) is closed.
      await shop.close();

      // The operator answers in the admin and keeps the conversation open.
      const operator = await chromium.browser.newContext({ viewport: { width, height: 900 }, locale, bypassCSP: true });
      const admin = await operator.newPage();
      await signIn(admin, base, "anna@demo.test");
      await admin.locator(".tabs .tab").nth(3).click(); // All
      await admin.locator(".rows .row", { hasText: tag }).first().click();
      await admin.locator(".composer textarea").waitFor({ timeout: 10_000 });
      const conversationId = decodeURIComponent(/#\/inbox\/([^/?]+)/.exec(admin.url())?.[1] ?? "");
      const answer = `Yes, we ship to Tampere in two days (${tag}).`;
      await admin.fill(".composer textarea", answer);
      await admin.press(".composer textarea", "Enter");
      await admin.locator(".msg", { hasText: answer }).waitFor({ timeout: 10_000 });
      const answeredAt = Date.now();

      // The room's follow-up alarm sends one email after followUpMinutes; the list is the
      // deployment's real outbox (development keeps it).
      let followUp: SentMailResponse["mails"][number] | undefined;
      await expect
        .poll(
          async () => {
            const list = await owner.json<SentMailResponse>("/api/sites/site_demo/sent-mail");
            followUp = list.mails.find((m) => m.kind === "follow_up" && m.to === email);
            return followUp ? "sent" : "waiting";
          },
          { timeout: 120_000, interval: 2_000 },
        )
        .toBe("sent");
      expect(Date.now() - answeredAt, "not before the delay").toBeGreaterThan(55_000);
      expect(followUp!.text).toContain(answer);
      if (conversationId) expect(followUp!.conversationId).toBe(conversationId);
      const replyTo = followUp!.replyTo!;
      expect(replyTo).toMatch(/^c-.+@/);

      // The Sent mail page (a second tab) lists it; its Reply-To is shown.
      const mailTab = await operator.newPage();
      await mailTab.goto(`${base}/admin/#/sent-mail`);
      const row = mailTab.locator(".mail-table tbody tr", { hasText: email });
      await row.waitFor({ timeout: 10_000 });
      await shot(mailTab, `flow-admin-sent-mail-${locale}-${width}`, true);
      await row.locator(".row-link").click();
      await mailTab.locator(".mail-detail dd.mono", { hasText: replyTo }).waitFor();
      await shot(mailTab, `flow-admin-sent-mail-open-${locale}-${width}`, true);
      expect(await seriousViolations(mailTab)).toEqual([]);
      await mailTab.close();

      // The visitor replies from their mailbox: a raw Thunderbird message to that Reply-To.
      const door = await fetch(`${base}/api/email/dev-inbound?from=${encodeURIComponent(email)}&to=${encodeURIComponent(replyTo)}`, {
        method: "POST",
        body: fixture("thunderbird-en.eml"),
      });
      expect(door.status).toBe(200);
      expect(await door.json()).toMatchObject({ outcome: "appended" });

      // Live in the operator's open conversation, tagged via email.
      const viaAdmin = admin.locator(".msg", { hasText: "Thanks, that works for me!" });
      await viaAdmin.waitFor({ timeout: 10_000 });
      expect(await viaAdmin.locator(".via-tag").textContent()).toBe(pl ? "przez e-mail" : "via email");
      // The room's note that the follow-up went out, live in the same timeline.
      expect(await admin.locator(".system-line[data-event=email_sent]").textContent()).toContain(email);
      await viaAdmin.scrollIntoViewIfNeeded();
      await shot(admin, `flow-admin-via-email-${locale}-${width}`);
      expect(await seriousViolations(admin)).toEqual([]);
      await operator.close();

      // The visitor's next visit: the answer and their emailed reply, marked via email.
      const again = await visitor.newPage();
      await again.goto(`${base}/demo/`);
      const next = await chatFrame(again).catch(() => openWidget(again));
      await next.locator(".row", { hasText: answer }).waitFor({ timeout: 10_000 });
      const mine = next.locator(".row.me", { hasText: "Thanks, that works for me!" });
      await mine.waitFor({ timeout: 10_000 });
      expect(spaces(await mine.locator(".bubble, .text").first().textContent())).toContain(spaces(REPLY_TEXT.split("\n")[0]!));
      expect(await mine.locator(".meta.via").textContent()).toBe(pl ? "przez e-mail" : "via email");
      // The address the chat keeps (the server's email_sent notice is an operator-only note).
      await next.locator(".email-saved", { hasText: email }).waitFor();
      expect(await next.locator(".note", { hasText: pl ? "Wysłaliśmy" : "We emailed" }).count()).toBe(0);
      await shot(again, `flow-widget-via-email-${locale}-${width}`);
      expect(await seriousViolations(next)).toEqual([]);
      await visitor.close();
    });
  }
});
