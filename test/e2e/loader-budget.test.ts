// What the loader costs a shop page, measured in Chromium on the demo shop: no long task, no
// layout shift, no iframe and no socket before the visitor shows intent. Prints the main-thread
// time of the loader and of the presence module it loads when idle (a report, not a timed assertion).
import { describe, expect, inject, it } from "vitest";
import { useChromium } from "./browser";
import { openWidget } from "./pages";

const base = inject("baseUrl");

const chromium = useChromium();

interface PageObservations {
  longTasks: number[];
  layoutShift: number;
}

describe("loader on the demo shop", () => {
  it("adds no long task, no layout shift, and opens no iframe or socket before intent", async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    const sockets: string[] = [];
    const requests: string[] = [];
    page.on("websocket", (ws) => sockets.push(ws.url()));
    page.on("request", (r) => requests.push(new URL(r.url()).pathname));
    await page.addInitScript(() => {
      const obs: PageObservations = { longTasks: [], layoutShift: 0 };
      (window as unknown as { __obs: PageObservations }).__obs = obs;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) obs.longTasks.push(e.duration);
      }).observe({ type: "longtask", buffered: true });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
          if (!e.hadRecentInput) obs.layoutShift += e.value;
        }
      }).observe({ type: "layout-shift", buffered: true });
    });

    await chromium.browser.startTracing(page, { categories: ["devtools.timeline", "v8"] });
    await page.goto(`${base}/demo/`, { waitUntil: "load" });
    await page.waitForTimeout(1500); // idle time, when a careless loader would start work
    const trace = JSON.parse((await chromium.browser.stopTracing()).toString("utf8")) as {
      traceEvents: { name: string; dur?: number; args?: { data?: { url?: string } } }[];
    };

    const obs = await page.evaluate(() => (window as unknown as { __obs: PageObservations }).__obs);
    // Long tasks are attributed through the trace: every piece of main-thread work that ran the
    // loader's code (its evaluation, timers, event handlers) must stay under 50 ms. The page's
    // own long tasks (a busy CI machine parsing the shop) are reported, not blamed on Gadka.
    const tasksOf = (file: string) =>
      trace.traceEvents.filter(
        (e) => ["EvaluateScript", "v8.compile", "FunctionCall", "TimerFire"].includes(e.name) && e.args?.data?.url?.endsWith(file),
      );
    const loaderTasks = tasksOf("/widget.js");
    // The presence module (page views, pings) arrives once the page is idle; it is held to the same rule.
    const presenceTasks = tasksOf("/presence.js");
    expect(loaderTasks.length).toBeGreaterThan(0);
    expect(presenceTasks.length).toBeGreaterThan(0);
    expect(Math.max(...loaderTasks.map((e) => (e.dur ?? 0) / 1000)), "longest loader task, ms").toBeLessThan(50);
    expect(Math.max(...presenceTasks.map((e) => (e.dur ?? 0) / 1000)), "longest presence-module task, ms").toBeLessThan(50);
    console.log(`page long tasks (any cause): ${JSON.stringify(obs.longTasks.map(Math.round))}`);
    expect(obs.layoutShift, "cumulative layout shift").toBe(0);
    expect(page.frames()).toHaveLength(1);
    expect(sockets).toEqual([]);
    expect(requests.filter((p) => p.startsWith("/chat/"))).toEqual([]);
    expect(requests).toContain("/widget.js");
    expect(requests).toContain("/presence.js");
    // The page view was recorded, after the page had loaded.
    expect(requests).toContain("/api/track");
    // The launcher is on the page.
    expect(await page.evaluate(() => document.querySelectorAll("body > *").length)).toBeGreaterThan(0);

    const loaderMicros = loaderTasks.reduce((sum, e) => sum + (e.dur ?? 0), 0);
    const presenceMicros = presenceTasks.reduce((sum, e) => sum + (e.dur ?? 0), 0);
    console.log(`loader main-thread time (compile + evaluate + handlers): ${(loaderMicros / 1000).toFixed(2)} ms`);
    console.log(`presence module main-thread time (after idle): ${(presenceMicros / 1000).toFixed(2)} ms`);
    await context.close();
  });

  it("names the launcher and the chat panel for screen readers in the visitor's language", async () => {
    const cases: [locale: string, button: string, title: string][] = [
      ["pl-PL", "Otwórz czat", "Czat"],
      ["ru-RU", "Открыть чат", "Чат"],
      ["en-GB", "Open chat", "Chat"],
    ];
    for (const [locale, button, title] of cases) {
      const context = await chromium.browser.newContext({ locale });
      const page = await context.newPage();
      // The widget lives in a closed shadow root: read what a screen reader reads, the page's
      // accessibility tree, through the DevTools protocol.
      const cdp = await context.newCDPSession(page);
      const named = async () => {
        const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
          nodes: { role?: { value: string }; name?: { value: string } }[];
        };
        return nodes.map((n) => `${n.role?.value}:${n.name?.value ?? ""}`);
      };
      await page.goto(`${base}/demo/`, { waitUntil: "load" });
      // The presence module (loaded when the page is idle) names it; the loader's own is "Chat".
      await expect.poll(named, { timeout: 10_000 }).toContain(`button:${button}`);
      await openWidget(page);
      await expect.poll(named, { timeout: 10_000 }).toContain(`Iframe:${title}`);
      await context.close();
    }
  });
});
