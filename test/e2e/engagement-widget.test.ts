// The shop's page (issue 12) in Chromium on the demo shop against `wrangler dev`: the branding the
// owner saves reaches the launcher (position, colours, label, hidden on phones, the shop's own
// button), drawn at once from the next page on; the language (forced, setLocale); the JS API
// (show/hide, open/close/toggle, on/off events, reset to a new visitor); and the trigger engine
// started by the presence module from the beacon answer's `r`/`g` (the server half is stubbed with
// page.route until it lands), a reply starting a conversation tagged with its trigger.
import { join } from "node:path";
import type { BrowserContext, BrowserContextOptions, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { root } from "../../scripts/lib/dev-server.mjs";
import { seriousViolations } from "./axe";
import { useChromium } from "./browser";
import { appendAfterHello, type OperatorApi, operatorApi } from "./operator-api";
import { chatFrame, sendFromWidget } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();
let team: OperatorApi;

const DEFAULT_BRANDING = {
  logoUrl: null,
  textColor: "#ffffff",
  position: "right",
  offsetX: 20,
  offsetY: 20,
  label: "",
  hideOnMobile: false,
  launcher: "default",
  locale: "auto",
};
const LOGO = "https://cdn.demo-shop.example/logo.svg";
const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="34"><rect width="96" height="34" rx="6" fill="#fff"/><text x="48" y="23" font-family="sans-serif" font-size="16" font-weight="700" text-anchor="middle" fill="#0f766e">DEMO</text></svg>';
const brand = (branding: object, accentColor = "#0f766e") =>
  team.patchSettings({ accentColor, branding: { ...DEFAULT_BRANDING, ...branding } });

beforeAll(async () => {
  team = await operatorApi(base);
});
afterAll(async () => {
  await team.patchSettings({ accentColor: "#4f46e5", branding: DEFAULT_BRANDING });
});

// The launcher's shadow root is closed (the shop's scripts stay out); the tests open it.
const openShadowRoots = () => {
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init: ShadowRootInit) {
    return attach.call(this, { ...init, mode: "open" });
  };
};
const observe = () => {
  const w = window as unknown as { __shift: number; __long: number[]; __events: [string, unknown][] };
  w.__shift = 0;
  w.__long = [];
  w.__events = [];
  new PerformanceObserver((l) => {
    for (const e of l.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (!e.hadRecentInput) w.__shift += e.value;
    }
  }).observe({ type: "layout-shift", buffered: true });
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) w.__long.push(e.duration);
  }).observe({ type: "longtask", buffered: true });
};

async function shop(options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page; requests: Request[] }> {
  const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 }, ...options });
  await context.addInitScript(openShadowRoots);
  await context.addInitScript(observe);
  const page = await context.newPage();
  const requests: Request[] = [];
  context.on("request", (r) => requests.push(r));
  return { context, page, requests };
}

interface Launcher {
  left: number;
  right: number;
  bottom: number;
  display: string;
  background: string;
  color: string;
  label: string;
  name: string | null;
  title: string;
}
const launcher = (page: Page) =>
  page.evaluate((): Launcher | null => {
    const b = document.getElementById("gadka-launcher")?.shadowRoot?.querySelector("button");
    if (!b) return null;
    const r = b.getBoundingClientRect();
    const s = getComputedStyle(b);
    return {
      left: Math.round(r.left),
      right: Math.round(innerWidth - r.right),
      bottom: Math.round(innerHeight - r.bottom),
      display: s.display,
      background: s.backgroundColor,
      color: s.color,
      label: getComputedStyle(b, "::after").content,
      name: b.getAttribute("aria-label"),
      title: b.title,
    };
  });
/** The presence module has run (it names the launcher in the visitor's language). */
const presenceReady = (page: Page) => page.waitForFunction(() => (window as unknown as { __gadka?: { c?: unknown } }).__gadka?.c);
const gadka = (page: Page, ...args: unknown[]) =>
  page.evaluate((a) => (window as unknown as { Gadka: (...x: unknown[]) => void }).Gadka(...a), args);
const chatLang = async (page: Page) => (await chatFrame(page)).evaluate(() => document.documentElement.lang);

