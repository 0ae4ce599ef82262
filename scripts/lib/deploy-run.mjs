// `npm run deploy`, step by step: check the sign-in; build; create or reuse by name the D1 database and R2 bucket;
// write the deploy config; apply remote migrations; set missing secrets with the Worker upload;
// deploy the Worker and the admin's Pages project; print the URLs and the next step. A second
// run finds everything by name, creates nothing and rotates no secret. With `dryRun` it prints
// the same commands and runs only what needs no Cloudflare account. Used by scripts/deploy.mjs.
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { deployWorkerConfig, readRawConfig, workerTargets, writeJson, writePagesProject } from "./deploy-config.mjs";
import { secretsToSet, writeSecretsFile } from "./deploy-secrets.mjs";
import { d1Databases, pagesProjects, r2Buckets, runCommand, workerSecrets, workersDevUrl } from "./deploy-wrangler.mjs";

/** The Pages branch whose deployments are the project's production (pages.dev) deployment. */
export const PAGES_PRODUCTION_BRANCH = "main";
const SECRET_NAMES = "TOKEN_SECRET (random), SETUP_TOKEN_HASH (SHA-256 of a new setup token)";

/**
 * Deploys (or, with `dryRun`, describes deploying) the project at `root` with the wrangler at
 * `wrangler`. `build` is the build script and its arguments (run with this Node). `env` selects a wrangler
 * environment (`[env.<name>]` in wrangler.toml). `newSetupToken` replaces the setup token.
 * Resolves { workerUrl, adminUrl, setupUrl } (nulls in a dry run); throws on a failed step.
 */
