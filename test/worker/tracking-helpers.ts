// Helpers for the visitor-intelligence tests: the loader's beacon as a shop page sends it
// (text/plain JSON from another origin), and small D1 readers for assertions.
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { TrackResponse } from "../../protocol";
import { ORIGIN } from "./helpers";

export const SHOP = "https://shop.example";
export const UA = {
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  chromeWin: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  ipad: "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  androidTablet: "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  firefoxMac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko/20100101 Firefox/125.0",
  edge: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
  googlebot: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};

export async function trackRaw(body: string, opts: { ua?: string; cf?: Record<string, unknown> } = {}): Promise<Response> {
  const headers = new Headers({ "content-type": "text/plain;charset=UTF-8", origin: SHOP });
  if (opts.ua) headers.set("user-agent", opts.ua);
  const init: RequestInit & { cf?: unknown } = { method: "POST", headers, body };
  if (opts.cf) init.cf = opts.cf;
  return exports.default.fetch(new Request(`${ORIGIN}/api/track`, init as RequestInit));
}

/** Sends a beacon; fails the test unless it is answered 200. */
export async function track(
  body: Record<string, unknown>,
  opts: { ua?: string; cf?: Record<string, unknown> } = {},
): Promise<TrackResponse> {
  const r = await trackRaw(JSON.stringify(body), opts);
  if (r.status !== 200) throw new Error(`track ${JSON.stringify(body)}: ${r.status} ${await r.text()}`);
  expect(r.headers.get("access-control-allow-origin")).toBe("*");
  return r.json();
}

/** A visitor who has viewed `pages` in order; returns their tracking token. */
export async function visitPages(k: string, pages: string[], t?: string, opts: { ua?: string } = {}): Promise<string> {
  let token = t;
  for (const u of pages) token = (await track({ k, t: token, e: "view", u: `${SHOP}${u}`, ti: `Title ${u}` }, opts)).t!;
  return token!;
}

export async function count(sql: string, ...params: unknown[]): Promise<number> {
  return Number(
    (
      await env.DB.prepare(sql)
        .bind(...params)
        .first<{ n: number }>()
    )?.n ?? 0,
  );
}

/** Rows of a site's visitor-intelligence tables, for "nothing changed" checks. */
export async function footprint(siteId: string): Promise<Record<string, number>> {
  const tables = ["visitors", "visits", "page_views", "visitor_events", "orders"];
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = await count(`SELECT COUNT(*) AS n FROM ${t} WHERE site_id = ?`, siteId);
  return out;
}

/** The visitor id inside a tracking token (track.<expires>.<site>.<visitor>.<sig>). */
export const visitorOf = (t: string) => t.split(".").at(-2)!;
