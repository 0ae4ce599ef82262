// The admin's screens for when nobody is there (issue 11), in real Chromium against
// `wrangler dev`: the owner edits business hours (several ranges a day, midnight as an end, an
// exception date, the time zone, the mode), an overlap is refused in words before anything is
// sent, and the saved hours come back from the settings API and after a reload; an agent sees
// them read-only; the email settings save and reload; the operator's alert-email choice goes to
// PATCH /api/me; the Sent mail page is in the rail exactly when the deployment keeps the list, and
// shows a mail's HTML only in a permission-less sandboxed iframe; a visitor's email is on the
// conversation's details; axe finds nothing serious. With E2E_SHOTS=<dir>, screenshots at 1440
// and 390 px in English and Polish are saved there.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_BUSINESS_HOURS, type SentMail, type SiteSettingsResponse } from "../../protocol";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { appendAfterHello, type OperatorApi, operatorApi } from "./operator-api";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const shots = process.env.E2E_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const chromium = useChromium();

async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage });
}

let owner: OperatorApi;
const settings = () => owner.json<SiteSettingsResponse>("/api/sites/site_demo/settings");
const patchSettings = (body: object) => owner.patchSettings(body);
const EMAIL_DEFAULTS = {
  noAnswerMinutes: 3,
  askEmailAfterSeconds: 60,
  followUpMinutes: 10,
  transcriptOnResolve: false,
  operatorAlertMinutes: 5,
};