export async function runDeploy({
  root,
  wrangler,
  build,
  env,
  dryRun = false,
  newSetupToken = false,
  log = console.log,
  processEnv = process.env,
}) {
  const raw = readRawConfig(join(root, "wrangler.toml"));
  const target = workerTargets(raw, env);
  const pagesRaw = readRawConfig(join(root, "admin/pages/wrangler.toml"));
  const projectName = env === undefined ? pagesRaw.name : `${pagesRaw.name}-${env}`;
  const deployDir = join(root, ".wrangler/deploy", env === undefined ? "" : `env-${env}`);
  const configFile = join(deployDir, "wrangler.json");
  const secretsFile = join(deployDir, "secrets.json");
  const pagesDir = join(deployDir, "pages");
  const rel = (p) => relative(root, p);
  const envArgs = env === undefined ? [] : ["--env", env];
  const childEnv = { ...processEnv, WRANGLER_SEND_METRICS: processEnv.WRANGLER_SEND_METRICS ?? "false" };

  // Every wrangler command of the deploy, in one place, so the dry run prints what a real run runs.
  const cmd = {
    whoami: ["whoami", "--json"],
    d1List: ["d1", "list", "--json"],
    d1Create: (name) => ["d1", "create", name],
    r2List: ["r2", "bucket", "list"],
    r2Create: (name) => ["r2", "bucket", "create", name],
    migrate: (binding) => ["d1", "migrations", "apply", binding, "--remote", "-c", rel(configFile), ...envArgs],
    secretList: ["secret", "list", "--format", "json", "-c", rel(configFile), ...envArgs],
    deploy: (withSecrets) => ["deploy", "-c", rel(configFile), ...envArgs, ...(withSecrets ? ["--secrets-file", rel(secretsFile)] : [])],
    pagesList: ["pages", "project", "list", "--json"],
    pagesCreate: ["pages", "project", "create", projectName, "--production-branch", PAGES_PRODUCTION_BRANCH],
    pagesDeploy: ["pages", "deploy", "--project-name", projectName, "--branch", PAGES_PRODUCTION_BRANCH, "--commit-dirty=true"],
  };
  const show = (args) => `wrangler ${args.join(" ")}`;
  const buildLine = ["node", ...build.map((a, i) => (i === 0 ? rel(a) : a))].join(" ");
  const runBuild = (opts) => must(process.execPath, build, { cwd: root, env: childEnv, ...opts }, "build");

  if (dryRun) {
    const databases = target.databases.map((d) => `"${d.name}"`).join(", ") || "none";
    const steps = [
      ["Account", `${show(cmd.whoami)}   (stops here unless signed in: npx wrangler login, or CLOUDFLARE_API_TOKEN)`],
      ["Build", buildLine],
      ...target.databases.map((d) => [`D1 "${d.name}"`, `${show(cmd.d1List)}; if "${d.name}" is missing: ${show(cmd.d1Create(d.name))}`]),
      ...target.buckets.map((b) => [`R2 "${b}"`, `${show(cmd.r2List)}; if "${b}" is missing: ${show(cmd.r2Create(b))}`]),
      [
        "Worker config",
        `write ${rel(configFile)}: wrangler.toml${env ? ` ([env.${env}])` : ""} with the database_id of ${databases}, paths re-based, ENVIRONMENT=production`,
      ],
      ...target.databases.map((d) => ["Migrations", show(cmd.migrate(d.binding))]),
      [
        "Secrets",
        `${show(cmd.secretList)}; whichever of ${SECRET_NAMES} is missing goes into ${rel(secretsFile)} (mode 600, removed after the upload)`,
      ],
      ["Worker", `${show(cmd.deploy(true))}   (--secrets-file only when a secret is missing)`],
      [
        "Pages project",
        `write ${rel(pagesDir)}/ (admin/pages/ with wrangler.json: project ${projectName}, API → ${target.name}); ${show(cmd.pagesList)}; if "${projectName}" is missing: ${show(cmd.pagesCreate)}`,
      ],
      ["Admin", `(in ${rel(pagesDir)}) ${show(cmd.pagesDeploy)}`],
      ["Next step", "print the Worker and admin URLs, and when the setup token is new, https://<admin>/#/setup?token=… (shown once)"],
    ];
    log("Dry run: this prints what `npm run deploy` would do. It creates, changes and deploys nothing,");
    log("and runs no wrangler command that needs a Cloudflare account.\n");
    for (const [i, [label, text]] of steps.entries()) log(`${String(i + 1).padStart(2)}. ${label.padEnd(16)} ${text}`);
    // Check the generated Worker config for real where no account is needed: build, then
    // `wrangler deploy --dry-run` on it (with the committed placeholder database id).
    const dryDir = join(root, ".wrangler/deploy-dry-run");
    const dryConfig = join(dryDir, "wrangler.json");
    writeJson(dryConfig, deployWorkerConfig(raw, { env, root, configDir: dryDir, databaseIds: new Map() }));
    await runBuild({ capture: true });
    await must(wrangler, ["deploy", "--dry-run", "-c", rel(dryConfig), ...envArgs], {
      cwd: root,
      env: childEnv,
      capture: true,
    });
    log(`\nChecked: the build, and \`wrangler deploy --dry-run\` on the generated config (${rel(dryConfig)}).`);
    return { workerUrl: null, adminUrl: null, setupUrl: null };
  }

  const wr = (args, opts = {}) => runCommand(wrangler, args, { cwd: root, env: childEnv, ...opts });
  const mustWr = (args, opts = {}) => must(wrangler, args, { cwd: root, env: childEnv, ...opts });

  log(`Deploying ${target.name}${env ? ` (env ${env})` : ""}.`);
  const account = await wr(cmd.whoami, { capture: true });
  if (account.status !== 0) {
    throw new Error(
      "Not signed in to Cloudflare: run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), then run this again.",
    );
  }
  log("— Build");
  await runBuild();

  log("— Resources");
  const databaseIds = new Map();
  if (target.databases.length > 0) {
    let existing = d1Databases((await mustWr(cmd.d1List, { capture: true })).stdout);
    for (const db of target.databases) {
      if (existing.has(db.name)) {
        log(`D1 database "${db.name}": exists, reused`);
        continue;
      }
      log(`D1 database "${db.name}": creating`);
      await mustWr(cmd.d1Create(db.name), { capture: true });
      existing = d1Databases((await mustWr(cmd.d1List, { capture: true })).stdout);
    }
    for (const db of target.databases) {
      const id = existing.get(db.name);
      if (!id) throw new Error(`D1 database "${db.name}" is not listed after creating it.`);
      databaseIds.set(db.name, id);
    }
  }
  if (target.buckets.length > 0) {
    const buckets = r2Buckets((await mustWr(cmd.r2List, { capture: true })).stdout);
    for (const bucket of target.buckets) {
      if (buckets.has(bucket)) log(`R2 bucket "${bucket}": exists, reused`);
      else {
        log(`R2 bucket "${bucket}": creating`);
        await mustWr(cmd.r2Create(bucket), { capture: true });
      }
    }
  }
  writeJson(configFile, deployWorkerConfig(raw, { env, root, configDir: deployDir, databaseIds }));
  log(`Wrote ${rel(configFile)}`);

  log("— Migrations");
  for (const db of target.databases) await mustWr(cmd.migrate(db.binding));

  log("— Worker");
  const { values, setupToken } = secretsToSet(workerSecrets(await wr(cmd.secretList, { capture: true })), { newSetupToken });
  const names = Object.keys(values);
  log(names.length > 0 ? `Secrets to set with this upload: ${names.join(", ")}` : "Secrets: all set already, none changed");
  let setupUrl = null;
  let adminUrl = null;
  let workerUrl = null;
  let workerDeployed = false;
  try {
    const removeSecrets = names.length > 0 ? writeSecretsFile(secretsFile, values) : () => {};
    try {
      workerUrl = workersDevUrl((await mustWr(cmd.deploy(names.length > 0), { capture: true, echo: true })).stdout);
      workerDeployed = true;
    } finally {
      removeSecrets();
    }

    log("— Admin (Pages)");
    writePagesProject({
      pagesDir: join(root, "admin/pages"),
      outDir: pagesDir,
      projectName,
      workerName: target.name,
      baseWorkerName: raw.name,
    });
    const inPages = { cwd: pagesDir, capture: true };
    let projects = pagesProjects((await mustWr(cmd.pagesList, inPages)).stdout);
    if (projects.has(projectName)) log(`Pages project "${projectName}": exists, reused`);
    else {
      log(`Pages project "${projectName}": creating`);
      await mustWr(cmd.pagesCreate, inPages);
      projects = pagesProjects((await mustWr(cmd.pagesList, inPages)).stdout);
    }
    await mustWr(cmd.pagesDeploy, { cwd: pagesDir });
    const domain = projects.get(projectName)?.[0];
    adminUrl = domain ? `https://${domain}/` : null;
  } catch (error) {
    // The Worker already holds this token's hash: without it here the first owner could not be
    // created until a run with --new-setup-token.
    if (workerDeployed && setupToken) log(`\nThe Worker has a new setup token (shown only now): ${setupToken}`);
    throw error;
  }

  log("\nDone.");
  log(`  Worker (API, widget, chat):  ${workerUrl ?? "see the wrangler output above"}`);
  log(`  Admin:                       ${adminUrl ?? "see the wrangler output above"}`);
  if (workerUrl) log(`  Widget loader:               ${workerUrl}/widget.js   (the admin shows each shop its snippet)`);
  const adminBase = adminUrl ?? "https://<admin>/";
  if (setupToken) {
    setupUrl = `${adminBase}#/setup?token=${setupToken}`;
    log(`\nNext: open ${setupUrl}`);
    log("to create the first owner. The link works once and is shown only now.");
  } else {
    log("\nThe setup token was printed by the run that created it; once the first owner exists it is spent.");
    log("Lost it before creating the owner? Run `npm run deploy -- --new-setup-token`.");
  }
  return { workerUrl, adminUrl, setupUrl };
}

/** Runs a command and throws with its output when it fails. */
async function must(bin, args, opts, label = `wrangler ${args.join(" ")}`) {
  if (!existsSync(opts.cwd)) throw new Error(`missing folder ${opts.cwd}`);
  const result = await runCommand(bin, args, opts);
  if (result.status !== 0) {
    const output = `${result.stdout}\n${result.stderr}`.trim();
    throw new Error(`${label} failed (exit ${result.status})${output && !opts.echo ? `:\n${output}` : ""}`);
  }
  return result;
}
