// Builds everything the Worker serves as static files into dist/public:
//   /widget.js            the loader (widget/loader.ts, IIFE)
//   /presence.js          the presence module the loader loads when idle (widget/presence.ts)
//   /triggers.js          the trigger engine the presence module loads for sites with triggers (widget/triggers/)
//   /teaser.js            the trigger teaser the engine loads when a trigger shows (widget/triggers/teaser-main.ts)
//   /chat/                the chat UI loaded in the iframe (widget/chat/)
//   /demo/                the demo shop (widget/demo/, copied as is)
//   /admin/               the operator app (admin/): admin.js, admin.css, chunks/ (one per language)
// Usage: node scripts/build.mjs [--watch] [--no-clean]

import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, context } from "esbuild";
import { pagesAdminHeaders, WORKER_ASSETS_IGNORE, workerHeaders } from "./lib/headers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/public");
const watch = process.argv.includes("--watch");
// The dev server keeps serving dist/public while the watcher rebuilds, so it must not be wiped.
const clean = !process.argv.includes("--no-clean");

const common = {
  bundle: true,
  minify: true,
  target: ["es2020", "chrome100", "firefox100", "safari15"],
  legalComments: "none",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

/** Each entry: esbuild options; static folders are copied after. */
const entries = [
  // The loader has no "use strict" prologue: 13 bytes of its 1.5 KB budget, and its code does
  // not depend on it (tsc checks it as a strict module).
  {
    entryPoints: [join(root, "widget/loader.ts")],
    outfile: join(out, "widget.js"),
    format: "iife",
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  },
  {
    entryPoints: [join(root, "widget/presence.ts")],
    outfile: join(out, "presence.js"),
    format: "iife",
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  },
  {
    entryPoints: [join(root, "widget/triggers/main.ts")],
    outfile: join(out, "triggers.js"),
    format: "iife",
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  },
  {
    entryPoints: [join(root, "widget/triggers/teaser-main.ts")],
    outfile: join(out, "teaser.js"),
    format: "iife",
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
  },
  // The chat is split too: chat.js is what a visitor's first open loads; parts only some
  // visitors reach (the rating after resolve) are chunks (chat/chunks/), loaded on demand.
  {
    entryPoints: [join(root, "widget/chat/main.ts")],
    outdir: join(out, "chat"),
    entryNames: "chat",
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
  },
  // The admin is split: admin.js (+ admin.css) and one chunk per language
  // (admin/chunks/<lang>-<hash>.js), loaded by a dynamic import, so an operator downloads
  // one dictionary, not four. scripts/size.mjs counts admin.js with its language.
  {
    entryPoints: [join(root, "admin/src/main.tsx")],
    outdir: join(out, "admin"),
    entryNames: "admin",
    chunkNames: "chunks/[name]-[hash]",
    splitting: true,
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
  },
];

const statics = [
  [join(root, "widget/chat/static"), join(out, "chat")],
  [join(root, "widget/demo"), join(out, "demo")],
  [join(root, "admin/static"), join(out, "admin")],
];

function copyStatics() {
  for (const [from, to] of statics) {
    if (existsSync(from)) cpSync(from, to, { recursive: true });
  }
  // Security and caching headers: the Worker's assets and the admin's Pages project each read
  // the `_headers` at the root of what they serve (scripts/lib/headers.mjs).
  writeFileSync(join(out, "_headers"), workerHeaders());
  writeFileSync(join(out, "admin/_headers"), pagesAdminHeaders());
  writeFileSync(join(out, ".assetsignore"), WORKER_ASSETS_IGNORE);
  // The root page points a developer to the two things worth opening.
  writeFileSync(
    join(out, "index.html"),
    `<!doctype html><meta charset="utf-8"><title>Gadka</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2330}a{color:#4f46e5}</style>
<h1>Gadka</h1><p>Live chat for online shops, running locally.</p>
<ul><li><a href="/demo/">Demo shop</a> — the widget as a visitor sees it</li>
<li><a href="/admin/">Operator app</a> — sign in as anna@demo.test / demo1234</li></ul>\n`,
  );
}

if (clean) rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const present = entries.filter((e) => existsSync(e.entryPoints[0]));
if (watch) {
  for (const e of present) {
    const ctx = await context({ ...common, ...e });
    await ctx.watch();
  }
  copyStatics();
  console.log("esbuild: watching widget/ and admin/");
} else {
  await Promise.all(present.map((e) => build({ ...common, ...e })));
  copyStatics();
}