describe("branding on the shop's page", () => {
  it("applies position, colours, label and forced language, and draws them at once on the next page (no shift)", async () => {
    await brand({ position: "left", offsetX: 40, offsetY: 32, label: "Chat with us", locale: "pl", logoUrl: LOGO });
    const { context, page } = await shop({ locale: "en-GB" });
    await context.route(LOGO, (r) => r.fulfill({ contentType: "image/svg+xml", body: LOGO_SVG }));
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    // A brand-new visitor: the default launcher until the view's answer brings the branding.
    await expect.poll(() => launcher(page).then((l) => l?.left), { timeout: 10_000 }).toBe(40);
    // The next page draws the branded launcher from storage before the presence module runs.
    // Without the presence module at all (blocked), the loader alone draws it from storage.
    await context.route(`${base}/presence.js`, (r) => r.abort());
    await page.goto(`${base}/demo/grinder.html`, { waitUntil: "load" });
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => Boolean((window as unknown as { __gadka?: { c?: unknown } }).__gadka?.c))).toBe(false);
    expect(await launcher(page)).toMatchObject({
      left: 40,
      bottom: 32,
      background: "rgb(15, 118, 110)",
      color: "rgb(255, 255, 255)",
      label: '"Chat with us"',
    });
    await context.unroute(`${base}/presence.js`);
    await page.goto(`${base}/demo/kettle.html`, { waitUntil: "load" });
    await presenceReady(page);
    const named = await launcher(page);
    // The visible label is its accessible name; the chat panel's name is in the forced language.
    expect(named).toMatchObject({ name: "Chat with us", title: "Czat" });
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as { __shift: number }).__shift), "layout shift").toBe(0);
    expect(
      (await page.evaluate(() => (window as unknown as { __long: number[] }).__long)).filter((d) => d >= 50),
      "long tasks",
    ).toEqual([]);
    // The forced language reaches the chat, and the panel opens on the launcher's side.
    await page.mouse.click(40 + 30, 900 - 32 - 28);
    expect(await chatLang(page)).toBe("pl");
    const panel = await page.evaluate(() => {
      const f = document.getElementById("gadka-launcher")!.shadowRoot!.querySelector("iframe")!.getBoundingClientRect();
      return { left: Math.round(f.left), bottom: Math.round(innerHeight - f.bottom) };
    });
    expect(panel).toEqual({ left: 40, bottom: 32 + 68 });
    // The chat header shows the shop's logo.
    const chat = await chatFrame(page);
    await chat.waitForSelector(`header img.logo[src="${LOGO}"]`);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(root, "test-results/engagement-branding-1440-pl.png") });
    await context.close();
  });

  it("hides the launcher on phones when the shop asks, and on a desktop keeps it", async () => {
    await brand({ hideOnMobile: true });
    const phone = await shop({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "fi-FI" });
    await phone.page.goto(`${base}/demo/`, { waitUntil: "load" });
    await presenceReady(phone.page);
    await expect.poll(() => launcher(phone.page).then((l) => l?.display), { timeout: 10_000 }).toBe("none");
    // The chat still opens from the shop's code, full screen, in the browser's language.
    await gadka(phone.page, "open");
    expect(await chatLang(phone.page)).toBe("fi");
    await (await chatFrame(phone.page)).waitForSelector("text=Demo Shop");
    await phone.page.screenshot({ path: join(root, "test-results/engagement-phone-390-fi.png") });
    await phone.context.close();
    const desk = await shop();
    await desk.page.goto(`${base}/demo/`, { waitUntil: "load" });
    await presenceReady(desk.page);
    await expect.poll(() => launcher(desk.page).then((l) => l?.display), { timeout: 10_000 }).toBe("flex");
    await desk.context.close();
  });

  it("own-button mode: no launcher; an element with data-gadka-open opens the chat", async () => {
    await brand({ launcher: "hidden" });
    const { context, page } = await shop({ locale: "ru-RU" });
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await presenceReady(page);
    await expect.poll(() => launcher(page).then((l) => l?.display), { timeout: 10_000 }).toBe("none");
    await page.evaluate(() => {
      const b = document.createElement("button");
      b.dataset.gadkaOpen = "";
      b.id = "shop-chat";
      b.innerHTML = "<span>Напишите нам</span>";
      document.querySelector("main")!.prepend(b);
    });
    await page.click("#shop-chat span");
    expect(await chatLang(page)).toBe("ru");
    await context.close();
  });
});

