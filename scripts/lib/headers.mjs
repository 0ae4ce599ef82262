// The static files' security and caching headers, in the `_headers` format that both Workers
// assets and Cloudflare Pages read. One table, two files: the Worker's (dist/public/_headers,
// the admin under /admin/) and the admin's Pages project (dist/public/admin/_headers, the admin
// at its root: a `_headers` outside the deployed folder is never read, so Pages served the admin
// with none of them). The chat page's headers are set by the Worker (worker/routes/chat-page.ts),
// as its frame-ancestors differ per shop. Imported by scripts/build.mjs only.

/**
 * The admin may not be framed (clickjacking) and runs scripts only from its own origin: its page
 * has no inline script (admin/static/index.html), and every script is a file of the build.
 */
const ADMIN = [
  "X-Frame-Options: DENY",
  "Content-Security-Policy: script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  "Referrer-Policy: same-origin",
  "X-Content-Type-Options: nosniff",
  "Cross-Origin-Opener-Policy: same-origin",
];

const rule = (path, headers) => `${path}\n${headers.map((h) => `  ${h}`).join("\n")}\n`;

/** The scripts a shop's page loads: cached briefly, so fixes reach shops within minutes. */
const SHOP_PAGE_SCRIPTS = ["/widget.js", "/presence.js", "/triggers.js", "/teaser.js"];

/** dist/public/_headers. */
export function workerHeaders() {
  return [
    rule("/admin/*", ADMIN),
    // The chat page itself goes through the Worker; these cover its scripts and styles.
    rule("/chat/*", ["Referrer-Policy: no-referrer", "X-Content-Type-Options: nosniff"]),
    ...SHOP_PAGE_SCRIPTS.map((path) => rule(path, ["Cache-Control: public, max-age=300", "X-Content-Type-Options: nosniff"])),
  ].join("");
}

/** dist/public/admin/_headers, for `wrangler pages deploy` of that folder (admin/pages/wrangler.toml). */
export function pagesAdminHeaders() {
  return rule("/*", ADMIN);
}

/** dist/public/.assetsignore: the Pages file is not one of the Worker's assets. */
export const WORKER_ASSETS_IGNORE = "admin/_headers\n";
