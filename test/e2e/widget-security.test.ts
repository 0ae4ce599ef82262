// Issue 9's access defects as a browser meets them: the admin and the chat page carry their
// security headers and a script CSP the built pages satisfy (no violation while they run); a
// script on the shop page that reads the tracking token cannot open the visitor's conversation;
// and when a visitor is erased, their open chat stops (no reconnect loop) and starts afresh.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { root } from "../../scripts/lib/dev-server.mjs";
import { useChromium } from "./browser";
import { openWidget, sendFromWidget, signIn } from "./pages";

const base = inject("baseUrl");
const chromium = useChromium();

/** Collects the page's (and its frames') CSP violations as the console reports them. */
function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|frame)/i.test(m.text())) seen.push(m.text());
  });
  return seen;
}

describe("headers", () => {
  it("give the admin (Worker and Pages) and the chat page their security headers", async () => {
    const admin = await fetch(`${base}/admin/`);
    expect(admin.headers.get("x-frame-options")).toBe("DENY");
    expect(admin.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(admin.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // The Pages project deploys dist/public/admin: its own _headers lies inside that folder…
    const pages = readFileSync(join(root, "dist/public/admin/_headers"), "utf8");
    expect(pages.startsWith("/*\n")).toBe(true);
    expect(pages).toContain("X-Frame-Options: DENY");
    expect(pages).toContain("script-src 'self'");
    // …and is not one of the Worker's files.
    expect((await fetch(`${base}/admin/_headers`)).status).toBe(404);

    const chat = await fetch(`${base}/chat/?site=pk_demo_shop&host=x`);
    expect(chat.status).toBe(200);
    const csp = chat.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/frame-ancestors 'self' http:\/\/localhost:8787 http:\/\/127\.0\.0\.1:8787/);
  });

  it("are satisfied by the built pages: no CSP violation in the admin or the chat", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1440, height: 900 } });
    const admin = await context.newPage();
    const adminViolations = cspViolations(admin);
    await signIn(admin, base, "anna@demo.test");
    const shop = await context.newPage();
    const shopViolations = cspViolations(shop);
    await shop.goto(`${base}/demo/`);
    const chat = await openWidget(shop);
    await chat.waitForSelector("textarea");
    expect(adminViolations).toEqual([]);
    expect(shopViolations).toEqual([]);
    await context.close();
  });
});

describe("the shop page's tokens", () => {
  it("cannot open the visitor's conversation, and an erased visitor's chat starts afresh without reconnecting forever", async () => {
    const visitorContext = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const shop = await visitorContext.newPage();
    const sockets: string[] = [];
    shop.on("websocket", (ws) => sockets.push(ws.url()));
    await shop.goto(`${base}/demo/`);
    const chat = await openWidget(shop);
    const secret = `my order number is ${Date.now()}`;
    await sendFromWidget(chat, secret);
    await chat.locator(".meta", { hasText: /Sent|Seen/ }).waitFor();
    const { visitorId, conversationId } = await chat.evaluate(async () => {
      const r = await fetch("/api/widget/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ siteKey: "pk_demo_shop", token: localStorage.getItem("gadka:token:pk_demo_shop") }),
      });
      return (await r.json()) as { visitorId: string; conversationId: string };
    });

    // A script on the shop's page has the tracking token (its localStorage) and asks for a chat session.
    const stolen = await shop.evaluate(async () => {
      const track = localStorage.getItem("gadka:track:pk_demo_shop");
      const r = await fetch("/api/widget/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ siteKey: "pk_demo_shop", track }),
      });
      return (await r.json()) as { visitorId: string; conversationId: string | null };
    });
    expect(stolen.visitorId).not.toBe(visitorId);
    expect(stolen.conversationId).toBeNull();

    // The shop owner erases the visitor; their open chat is told (4404) and stops knocking.
    const toConversation = () => sockets.filter((u) => u.includes(conversationId)).length;
    const before = toConversation();
    expect(before).toBeGreaterThan(0);
    const operatorContext = await chromium.browser.newContext();
    const admin = await operatorContext.newPage();
    await signIn(admin, base, "anna@demo.test");
    const erased = await admin.evaluate(
      async (id) => (await fetch(`/api/sites/site_demo/visitors/${id}`, { method: "DELETE" })).status,
      visitorId,
    );
    expect(erased).toBe(200);
    await chat.locator(".bubble", { hasText: secret }).waitFor({ state: "detached", timeout: 10_000 });
    await shop.waitForTimeout(4000);
    expect(toConversation()).toBe(before);
    // The chat goes on as a new visitor: writing starts a new conversation.
    await sendFromWidget(chat, "hello again");
    await chat.locator(".meta", { hasText: /Sent|Seen/ }).waitFor({ timeout: 10_000 });
    await visitorContext.close();
    await operatorContext.close();
  });
});
