/**
 * Email's public doors: the unsubscribe link of every email (`/api/email/unsubscribe?t=`; GET
 * shows a confirmation button, POST unsubscribes — also the RFC 8058 one-click POST a mail client
 * sends), and, in development only, `/api/email/dev-inbound?from=&to=` which hands a raw RFC 822
 * message to the same code as the Worker's `email()` handler (so e2e tests can post a reply).
 * Mounted under `/api/email`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { MAX_EMAIL_CHARS } from "../../protocol/limits";
import type { AppEnv } from "../app-env";
import { MAX_INBOUND_BYTES } from "../email/inbound";
import { ApiError } from "../lib/api-error";
import { readBody } from "../lib/request-body";
import { validate } from "../middleware/validate";
import { receiveEmail } from "../services/inbound-mail";
import { mailConfig } from "../services/mail";
import { readUnsubscribe, unsubscribeAddress } from "../services/offline";

const Token = v.object({ t: v.pipe(v.string(), v.maxLength(300)) });
const DevInbound = v.object({
  from: v.pipe(v.string(), v.maxLength(MAX_EMAIL_CHARS)),
  to: v.pipe(v.string(), v.maxLength(MAX_EMAIL_CHARS)),
});

type Lang = "en" | "pl" | "fi" | "ru";
const PAGE: Record<Lang, { title: string; ask: string; button: string; done: string; invalid: string }> = {
  en: {
    title: "Unsubscribe",
    ask: "Stop receiving emails from this shop's chat at this address?",
    button: "Unsubscribe",
    done: "Done: this address will receive no more emails from this shop's chat.",
    invalid: "This link is not valid or has expired.",
  },
  pl: {
    title: "Wypisz się",
    ask: "Czy przestać wysyłać na ten adres e-maile z czatu tego sklepu?",
    button: "Wypisz się",
    done: "Gotowe: ten adres nie dostanie już e-maili z czatu tego sklepu.",
    invalid: "Ten link jest nieprawidłowy lub wygasł.",
  },
  fi: {
    title: "Peru tilaus",
    ask: "Lopetetaanko tämän kaupan chatin sähköpostit tähän osoitteeseen?",
    button: "Peru tilaus",
    done: "Valmis: tähän osoitteeseen ei enää lähetetä tämän kaupan chatin sähköposteja.",
    invalid: "Linkki ei kelpaa tai se on vanhentunut.",
  },
  ru: {
    title: "Отписаться",
    ask: "Больше не присылать на этот адрес письма из чата этого магазина?",
    button: "Отписаться",
    done: "Готово: на этот адрес больше не будут приходить письма из чата этого магазина.",
    invalid: "Ссылка недействительна или устарела.",
  },
};

function lang(header: string | undefined): Lang {
  for (const part of (header ?? "").split(",")) {
    const base = part.trim().slice(0, 2).toLowerCase();
    if (base === "en" || base === "pl" || base === "fi" || base === "ru") return base;
  }
  return "en";
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(l: Lang, body: string, status = 200): Response {
  const s = PAGE[l];
  const html = `<!doctype html><html lang="${l}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(s.title)}</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#0f172a}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;background:#4f46e5;color:#fff;cursor:pointer}</style></head>
<body><main><h1>${esc(s.title)}</h1>${body}</main></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      "referrer-policy": "no-referrer",
    },
  });
}

export const emailRoutes = new Hono<AppEnv>()
  .get("/unsubscribe", validate("query", Token), async (c) => {
    const l = lang(c.req.header("accept-language"));
    const { t } = c.req.valid("query");
    if (!(await readUnsubscribe(c.env, t))) return page(l, `<p>${esc(PAGE[l].invalid)}</p>`, 404);
    // A visit only asks: link scanners in mail systems open links without a person deciding.
    return page(
      l,
      `<p>${esc(PAGE[l].ask)}</p><form method="post" action="?t=${esc(encodeURIComponent(t))}"><button type="submit">${esc(PAGE[l].button)}</button></form>`,
    );
  })
  .post("/unsubscribe", validate("query", Token), async (c) => {
    const l = lang(c.req.header("accept-language"));
    const grant = await readUnsubscribe(c.env, c.req.valid("query").t);
    if (!grant) return page(l, `<p>${esc(PAGE[l].invalid)}</p>`, 404);
    await unsubscribeAddress(c.env, grant);
    return page(l, `<p>${esc(PAGE[l].done)}</p>`);
  })
  .post("/dev-inbound", validate("query", DevInbound), async (c) => {
    if (!mailConfig(c.env).development) throw new ApiError("not_found", "Not found.");
    const { from, to } = c.req.valid("query");
    const raw = await readBody(c.req.raw, MAX_INBOUND_BYTES);
    const outcome = await receiveEmail(c.env, { from, to, raw, rawSize: raw.byteLength });
    // What the `email()` handler would have passed to setReject, as a coded error.
    if (outcome.outcome === "rejected") throw new ApiError("validation_failed", outcome.reason);
    return c.json(outcome);
  });
