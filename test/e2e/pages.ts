// Page helpers for the end-to-end tests: the demo shop's widget (its iframe lives in a closed
// shadow root, so it is found through the page's frames) and the operator app.
import type { Frame, Page } from "playwright-core";

export async function openWidget(page: Page): Promise<Frame> {
  // A real click on the launcher (bottom-right corner of the viewport).
  const size = page.viewportSize()!;
  await page.mouse.click(size.width - 48, size.height - 48);
  return chatFrame(page);
}

export async function chatFrame(page: Page, timeoutMs = 10_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = page.frames().find((f) => f.url().includes("/chat/"));
    if (frame) {
      await frame.waitForSelector("textarea");
      return frame;
    }
    if (Date.now() > deadline) throw new Error("the chat iframe did not appear");
    await page.waitForTimeout(100);
  }
}

export async function sendFromWidget(chat: Frame, text: string): Promise<void> {
  await chat.fill("textarea", text);
  await chat.press("textarea", "Enter");
}

export async function signIn(page: Page, base: string, email: string, password = "demo1234"): Promise<void> {
  await page.goto(`${base}/admin/`);
  await page.fill("input[type=email]", email);
  await page.fill("input[type=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector(".inbox");
}