describe("the JS API", () => {
  beforeAll(() => brand({}, "#4f46e5"));

  it("setLocale switches the launcher and the chat without a page reload", async () => {
    const { context, page } = await shop({ locale: "en-US" });
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await presenceReady(page);
    expect((await launcher(page))?.name).toBe("Open chat");
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await gadka(page, "setLocale", "fi");
    expect((await launcher(page))?.name).toBe("Avaa chat");
    await gadka(page, "open");
    expect(await chatLang(page)).toBe("fi");
    await gadka(page, "setLocale", "ru");
    expect((await launcher(page))?.name).toBe("Открыть чат");
    await expect
      .poll(
        () =>
          page
            .frames()
            .find((f) => f.url().includes("/chat/"))
            ?.url(),
        { timeout: 10_000 },
      )
      .toContain("lang=ru");
    expect(await chatLang(page)).toBe("ru");
    // An unknown language falls back to the browser's.
    await gadka(page, "setLocale", "de");
    expect((await launcher(page))?.name).toBe("Open chat");
    // Same page all along.
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
    await page.screenshot({ path: join(root, "test-results/engagement-setlocale-1440-en.png") });
    await context.close();
  });

  it("show/hide, open/close/toggle and on/off events (open, close, conversation:started, message)", async () => {
    const { context, page } = await shop();
    await appendAfterHello(context, /\/ws\/visitor\//, (seq, blank) => [
      { ...blank, seq, kind: "text", role: "operator", authorName: "Anna", text: "Hi, how can I help?", clientId: "op-js-api-1" },
    ]);
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await page.evaluate(() => {
      const w = window as unknown as { __events: [string, unknown][]; Gadka: (...a: unknown[]) => void; __off: () => void };
      for (const name of ["open", "close", "conversation:started", "message", "unread"]) {
        const fn = (d: unknown) => w.__events.push([name, d]);
        w.Gadka("on", name, fn);
        if (name === "unread") w.__off = () => w.Gadka("off", name, fn);
      }
    });
    const events = () => page.evaluate(() => (window as unknown as { __events: [string, unknown][] }).__events.map((e) => e[0]));
    await gadka(page, "hide");
    expect((await launcher(page))?.display).toBe("none");
    await gadka(page, "show");
    expect((await launcher(page))?.display).not.toBe("none");
    await gadka(page, "toggle");
    await gadka(page, "toggle");
    await gadka(page, "open");
    expect((await events()).filter((e) => e === "open" || e === "close")).toEqual(["open", "close", "open"]);
    await presenceReady(page);
    await page.evaluate(() => (window as unknown as { __off: () => void }).__off());
    const unreadBefore = (await events()).filter((e) => e === "unread").length;
    const chat = await chatFrame(page);
    await sendFromWidget(chat, "Hello from the JS API test");
    await expect.poll(events, { timeout: 10_000 }).toContain("conversation:started");
    const started = await page.evaluate(
      () =>
        (window as unknown as { __events: [string, { conversationId?: string }][] }).__events.find(
          (e) => e[0] === "conversation:started",
        )![1],
    );
    expect(started.conversationId).toMatch(/\w+/);
    // An operator's reply (fed into the real socket after its hello): the page hears `message`,
    // from whom, not the text.
    await expect.poll(events, { timeout: 10_000 }).toContain("message");
    const message = await page.evaluate(
      () => (window as unknown as { __events: [string, unknown][] }).__events.find((e) => e[0] === "message")![1],
    );
    expect(message).toEqual({ role: "operator" });
    // `off` removed the unread listener: no unread events after it.
    expect((await events()).filter((e) => e === "unread").length).toBe(unreadBefore);
    await context.close();
  });

  it("reset: a new visitor, and the old conversation is not shown in this browser", async () => {
    const { context, page } = await shop();
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await presenceReady(page);
    await gadka(page, "open");
    const chat = await chatFrame(page);
    await sendFromWidget(chat, "A private question before logout");
    await chat.waitForSelector("text=A private question before logout");
    const token = () => page.evaluate(() => localStorage.getItem("gadka:track:pk_demo_shop"));
    await expect.poll(token).toBeTruthy();
    const before = await token();
    // The shop's logout page (the chat not loaded there) calls reset.
    await gadka(page, "close");
    await page.goto(`${base}/demo/cart.html`, { waitUntil: "load" });
    await presenceReady(page);
    await gadka(page, "reset");
    // The new page view's answer names a new visitor.
    await expect.poll(async () => ((await token()) ?? before) !== before, { timeout: 10_000 }).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem("gadka:open:pk_demo_shop"))).toBeNull();
    // On the next page too the chat is a new visitor's: the old message is not there.
    await page.goto(`${base}/demo/kettle.html`, { waitUntil: "load" });
    await gadka(page, "open");
    const fresh = await chatFrame(page);
    await fresh.waitForTimeout(800);
    expect(await fresh.locator("text=A private question before logout").count()).toBe(0);
    await context.close();
  });
});

