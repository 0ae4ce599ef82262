// `npm run deploy`: everything a developer needs to put Gadka on their Cloudflare account, in
// one idempotent command (the steps: scripts/lib/deploy-run.mjs). Options:
//   --dry-run          print the commands and writes, touch nothing (no account needed; CI runs it)
//   --env NAME         deploy the wrangler environment [env.NAME] of wrangler.toml
//   --new-setup-token  replace the one-time setup token (when the printed one was lost)
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runDeploy } from "./lib/deploy-run.mjs";
import { root } from "./lib/dev-server.mjs";

const usage = "Usage: npm run deploy -- [--dry-run] [--env NAME] [--new-setup-token]";
let options;
try {
  options = parseArgs({
    options: {
      "dry-run": { type: "boolean", default: false },
      env: { type: "string" },
      "new-setup-token": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  }).values;
} catch (error) {
  console.error(`${error.message}\n${usage}`);
  process.exit(2);
}
if (options.help) {
  console.log(usage);
  process.exit(0);
}

try {
  await runDeploy({
    root,
    // GADKA_WRANGLER: another wrangler binary (the deploy tests use a fake one).
    wrangler: process.env.GADKA_WRANGLER ?? join(root, "node_modules/.bin/wrangler"),
    build: [join(root, "scripts/build.mjs")],
    env: options.env,
    dryRun: options["dry-run"],
    newSetupToken: options["new-setup-token"],
  });
} catch (error) {
  console.error(`\nDeploy stopped: ${error.message}`);
  process.exit(1);
}
