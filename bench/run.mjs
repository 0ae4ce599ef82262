// `npm run bench [-- --quick] [-- --url http://127.0.0.1:8787]`: bundles the TypeScript
// benchmark in bench/src with esbuild (so it can run the protocol's own ConversationClient) and
// runs it. Arguments pass through to bench/src/main.ts.

import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "../node_modules/.cache/gadka-bench");

// The dev-server helpers find the repository from their own location, so they must be loaded
// from where they are, not copied into the bundle.
const keepScriptsInPlace = {
  name: "keep-scripts-in-place",
  setup(b) {
    b.onResolve({ filter: /\/scripts\/lib\/[\w-]+\.mjs$/ }, (args) => ({
      path: pathToFileURL(resolve(args.resolveDir, args.path)).href,
      external: true,
    }));
  },
};

// wrangler dev records every Worker and Durable Object event in a local trace store (SQLite)
// unless X_LOCAL_OBSERVABILITY is false. Measured here, it tripled workerd's CPU time and disk
// writes per message; production has no such store, so it is off unless asked for. Set before
// anything loads: the dev-server helpers copy the environment when they are imported.
process.env.X_LOCAL_OBSERVABILITY ??= "false";

await build({
  entryPoints: {
    main: join(here, "src/main.ts"),
    "relay-server": join(here, "src/targets/relay-server.ts"),
  },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "inline",
  plugins: [keepScriptsInPlace],
  logLevel: "warning",
});

await import(pathToFileURL(join(outdir, "main.mjs")).href);