describe("triggers started by the presence module (server half stubbed with page.route)", () => {
  const rule = (i: string, over: object = {}) => ({
    i,
    s: "salt",
    h: 0,
    f: 0,
    w: [["t", 2]],
    a: { n: "Anna", m: "Hi! Looking for a grinder? I can help you choose.", o: { k: "c", c: "KAWA10", d: "10% off today" } },
    ...over,
  });

  /** Stubs the contract: answers carry `r`/`g`, the rule set by version, trigger beacons recorded. */
  async function withTriggers(context: BrowserContext, rules: object[]) {
    const beacons: { e: string; t: string; x?: string }[] = [];
    const ruleRequests: string[] = [];
    const starts: Record<string, unknown>[] = [];
    await context.route(`${base}/api/track`, async (route) => {
      const body = JSON.parse(route.request().postData() ?? "{}") as { e: string; d?: { e: string; t: string } };
      if (body.e === "trigger") {
        beacons.push(body.d!);
        return route.fulfill({ json: {}, headers: { "access-control-allow-origin": "*" } });
      }
      const response = await route.fetch();
      const json = (await response.json()) as Record<string, unknown>;
      await route.fulfill({
        response,
        json: { ...json, r: "v7", g: { id: "v_stub_visitor", q: rules.map((r) => (r as { i: string }).i), o: 1, h: 1 } },
      });
    });
    await context.route(`${base}/api/widget/triggers/**`, (route) => {
      ruleRequests.push(route.request().url());
      return route.fulfill({ json: { v: 1, c: [1, 2], r: rules }, headers: { "cache-control": "public, max-age=31536000, immutable" } });
    });
    await context.route(`${base}/api/widget/conversations`, (route) => {
      starts.push(JSON.parse(route.request().postData() ?? "{}"));
      return route.continue();
    });
    return { beacons, ruleRequests, starts };
  }

  it("a site without triggers loads no trigger code", async () => {
    const { context, page, requests } = await shop();
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await presenceReady(page);
    await page.waitForTimeout(2500);
    expect(requests.map((r) => new URL(r.url()).pathname).filter((p) => /triggers|teaser/.test(p))).toEqual([]);
    await context.close();
  });

  it("a dwell trigger shows, its reply opens the chat with its message and the conversation carries the trigger", async () => {
    const { context, page, requests } = await shop({ locale: "pl-PL" });
    const stub = await withTriggers(context, [rule("trg_dwell")]);
    await page.goto(`${base}/demo/grinder.html`, { waitUntil: "load" });
    await page.evaluate(() => {
      const w = window as unknown as { __events: [string, unknown][]; Gadka: (...a: unknown[]) => void };
      for (const name of ["trigger:shown", "trigger:clicked", "conversation:started"])
        w.Gadka("on", name, (d: unknown) => w.__events.push([name, d]));
    });
    const reply = page.locator("#gadka-launcher button.r");
    await reply.waitFor({ timeout: 15_000 });
    expect(stub.ruleRequests).toEqual([`${base}/api/widget/triggers/pk_demo_shop?v=v7`]);
    await expect.poll(() => stub.beacons).toEqual([{ e: "shown", t: "trg_dwell" }]);
    expect(requests.some((r) => r.url().endsWith("/teaser.js"))).toBe(true);
    await page.screenshot({ path: join(root, "test-results/engagement-teaser-1440-pl.png") });
    await reply.click();
    const chat = await chatFrame(page);
    await chat.waitForSelector("text=Hi! Looking for a grinder? I can help you choose.");
    await sendFromWidget(chat, "Tak, szukam młynka");
    await expect.poll(() => stub.starts.length, { timeout: 10_000 }).toBe(1);
    expect(stub.starts[0]).toMatchObject({ trigger: "trg_dwell" });
    const read = () => page.evaluate(() => (window as unknown as { __events: [string, unknown][] }).__events);
    await expect
      .poll(async () => (await read()).map((e) => e[0]), { timeout: 10_000 })
      .toEqual(["trigger:shown", "trigger:clicked", "conversation:started"]);
    const events = await read();
    expect(events[2]![1]).toMatchObject({ trigger: "trg_dwell" });
    expect(events[1]![1]).toEqual({ id: "trg_dwell", target: "reply" });
    expect(stub.beacons.map((b) => b.e)).toEqual(["shown", "clicked"]);
    await context.close();
  });

  it("a held-out (control) visitor never loads the teaser, and the control event is sent", async () => {
    const { context, page, requests } = await shop();
    const stub = await withTriggers(context, [rule("trg_control", { h: 1 })]);
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await expect.poll(() => stub.beacons, { timeout: 15_000 }).toEqual([{ e: "control", t: "trg_control" }]);
    await page.waitForTimeout(1000);
    expect(requests.some((r) => r.url().endsWith("/triggers.js"))).toBe(true);
    expect(requests.some((r) => r.url().endsWith("/teaser.js"))).toBe(false);
    expect(await page.locator("#gadka-launcher button.r").count()).toBe(0);
    // The next page of the same version costs no rule-set request (kept in localStorage).
    await page.goto(`${base}/demo/kettle.html`, { waitUntil: "load" });
    await presenceReady(page);
    await page.waitForTimeout(1500);
    expect(stub.ruleRequests).toHaveLength(1);
    await context.close();
  });
});
