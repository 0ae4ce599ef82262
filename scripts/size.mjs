// `npm run size`: gzip sizes of what a shop page and an operator download, against the budgets in
// DESIGN.md. Prints a table; exits 1 when anything is over its hard cap.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { root } from "./lib/dev-server.mjs";

const dist = join(root, "dist/public");
const gz = (files) =>
  files.reduce((sum, f) => {
    const p = join(dist, f);
    if (!existsSync(p)) throw new Error(`${f} is missing: run npm run build`);
    return sum + gzipSync(readFileSync(p), { level: 9 }).byteLength;
  }, 0);

const rows = [
  { name: "Loader (widget.js)", files: ["widget.js"], target: 1536, cap: 2048 },
  { name: "Presence module (presence.js)", files: ["presence.js"], target: 3072, cap: 3072 },
  { name: "Trigger engine (triggers.js)", files: ["triggers.js"], target: 2048, cap: 2048 },
  { name: "Trigger teaser (teaser.js)", files: ["teaser.js"], target: 2560, cap: 3072 },
  {
    name: "Chat UI (chat.js, chat.css, frame.css)",
    files: ["chat/chat.js", "chat/chat.css", "chat/frame.css"].filter((f) => existsSync(join(dist, f))),
    target: 20 * 1024,
    cap: 25 * 1024,
  },
  { name: "Admin first load JS (admin.js)", files: ["admin/admin.js"], target: 150 * 1024, cap: 150 * 1024 },
];

let failed = false;
console.log("Bundle                          gzip bytes   target    cap      status");
for (const r of rows) {
  const bytes = gz(r.files);
  const status = bytes > r.cap ? "OVER CAP" : bytes > r.target ? "over target" : "ok";
  if (bytes > r.cap) failed = true;
  console.log(`${r.name.padEnd(32)}${String(bytes).padStart(10)}${String(r.target).padStart(9)}${String(r.cap).padStart(9)}   ${status}`);
}
if (existsSync(join(dist, "admin/admin.css"))) console.log(`(admin.css: ${gz(["admin/admin.css"])} bytes gzip)`);
process.exit(failed ? 1 : 0);
