// `npm run dev`: build the widget and admin (and keep rebuilding on change), prepare the local
// D1 (migrations + demo seed) and serve everything with `wrangler dev` on http://localhost:8787.
// Options: --port N (default 8787).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { ensureDevVars, newLocalSetupToken, prepareDatabase, root, startWrangler } from "./lib/dev-server.mjs";

const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : 8787;
const persistTo = join(root, ".wrangler/state");

ensureDevVars();
const setupToken = newLocalSetupToken();
const node = process.execPath;
const initial = spawn(node, [join(root, "scripts/build.mjs")], { stdio: "inherit" });
await new Promise((resolve, reject) => initial.on("exit", (code) => (code === 0 ? resolve() : reject(new Error("build failed")))));
await prepareDatabase(persistTo);
const watcher = spawn(node, [join(root, "scripts/build.mjs"), "--watch", "--no-clean"], { stdio: "inherit" });
const server = await startWrangler({ port, persistTo, inherit: true, publicUrl: `http://localhost:${port}` });
console.log(`
  Gadka is running.
    Demo shop:     http://localhost:${port}/demo/
    Operator app:  http://localhost:${port}/admin/   (anna@demo.test or piotr@demo.test, password demo1234)
    Widget loader: http://localhost:${port}/widget.js

    A shop of your own: http://localhost:${port}/admin/#/setup?token=${setupToken}
      (the first owner and shop, as a deployment's setup link makes them; works once, new on each start)
`);
const shutdown = () => {
  watcher.kill();
  server.stop().then(() => process.exit(0));
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
