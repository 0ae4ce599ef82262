/**
 * `GET /api/dev/mail` — development only (ENVIRONMENT "development": wrangler dev, the tests;
 * 404 anywhere else): the account emails this deployment would have sent (sign-up confirmation,
 * invitation, password reset, notices), newest first, from the `account_mail` log. A browser
 * (Accept: text/html) gets a page with each mail's text and its links to click; anything else
 * gets JSON `{ mails }`. `?to=` narrows to one address. Everything from the log is escaped.
 */
import { Hono } from "hono";
import * as v from "valibot";
import type { AppEnv } from "../app-env";
import { accountMailLog } from "../db/account-mail";
import { text as esc } from "../email/templates/layout";
import { ApiError } from "../lib/api-error";
import { validate } from "../middleware/validate";

const Query = v.object({
  to: v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.maxLength(254))),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/, "limit is a number"), v.transform(Number), v.minValue(1), v.maxValue(200)),
    "50",
  ),
});

const LINK = /https?:\/\/[^\s<>"']+/g;

export const devMailRoutes = new Hono<AppEnv>().get("/", validate("query", Query), async (c) => {
  if (c.env.ENVIRONMENT !== "development") throw new ApiError("not_found", "Not found.");
  const q = c.req.valid("query");
  const mails = (await accountMailLog(c.env.DB, { to: q.to || undefined, limit: Number(q.limit) })).map((m) => ({
    id: m.id,
    kind: m.kind,
    to: m.to,
    subject: m.subject,
    language: m.language,
    sentAt: m.sentAt,
    text: m.text,
    links: [...new Set(m.text.match(LINK) ?? [])],
  }));
  if (!(c.req.header("accept") ?? "").includes("text/html")) return c.json({ mails });
  const items = mails
    .map(
      (m) => `<article aria-labelledby="${esc(m.id)}"><h2 id="${esc(m.id)}">${esc(m.subject)}</h2>
<p class="meta">To <strong>${esc(m.to)}</strong> · ${esc(m.kind)} · ${esc(m.language)} · <time datetime="${new Date(m.sentAt).toISOString()}">${new Date(m.sentAt).toISOString().replace("T", " ").slice(0, 19)} UTC</time></p>
<ul>${m.links.map((l) => `<li><a href="${esc(l)}">${esc(l.length > 90 ? `${l.slice(0, 90)}…` : l)}</a></li>`).join("")}</ul>
<pre>${esc(m.text)}</pre></article>`,
    )
    .join("\n");
  c.header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'");
  return c.html(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Mail (dev) · Gadka</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:860px;margin:0 auto;padding:16px;color:#0f172a}article{border:1px solid #cbd5e1;border-radius:8px;padding:12px 16px;margin:12px 0}h2{font-size:17px;margin:0 0 4px}.meta{color:#475569;margin:0 0 8px}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f1f5f9;padding:8px;border-radius:6px}a{color:#3730a3;word-break:break-all}</style></head>
<body><main><h1>Mail (dev)</h1><p>Account emails this development Worker would have sent (nothing leaves the machine). Newest first.</p>
${items || "<p>No mail yet.</p>"}</main></body></html>`);
});
