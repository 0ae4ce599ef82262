// `npm run size`: gzip sizes of what a shop page and an operator download, against the budgets in
// DESIGN.md. Prints a table; exits 1 when anything is over its hard cap.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { gzipSync } from "node:zlib";
import { root } from "./lib/dev-server.mjs";

const dist = join(root, "dist/public");
const gz = (files) =>
  files.reduce((sum, f) => {
    const p = join(dist, f);
    if (!existsSync(p)) throw new Error(`${f} is missing: run npm run build`);
    return sum + gzipSync(readFileSync(p), { level: 9 }).byteLength;
  }, 0);

/** A file and every chunk it imports statically (dynamic `import()`s load later, on demand). */
function withStaticImports(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(dist, file), "utf8");
  for (const m of code.matchAll(/(?:^|[;}\s])import\s*(?:[\w{}\s,*$]+from\s*)?"(\.[^"]+)"/g)) {
    withStaticImports(normalize(join(dirname(file), m[1])), seen);
  }
  return seen;
}

// The admin's first load: admin.js, the chunks it imports, and one language chunk (with its own
// imports). Reported for the largest language, the worst case an operator downloads.
const languages = readdirSync(join(dist, "admin/chunks"))
  .map((f) => /^(en|pl|fi|ru)-\w+\.js$/.exec(f))
  .filter(Boolean)
  .map((m) => ({ lang: m[1], files: [...withStaticImports(`admin/chunks/${m[0]}`, withStaticImports("admin/admin.js"))] }));
if (languages.length !== 4) throw new Error("admin/chunks should hold one chunk per language: run npm run build");
const firstLoads = languages.map((l) => ({ ...l, bytes: gz(l.files) })).sort((a, b) => b.bytes - a.bytes);

// The chat's first load for a visitor whose language is a chunk (English is built in): the
// largest of those chunks is added, the worst case.
const chatWords = readdirSync(join(dist, "chat/chunks"))
  .filter((f) => /^(pl|fi|ru)-\w+\.js$/.test(f))
  .map((f) => `chat/chunks/${f}`)
  .sort((a, b) => gz([b]) - gz([a]));

const rows = [
  { name: "Loader (widget.js)", files: ["widget.js"], target: 1536, cap: 2048 },
  { name: "Presence module (presence.js)", files: ["presence.js"], target: 3072, cap: 3072 },
  { name: "Trigger engine (triggers.js)", files: ["triggers.js"], target: 2048, cap: 2048 },
  { name: "Trigger teaser (teaser.js)", files: ["teaser.js"], target: 2560, cap: 3072 },
  {
    // chat.js with the chunks it imports statically and the largest language chunk; the rating
    // chunk loads only after a resolve.
    name: "Chat UI (chat.js, chat.css, frame.css + words)",
    files: [...withStaticImports("chat/chat.js"), ...chatWords.slice(0, 1), "chat/chat.css", "chat/frame.css"].filter((f) =>
      existsSync(join(dist, f)),
    ),
    target: 20 * 1024,
    cap: 25 * 1024,
  },
  {
    name: `Admin first load JS (+ ${firstLoads[0].lang})`,
    files: firstLoads[0].files,
    target: 150 * 1024,
    cap: 150 * 1024,
  },
];

let failed = false;
console.log("Bundle                          gzip bytes   target    cap      status");
for (const r of rows) {
  const bytes = gz(r.files);
  const status = bytes > r.cap ? "OVER CAP" : bytes > r.target ? "over target" : "ok";
  if (bytes > r.cap) failed = true;
  console.log(`${r.name.padEnd(32)}${String(bytes).padStart(10)}${String(r.target).padStart(9)}${String(r.cap).padStart(9)}   ${status}`);
}
console.log(`(admin first load by language: ${firstLoads.map((l) => `${l.lang} ${l.bytes}`).join(", ")} bytes gzip)`);
if (existsSync(join(dist, "admin/admin.css"))) console.log(`(admin.css: ${gz(["admin/admin.css"])} bytes gzip)`);
process.exit(failed ? 1 : 0);
