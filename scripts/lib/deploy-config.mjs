// The configuration `npm run deploy` hands to wrangler: wrangler.toml as committed, plus what
// only the account knows (the D1 database id), written under .wrangler/deploy/ (ignored by git)
// so no account's ids land in the repository. Also the Pages project for the admin, bound to
// the Worker it deploys. Used by scripts/lib/deploy-run.mjs only.
import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";

/** wrangler.toml's file format as wrangler itself reads it (TOML, JSON or JSONC). */
export function readRawConfig(file) {
  return experimental_readRawConfig({ config: file }).rawConfig;
}

/**
 * What the deploy needs to know from the Worker's config for `env` (undefined: the top level):
 * the Worker's name, its D1 databases and R2 buckets (bindings are not inherited by wrangler
 * environments, so they come from the environment's own section).
 */
export function workerTargets(raw, env) {
  const section = env === undefined ? raw : raw.env?.[env];
  if (!section) throw new Error(`wrangler.toml has no [env.${env}] section: add one, or deploy without --env.`);
  const name = env === undefined ? raw.name : (section.name ?? `${raw.name}-${env}`);
  if (!name) throw new Error("wrangler.toml has no Worker name.");
  return {
    name,
    databases: (section.d1_databases ?? []).map((d) => ({ binding: d.binding, name: d.database_name ?? d.binding })),
    buckets: (section.r2_buckets ?? []).map((b) => b.bucket_name).filter(Boolean),
  };
}

/**
 * wrangler.toml rewritten to live in `configDir`: relative paths re-based (wrangler resolves them
 * against the config file), each D1 binding given its database id from `databaseIds` (name →
 * id), and ENVIRONMENT set to "production". Returns a new object; `raw` is not changed.
 */
export function deployWorkerConfig(raw, { env, root, configDir, databaseIds }) {
  const config = structuredClone(raw);
  const rebase = (p) => (isAbsolute(p) ? p : relative(configDir, resolve(root, p)));
  for (const section of [config, ...Object.values(config.env ?? {})]) {
    if (section.main) section.main = rebase(section.main);
    if (section.assets?.directory) section.assets.directory = rebase(section.assets.directory);
    if (section.tsconfig) section.tsconfig = rebase(section.tsconfig);
    for (const [from, to] of Object.entries(section.alias ?? {})) if (to.startsWith(".")) section.alias[from] = rebase(to);
  }
  const section = env === undefined ? config : config.env[env];
  for (const db of section.d1_databases ?? []) {
    const id = databaseIds.get(db.database_name ?? db.binding);
    if (id) db.database_id = id;
    // Without migrations_dir wrangler looks beside the config file, where there is none.
    db.migrations_dir = rebase(db.migrations_dir ?? "migrations");
  }
  if (section.vars && "ENVIRONMENT" in section.vars) section.vars.ENVIRONMENT = "production";
  return config;
}

/**
 * The admin's Pages project as deployed: admin/pages/ copied to `outDir` (its Functions), with a
 * wrangler.json that names the project, points at the built admin and binds API to `workerName`
 * (admin/pages/wrangler.toml binds the committed Worker name; an environment's Worker differs).
 */
export function writePagesProject({ pagesDir, outDir, projectName, workerName, baseWorkerName }) {
  const raw = readRawConfig(join(pagesDir, "wrangler.toml"));
  mkdirSync(outDir, { recursive: true });
  for (const entry of readdirSync(pagesDir)) {
    if (!/^wrangler\.(toml|json|jsonc)$/.test(entry)) cpSync(join(pagesDir, entry), join(outDir, entry), { recursive: true });
  }
  const config = {
    ...raw,
    name: projectName,
    pages_build_output_dir: relative(outDir, resolve(pagesDir, raw.pages_build_output_dir)),
    services: (raw.services ?? []).map((s) => (s.service === baseWorkerName ? { ...s, service: workerName } : s)),
  };
  writeJson(join(outDir, "wrangler.json"), config);
  return config;
}

export function writeJson(file, value) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}