async function adminPage(locale: string, width: number, email = "anna@demo.test") {
  const context = await chromium.browser.newContext({ viewport: { width, height: 900 }, locale, bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, email);
  return { context, page };
}

describe("admin: hours, email settings, sent mail", () => {
  beforeAll(async () => {
    owner = await operatorApi(base);
    await patchSettings({ businessHours: DEFAULT_BUSINESS_HOURS, ...EMAIL_DEFAULTS });
  });
  afterAll(async () => {
    await patchSettings({ businessHours: DEFAULT_BUSINESS_HOURS, ...EMAIL_DEFAULTS });
  });

  it("the owner's hours editor saves ranges, midnight, an exception and the zone, refuses an overlap, and reloads them", async () => {
    const { context, page } = await adminPage("en-US", 1440);
    await page.locator(".rail-nav a", { hasText: "Hours & email" }).click();
    const form = page.locator("form.hours");
    await form.waitFor({ timeout: 10_000 });
    await shot(page, "admin-hours-default-en-US-1440");

    await form.locator("label", { hasText: "During business hours" }).locator("input").check();
    await form.locator("select").selectOption("Europe/Helsinki");
    const day = (d: string) => form.locator(`[data-day=${d}]`);
    // Monday: 09:00–12:00 and 13:00–19:00.
    await day("mon").locator("button", { hasText: "Add hours" }).click();
    await day("mon").locator("button", { hasText: "Add hours" }).click();
    const mon = day("mon").locator("input[type=time]");
    await mon.nth(1).fill("12:00");
    await mon.nth(2).fill("13:00");
    await mon.nth(3).fill("19:00");
    // Saturday: 18:00 until midnight (an end of 00:00).
    await day("sat").locator("button", { hasText: "Add hours" }).click();
    await day("sat").locator("input[type=time]").nth(0).fill("18:00");
    await day("sat").locator("input[type=time]").nth(1).fill("00:00");
    // Tuesday overlaps: refused in words, and nothing is sent.
    await day("tue").locator("button", { hasText: "Add hours" }).click();
    await day("tue").locator("button", { hasText: "Add hours" }).click();
    await day("tue").locator("input[type=time]").nth(2).fill("16:00");
    await day("tue").locator(".range-problem", { hasText: "Ranges on one day must not overlap." }).waitFor();
    let patches = 0;
    page.on("request", (r) => r.method() === "PATCH" && r.url().includes("/settings") && patches++);
    await form.locator("button[type=submit]").click();
    await form.locator("p.error[role=alert]", { hasText: "Fix the marked hours first." }).waitFor();
    expect(patches).toBe(0);
    await day("tue").locator("button[aria-label^='Remove']").nth(1).click();
    await day("tue").locator("button[aria-label^='Remove']").first().click();
    // An exception: closed on Christmas Eve.
    await form.locator("button", { hasText: "Add a date" }).click();
    await form.locator(".exception-row input[type=date]").fill("2026-12-24");
    await form.locator(".exception-row input[type=text]").fill("Christmas Eve");
    await form.locator("button[type=submit]").click();
    await form.locator("p.ok[role=status]", { hasText: "Saved." }).waitFor({ timeout: 10_000 });
    await shot(page, "admin-hours-en-US-1440");

    const expected = {
      timeZone: "Europe/Helsinki",
      mode: "hours",
      weekly: {
        mon: [
          { start: "09:00", end: "12:00" },
          { start: "13:00", end: "19:00" },
        ],
        tue: [],
        wed: [],
        thu: [],
        fri: [],
        sat: [{ start: "18:00", end: "24:00" }],
        sun: [],
      },
      exceptions: [{ date: "2026-12-24", ranges: [], label: "Christmas Eve" }],
    };
    expect((await settings()).businessHours).toEqual(expected);

    await page.reload();
    await form.waitFor({ timeout: 10_000 });
    expect(await form.locator("select").inputValue()).toBe("Europe/Helsinki");
    expect(await form.locator("label", { hasText: "During business hours" }).locator("input").isChecked()).toBe(true);
    expect(
      await day("mon")
        .locator("input[type=time]")
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual(["09:00", "12:00", "13:00", "19:00"]);
    expect(await day("sat").locator("input[type=time]").nth(1).inputValue()).toBe("00:00");
    expect(await day("sun").textContent()).toContain("Closed");
    expect(await form.locator(".exception-row input[type=text]").inputValue()).toBe("Christmas Eve");
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("shows the hours and email settings in Polish at phone width, and read-only to an agent", async () => {
    for (const [locale, width] of [
      ["pl-PL", 390],
      ["pl-PL", 1440],
      ["en-US", 390],
    ] as const) {
      const { context, page } = await adminPage(locale, width);
      await page.goto(`${base}/admin/#/hours`);
      await page.locator("form.hours").waitFor({ timeout: 10_000 });
      if (locale === "pl-PL") expect(await page.locator("#hours-title").textContent()).toBe("Godziny pracy");
      await shot(page, `admin-hours-${locale}-${width}`);
      await page.locator("form.email-settings").scrollIntoViewIfNeeded();
      await shot(page, `admin-email-settings-${locale}-${width}`, false);
      if (width === 390) expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
    // piotr is an agent: no rail link, and the forms cannot be changed.
    const { context, page } = await adminPage("en-US", 1440, "piotr@demo.test");
    expect(await page.locator(".rail-nav a", { hasText: "Hours & email" }).count()).toBe(0);
    await page.goto(`${base}/admin/#/hours`);
    await page.locator("form.hours").waitFor({ timeout: 10_000 });
    expect(await page.locator("form.hours > fieldset").getAttribute("disabled")).not.toBeNull();
    expect(await page.locator("form.hours select").isDisabled()).toBe(true);
    expect(await page.locator("form.email-settings > fieldset").getAttribute("disabled")).not.toBeNull();
    expect(await page.locator("form.email-settings input").first().isDisabled()).toBe(true);
    await context.close();
  });

  it("email settings save and reload", async () => {
    const { context, page } = await adminPage("en-US", 1440);
    await page.goto(`${base}/admin/#/hours`);
    const form = page.locator("form.email-settings");
    await form.waitFor({ timeout: 10_000 });
    const field = (label: string) => form.locator("label", { hasText: label }).locator("input");
    await field("Tell the visitor nobody has answered").fill("7");
    await field("Ask after (seconds without an answer)").fill("45");
    await field("Email the visitor a transcript").check();
    await field("Email an operator who is not online").fill("15");
    await form.locator("button[type=submit]").click();
    await form.locator("p.ok", { hasText: "Saved." }).waitFor({ timeout: 10_000 });
    expect(await settings()).toMatchObject({
      noAnswerMinutes: 7,
      askEmailAfterSeconds: 45,
      followUpMinutes: 10,
      transcriptOnResolve: true,
      operatorAlertMinutes: 15,
    });
    await page.reload();
    await form.waitFor({ timeout: 10_000 });
    expect(await field("Tell the visitor nobody has answered").inputValue()).toBe("7");
    expect(await field("Ask after (seconds without an answer)").inputValue()).toBe("45");
    expect(await field("Email the visitor a transcript").isChecked()).toBe(true);
    // "Only when away or closed" sends askEmailAfterSeconds: null, and the server keeps the null.
    await field("While online, ask for an email").uncheck();
    await form.locator("p", { hasText: "only when you are away or closed" }).waitFor();
    const request = page.waitForRequest((r) => r.method() === "PATCH" && r.url().endsWith("/settings"));
    const answered = page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().endsWith("/settings"));
    await form.locator("button[type=submit]").click();
    expect((await request).postDataJSON()).toMatchObject({ askEmailAfterSeconds: null });
    expect((await answered).status()).toBe(200);
    expect((await settings()).askEmailAfterSeconds).toBeNull();
    await page.reload();
    await form.waitFor({ timeout: 10_000 });
    expect(await field("While online, ask for an email").isChecked()).toBe(false);

    // The site settings form no longer sends the owner-only hours or these fields.
    await page.goto(`${base}/admin/#/settings`);
    await page.locator("form.settings fieldset").first().waitFor({ timeout: 10_000 });
    const saved = page.waitForRequest((r) => r.method() === "PATCH" && r.url().endsWith("/settings"));
    await page.locator("form.settings button[type=submit]").first().click();
    const sent = Object.keys((await saved).postDataJSON() as object);
    expect(sent).not.toContain("businessHours");
    expect(sent).not.toContain("noAnswerMinutes");
    await context.close();
  });

  // json_patch alone deleted a key whose value is null, so this read back as 60 (fixed in
  // worker/db/sites.ts; test/worker/settings.test.ts has the workerd regression test).
  it("askEmailAfterSeconds null ('only when away or closed') survives a save", async () => {
    await patchSettings({ askEmailAfterSeconds: null });
    expect((await settings()).askEmailAfterSeconds).toBeNull();
    await patchSettings({ noAnswerMinutes: 4 });
    expect((await settings()).askEmailAfterSeconds).toBeNull();
    await patchSettings(EMAIL_DEFAULTS);
  });

  it("the profile's alert-email choice goes to PATCH /api/me", async () => {
    const { context, page } = await adminPage("en-US", 1440);
    await page.locator(".profile-button").click();
    await page.locator(".profile-panel button", { hasText: "My profile" }).click();
    const box = page.locator(".modal.profile label", { hasText: "Email me when a visitor waits" }).locator("input");
    await box.waitFor();
    // The box shows the server's choice (alert emails are opt-in: off until the operator chooses).
    const me = async () => (await owner.json<{ operator: { alertEmails?: boolean } }>("/api/me")).operator.alertEmails ?? false;
    const before = await me();
    expect(await box.isChecked()).toBe(before);
    const request = page.waitForRequest((r) => r.method() === "PATCH" && r.url().endsWith("/api/me"));
    await box.setChecked(!before);
    expect((await request).postDataJSON()).toEqual({ alertEmails: !before });
    await page.locator(".modal.profile p[role=status], .modal.profile p[role=alert]").waitFor();
    await expect.poll(me).toBe(!before);
    await shot(page, "admin-profile-alerts-en-US-1440", false);
    // Back as it was, for the next tests.
    const restored = page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().endsWith("/api/me"));
    await box.setChecked(before);
    expect((await restored).status()).toBe(200);
    await context.close();
  });

  it("Sent mail: in the rail exactly when the deployment keeps the list", async () => {
    const listed = (await owner.fetch("/api/sites/site_demo/sent-mail")).status;
    const { context, page } = await adminPage("en-US", 1440);
    await page.locator(".rail-nav a", { hasText: "Settings" }).waitFor();
    await page.waitForTimeout(500);
    expect(await page.locator(".rail-nav a", { hasText: "Sent mail" }).count()).toBe(listed === 200 ? 1 : 0);
    await context.close();
  });

  it("Sent mail shows a mail's HTML only in a sandboxed srcdoc iframe: its scripts never run", async () => {
    // Fed in: the list as the contract (protocol/offline.ts) gives it, with a hostile HTML body,
    // which the Worker cannot be made to send (it escapes everything it puts in a mail). The real
    // list with a real follow-up is checked in offline-flow.test.ts.
    const hostile = `<p>Hello <b>Ewa</b></p><script>parent.document.title = "pwned"; top.location = "https://evil.example/";</script><img src="x" onerror="parent.document.title='pwned'">`;
    const mails: SentMail[] = [
      {
        id: "m2",
        kind: "follow_up",
        to: "ewa@example.com",
        subject: "Demo Shop replied to your message",
        text: "Anna (Demo Shop): Yes, we deliver to Tampere.\n\nReply to this email to continue.",
        html: hostile,
        replyTo: "c.abc123.sig@reply.gadka.example",
        conversationId: "conv_e2e",
        messageId: "<m2@gadka>",
        sentAt: Date.now() - 60_000,
      },
      {
        id: "m1",
        kind: "transcript",
        to: "jan@example.com",
        subject: "Your conversation with Demo Shop",
        text: "You: Hello\nAnna: Hi!",
        html: "<p>You: Hello</p><p>Anna: Hi!</p>",
        replyTo: null,
        conversationId: null,
        messageId: null,
        sentAt: Date.now() - 3_600_000,
      },
    ];
    for (const [locale, width] of [
      ["en-US", 1440],
      ["pl-PL", 390],
    ] as const) {
      const { context, page } = await adminPage(locale, width);
      await page.route("**/api/sites/site_demo/sent-mail*", (route) => route.fulfill({ json: { mails, nextCursor: null } }));
      const title = await page.title();
      await page.goto(`${base}/admin/#/sent-mail`);
      await page.locator(".mail-table tbody tr").nth(1).waitFor({ timeout: 10_000 });
      await shot(page, `admin-sent-mail-${locale}-${width}`);
      await page.locator(".mail-table .row-link").first().click();
      const frame = page.locator("iframe.mail-html");
      await frame.waitFor();
      expect(await frame.getAttribute("sandbox")).toBe("");
      expect(await frame.getAttribute("srcdoc")).toBe(hostile);
      expect(await page.frameLocator("iframe.mail-html").locator("b").textContent()).toBe("Ewa");
      await page.waitForTimeout(300);
      // The mail's script did not retitle the admin (the unread count in front may change meanwhile).
      const bare = (t: string) => t.replace(/^\(\d+\) /, "");
      expect(bare(await page.title())).toBe(bare(title));
      expect(page.url()).toContain("#/sent-mail");
      // The admin's own page holds no element of the mail.
      expect(await page.locator(".sent-mail b, .sent-mail script, .sent-mail img").count()).toBe(0);
      await shot(page, `admin-sent-mail-open-${locale}-${width}`);
      await page.locator(".mail-detail [role=tab]").nth(1).click();
      expect(await page.locator("pre.mail-text").textContent()).toContain("Yes, we deliver to Tampere.");
      expect(await seriousViolations(page)).toEqual([]);
      await context.close();
    }
  });

  it("notices and 'via email' in the operator's timeline: the frames protocol/models.ts defines, added to the real socket", async () => {
    const shopContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopContext.newPage();
    await shop.goto(`${base}/demo/`);
    const tag = Date.now();
    const chat = await openWidget(shop);
    await sendFromWidget(chat, `Anyone there? (${tag})`);
    await chat.locator(".row.me .meta", { hasText: "Sent" }).waitFor({ timeout: 10_000 });

    for (const [locale, width] of [
      ["en-US", 1440],
      ["pl-PL", 390],
    ] as const) {
      const context = await chromium.browser.newContext({ viewport: { width, height: 900 }, locale });
      // Fed in after the real server's hello: a real no_answer notice needs noAnswerMinutes (at
      // least 1 min) with an operator online during hours; the real email_sent note and via-email
      // reply in the operator's timeline are checked in offline-flow.test.ts.
      await appendAfterHello(context, /\/ws\/sites\/[^/]+\/conversations\//, (seq, blank) => [
        { ...blank, seq, kind: "event", role: "system", text: "", event: { type: "no_answer", afterMinutes: 3 } },
        { ...blank, seq: seq + 1, kind: "note", role: "system", text: "", event: { type: "email_captured", email: "ewa@example.com" } },
        {
          ...blank,
          seq: seq + 2,
          kind: "note",
          role: "system",
          text: "",
          event: { type: "email_sent", kind: "follow_up", to: "ewa@example.com" },
        },
        {
          ...blank,
          seq: seq + 3,
          kind: "text",
          role: "visitor",
          text: "Thanks, replying from my mailbox",
          via: "email",
          clientId: "mail-1",
        },
      ]);
      const page = await context.newPage();
      await signIn(page, base, "anna@demo.test");
      await page.locator(".tabs .tab").nth(3).click(); // All
      await page
        .locator(".rows .row", { hasText: `${tag}` })
        .first()
        .click();
      const line = (event: string) => page.locator(`.system-line[data-event=${event}]`);
      await line("no_answer").waitFor({ timeout: 10_000 });
      const en = locale === "en-US";
      expect(await line("no_answer").textContent()).toContain(
        en
          ? "Nobody answered within 3 minutes: the visitor was offered email"
          : "Nikt nie odpowiedział w ciągu 3 minut – odwiedzającemu zaproponowano e-mail",
      );
      expect(await line("email_captured").textContent()).toContain(
        en ? "The visitor left an email: ewa@example.com" : "E-mail od odwiedzającego: ewa@example.com",
      );
      expect(await line("email_sent").textContent()).toContain(
        en ? "Replies emailed to the visitor: ewa@example.com" : "Odpowiedzi wysłane e-mailem do odwiedzającego: ewa@example.com",
      );
      expect(await page.locator(".msg .via-tag").textContent()).toBe(en ? "via email" : "przez e-mail");
      await shot(page, `admin-notices-${locale}-${width}`, false);
      await context.close();
    }
    await shopContext.close();
  });

  it("a conversation shows the visitor's email and sends a transcript on request", async () => {
    const shopContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await shopContext.newPage();
    await shop.goto(`${base}/demo/`);
    const tag = Date.now();
    // The presence module sends identify with its beacon once the page is idle.
    const identified = shop.waitForResponse((r) => r.url().endsWith("/api/track") && !!r.request().postData()?.includes('"identify"'));
    await shop.evaluate((id) => {
      (window as unknown as { Gadka: (...a: unknown[]) => void }).Gadka("identify", {
        id: `e2e-${id}`,
        email: `ewa.${id}@example.com`,
        name: `Ewa ${id}`,
      });
    }, tag);
    expect((await identified).status()).toBe(200);
    const chat = await openWidget(shop);
    await sendFromWidget(chat, `Please email me the conversation (${tag})`);
    await chat.locator(".row.me .meta", { hasText: "Sent" }).waitFor({ timeout: 10_000 });

    const { context, page } = await adminPage("en-US", 1440);
    await page.locator(".tabs .tab").nth(3).click(); // All
    await page
      .locator(".rows .row", { hasText: `${tag}` })
      .first()
      .click();
    const email = page.locator("dd.visitor-email");
    await email.waitFor({ timeout: 10_000 });
    expect(await email.textContent()).toBe(`ewa.${tag}@example.com (not verified)`);
    const request = page.waitForRequest((r) => r.method() === "POST" && r.url().endsWith("/transcript"));
    await page.locator(".toolbar button", { hasText: "Send transcript" }).click();
    expect((await request).url()).toMatch(/\/api\/sites\/site_demo\/conversations\/[\w-]+\/transcript$/);
    await page.locator(".action-result").waitFor({ timeout: 10_000 });
    await shot(page, "admin-conversation-email-en-US-1440", false);
    await context.close();
    await shopContext.close();
  });
});
