// Reports (issue 13) as people use them: a visitor writes, Anna answers and resolves, the visitor
// rates the conversation in the widget with one tap and a comment; the rating shows in Anna's row
// of the report and as a note in the conversation. The team table's CSV holds the same cells as
// the table; the page loads uPlot as its own chunk, is keyboard-reachable and axe-clean; the page
// is photographed at 1440 and 390 px in English and Polish (written to test-results/screens/).
import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();
const SCREENS = "test-results/screens";

/** Anna's row of the team table, as the numbers behind each cell. */
async function annaRow(admin: Page): Promise<string[]> {
  const row = admin.locator("table[data-table=team] tbody tr", { hasText: "Anna Kowalska" });
  await row.waitFor({ timeout: 15_000 });
  return row.locator("td").evaluateAll((tds) => tds.map((td) => td.getAttribute("data-raw") ?? ""));
}

function parseCsv(text: string): string[][] {
  // Our CSV quotes only cells with commas, quotes or line breaks; the names here have none.
  return text
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n")
    .map((line) => line.split(","));
}

describe("reports", () => {
  it("shows a rated conversation in the operator's row, and the CSV matches the table", async () => {
    const visitorContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const operatorContext = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const shop = await visitorContext.newPage();
    const admin = await operatorContext.newPage();
    await signIn(admin, base, "anna@demo.test");

    // Anna's ratings before (other test files may have left conversations).
    await admin.goto(`${base}/admin/#/reports`);
    const ratingsColumn = 14; // td index of "Ratings" (the name is the row's th)
    const before = Number((await annaRow(admin))[ratingsColumn]);

    await shop.goto(`${base}/demo/`);
    const chat = await openWidget(shop);
    const question = `Do you ship to Tampere? ${Date.now()}`;
    await sendFromWidget(chat, question);
    await admin.goto(`${base}/admin/#/inbox`);
    const row = admin.locator(".rows .row", { hasText: question.slice(0, 20) });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await admin.fill(".composer textarea", "Yes, in 2–3 days.");
    await admin.press(".composer textarea", "Enter");
    await chat.locator(".row.them", { hasText: "Yes, in 2–3 days." }).waitFor({ timeout: 10_000 });
    await admin.locator("button.primary.small", { hasText: "Resolve" }).click();

    // One tap, then a comment.
    const great = chat.locator(".rating button[aria-label=Great]");
    await great.waitFor({ timeout: 10_000 });
    await great.click();
    await chat.locator(".rating textarea").fill("Quick and clear");
    await chat.locator(".rating button[type=submit]").click();
    await chat.locator(".rating[role=status]", { hasText: "Thank you" }).waitFor({ timeout: 10_000 });

    // The operator sees it in the conversation…
    await admin.locator(".system-line[data-event=rated]", { hasText: "Quick and clear" }).waitFor({ timeout: 10_000 });
    // …and in the report, once the room's outbox has copied the event to D1 (about a second).
    await admin.goto(`${base}/admin/#/reports`);
    let after = before;
    for (let i = 0; i < 20 && after <= before; i++) {
      await admin.reload();
      after = Number((await annaRow(admin))[ratingsColumn]);
      if (after <= before) await admin.waitForTimeout(500);
    }
    expect(after).toBe(before + 1);

    // The CSV of the team table holds the table's cells.
    const href = await admin.locator("a[data-csv=team]").getAttribute("href");
    const csv = parseCsv(await admin.evaluate(async (url) => (await fetch(url!)).text(), href));
    const table = await admin
      .locator("table[data-table=team] tbody tr")
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.querySelector("th")!.textContent ?? "",
          ...Array.from(r.querySelectorAll("td"), (td) => td.getAttribute("data-raw") ?? ""),
        ]),
      );
    expect(csv.slice(1)).toEqual(table);
    expect(csv[0]).toHaveLength(table[0]!.length);

    // Keyboard: Tab reaches the period picker and the CSV links; axe finds nothing serious.
    await admin.locator(".reports .period select").focus();
    await admin.keyboard.press("Tab");
    expect(await admin.evaluate(() => document.activeElement?.getAttribute("data-csv"))).toBe("team");
    expect(await seriousViolations(admin)).toEqual([]);
    await visitorContext.close();
    await operatorContext.close();
  });

  it("looks right at 1440 and 390 px in English and Polish", async () => {
    mkdirSync(SCREENS, { recursive: true });
    for (const lang of ["en", "pl"]) {
      for (const width of [1440, 390]) {
        const context = await chromium.browser.newContext({ viewport: { width, height: 900 }, bypassCSP: true });
        await context.addInitScript((l) => localStorage.setItem("gadka:admin:lang", l), lang);
        const admin = await context.newPage();
        await signIn(admin, base, "anna@demo.test");
        await admin.goto(`${base}/admin/#/reports`);
        await admin.locator("table[data-table=team]").waitFor({ timeout: 15_000 });
        await admin.locator(".chart canvas").first().waitFor({ timeout: 15_000 });
        await admin.screenshot({ path: `${SCREENS}/reports-${lang}-${width}.png`, fullPage: true });
        // The page scrolls inside its main area: the lower half (chart, staffing, concerns) too.
        await admin.locator(".team-page").evaluate((el) => el.scrollTo(0, el.scrollHeight));
        await admin.screenshot({ path: `${SCREENS}/reports-${lang}-${width}-end.png` });
        expect(await seriousViolations(admin)).toEqual([]);
        await context.close();
      }
    }
    // The widget's rating, in the visitor's language.
    for (const lang of ["en-US", "pl-PL"]) {
      const context = await chromium.browser.newContext({ viewport: { width: 390, height: 760 }, locale: lang, bypassCSP: true });
      const shop = await context.newPage();
      await shop.goto(`${base}/demo/`);
      const chat = await openWidget(shop);
      await sendFromWidget(chat, `Screenshot ${lang} ${Date.now()}`);
      await chat.locator(".meta", { hasText: /Sent|Seen|Wysłano|Przeczytano/ }).waitFor({ timeout: 10_000 });
      // Resolve through the API as Anna (the admin is photographed above).
      const login = await fetch(`${base}/api/auth/login`, {
        method: "POST",
        headers: { origin: base, "content-type": "application/json" },
        body: JSON.stringify({ email: "anna@demo.test", password: "demo1234" }),
      });
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
      // The chat's own session names its conversation.
      const token = await chat.evaluate(() => localStorage.getItem("gadka:token:pk_demo_shop"));
      const session = (await (
        await fetch(`${base}/api/widget/session`, {
          method: "POST",
          headers: { origin: base, "content-type": "application/json" },
          body: JSON.stringify({ siteKey: "pk_demo_shop", token }),
        })
      ).json()) as { conversationId: string | null };
      const mine = { id: session.conversationId };
      expect(mine.id).toBeTruthy();
      await fetch(`${base}/api/sites/site_demo/conversations/${mine.id}/status`, {
        method: "POST",
        headers: { origin: base, cookie, "content-type": "application/json" },
        body: JSON.stringify({ status: "resolved" }),
      });
      await chat.locator(".rating .face").first().waitFor({ timeout: 10_000 });
      await chat.locator(".rating .face").nth(2).click();
      await chat.locator(".rating textarea").waitFor();
      await shop.screenshot({ path: `${SCREENS}/rating-${lang}-390.png` });
      expect(await seriousViolations(chat)).toEqual([]);
      await context.close();
    }
  });
});
