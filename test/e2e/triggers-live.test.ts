// Issue 12 end to end with nothing stubbed, in Chromium against `wrangler dev`: an owner creates a
// trigger through the admin's API; a visitor on the matching page sees its teaser after the dwell
// time (the real beacon answer's `r`/`g`, the real rule set, the real chunks); a page that does not
// match shows nothing; the shown event reaches the visitor's shard (the trigger list's counters);
// replying opens the chat with the trigger's message and the conversation the visitor starts is
// tagged with the trigger; the cap keeps it from showing again in the same visit.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ConversationListResponse, TriggerListResponse, TriggerResponse } from "../../protocol";
import { useChromium } from "./browser";
import { type OperatorApi, operatorApi } from "./operator-api";
import { chatFrame, sendFromWidget } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();
let team: OperatorApi;
let triggerId = "";
const NAME = `Grinder help ${Date.now()}`;
const MESSAGE = "Hi! Not sure which grinder fits your brewing? Ask me.";

// The launcher's shadow root is closed (the shop's scripts stay out); the test opens it.
const openShadowRoots = () => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init: ShadowRootInit) {
    return attach.call(this, { ...init, mode: "open" });
  };
};
const teaser = (page: Page) => page.locator("#gadka-launcher button.r");
const stats = async () =>
  (await team.json<TriggerListResponse>("/api/sites/site_demo/triggers")).triggers.find((t) => t.id === triggerId)?.stats;

describe("a proactive trigger, live", () => {
  beforeAll(async () => {
    team = await operatorApi(base);
    const r = await team.fetch("/api/sites/site_demo/triggers", {
      method: "POST",
      body: JSON.stringify({
        name: NAME,
        priority: 90,
        conditions: [
          { type: "page", match: "contains", value: "/grinder" },
          { type: "timeOnPage", seconds: 2 },
        ],
        action: {
          from: { type: "team" },
          message: MESSAGE,
          offer: { type: "discount", code: "GRIND10", description: "10% off a grinder" },
        },
        frequencyDays: 0,
        holdoutPercent: 0,
      }),
    });
    expect(r.status, await r.clone().text()).toBe(201);
    triggerId = ((await r.json()) as TriggerResponse).trigger.id;
  });
  afterAll(async () => {
    if (triggerId) expect((await team.fetch(`/api/sites/site_demo/triggers/${triggerId}`, { method: "DELETE" })).status).toBe(204);
  });

  it("shows on the matching page after the dwell, replies into a tagged conversation, and not again in the visit", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addInitScript(openShadowRoots);
    const page = await context.newPage();
    const requests: string[] = [];
    context.on("request", (q) => requests.push(new URL(q.url()).pathname));

    // Not the trigger's page: the rules load (the site has a trigger), nothing shows.
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await expect.poll(() => requests.includes("/triggers.js"), { timeout: 15_000 }).toBe(true);
    await page.waitForTimeout(3_000);
    expect(await teaser(page).count()).toBe(0);
    expect(requests.includes("/teaser.js")).toBe(false);

    // The grinder page: the teaser after about two seconds, with the offer's code.
    const before = Date.now();
    await page.goto(`${base}/demo/grinder.html`, { waitUntil: "load" });
    await teaser(page).waitFor({ timeout: 15_000 });
    expect(Date.now() - before).toBeGreaterThanOrEqual(2_000);
    // The teaser has a shadow root of its own inside the launcher's (both opened for the test).
    await page.locator("#gadka-launcher").getByText(MESSAGE).first().waitFor();
    await page.locator("#gadka-launcher").getByText("GRIND10").first().waitFor();
    await expect.poll(async () => (await stats())?.shown, { timeout: 15_000 }).toBe(1);

    // Reply: the chat opens with the trigger's message; the visitor's answer starts the conversation.
    await teaser(page).click();
    const chat = await chatFrame(page);
    await chat.locator(".bubble, .text", { hasText: MESSAGE }).first().waitFor({ timeout: 15_000 });
    const tag = `Which one for espresso? (${Date.now()})`;
    await sendFromWidget(chat, tag);
    await chat.locator(".row.me .meta", { hasText: "Sent" }).waitFor({ timeout: 10_000 });
    await expect
      .poll(
        async () => {
          const list = await team.json<ConversationListResponse>("/api/sites/site_demo/conversations?status=open&limit=50");
          return list.conversations.find((c) => c.lastMessagePreview?.includes("espresso"))?.triggerName ?? null;
        },
        { timeout: 15_000 },
      )
      .toBe(NAME);
    await expect.poll(async () => (await stats())?.conversations, { timeout: 15_000 }).toBe(1);

    // The same visit, the trigger's page again: the cap (one a visit) keeps it away.
    await page.goto(`${base}/demo/grinder.html`, { waitUntil: "load" });
    await page.waitForTimeout(4_000);
    expect(await teaser(page).count()).toBe(0);
    await context.close();
  }, 90_000);
});
