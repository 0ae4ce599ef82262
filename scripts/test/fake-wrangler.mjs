#!/usr/bin/env node
// A stand-in for wrangler in the deploy tests (scripts/deploy.test.mjs): it keeps a pretend
// Cloudflare account in the JSON file named by FAKE_WRANGLER_STATE, records every call, and
// prints what wrangler 4.156 prints for the commands `npm run deploy` uses (formats taken from
// wrangler's own source: JSON for d1/pages list and secret list, "name:" blocks for r2 list).
// It checks what real wrangler would refuse: unknown database ids, missing buckets or projects.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const stateFile = process.env.FAKE_WRANGLER_STATE;
const state = JSON.parse(readFileSync(stateFile, "utf8"));
const args = process.argv.slice(2);
const line = args.join(" ");
state.calls.push({ args, cwd: process.cwd() });

const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const out = (text) => process.stdout.write(`${text}\n`);
const fail = (text, code = 1) => {
  process.stderr.write(`✘ [ERROR] ${text}\n`);
  save();
  process.exit(code);
};
function save() {
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
}
const banner = () => out("\n ⛅️ wrangler 4.156.2\n───────────────────");

/** The Worker section of the config passed with -c (and --env), as wrangler would select it. */
function workerConfig() {
  const file = resolve(flag("-c"));
  const config = JSON.parse(readFileSync(file, "utf8"));
  const env = flag("--env");
  const section = env ? config.env?.[env] : config;
  if (!section) fail(`No environment found in configuration with name "${env}".`);
  return { dir: dirname(file), section, name: env ? (section.name ?? `${config.name}-${env}`) : config.name };
}

function checkBindings(section) {
  for (const db of section.d1_databases ?? []) {
    if (!state.databases.some((d) => d.uuid === db.database_id)) fail(`Couldn't find DB with id ${db.database_id}`);
  }
  for (const b of section.r2_buckets ?? []) {
    if (!state.buckets.includes(b.bucket_name)) fail(`R2 bucket '${b.bucket_name}' not found (code 10085)`);
  }
}

if (state.failOn && line.startsWith(state.failOn)) fail(state.failMessage ?? "A request to the Cloudflare API failed.");

if (line === "whoami --json") {
  if (!state.loggedIn) fail("You are not authenticated. Please run `wrangler login`.");
  out(JSON.stringify({ loggedIn: true, authType: "OAuth Token", email: "dev@example.com", accounts: [{ id: "acc1", name: "Dev" }] }));
} else if (line === "d1 list --json") {
  const rows = state.databases.map((d) => ({
    uuid: d.uuid,
    name: d.name,
    created_at: "2026-12-01T10:00:00.000Z",
    version: "production",
    num_tables: 0,
    file_size: 12288,
  }));
  out(JSON.stringify(rows, null, 2));
} else if (args[0] === "d1" && args[1] === "create") {
  const name = args[2];
  if (state.databases.some((d) => d.name === name)) fail("A database with that name already exists");
  const uuid = randomUUID();
  state.databases.push({ uuid, name });
  banner();
  out(`✅ Successfully created DB '${name}' in region WEUR\nCreated your new D1 database.\n`);
  out(
    `To access your new D1 Database in your Worker, add the following snippet to your configuration file:\n{\n  "d1_databases": [\n    {\n      "binding": "${name}",\n      "database_name": "${name}",\n      "database_id": "${uuid}"\n    }\n  ]\n}`,
  );
} else if (line === "r2 bucket list") {
  banner();
  out("Listing buckets...");
  out(state.buckets.map((b) => `name:           ${b}\ncreation_date:  2026-12-01T10:00:00.000Z`).join("\n\n"));
} else if (args[0] === "r2" && args[1] === "bucket" && args[2] === "create") {
  const name = args[3];
  if (state.buckets.includes(name)) fail(`The bucket you tried to create already exists, and you own it. [code: 10004]`);
  state.buckets.push(name);
  banner();
  out(`Creating bucket '${name}'...\n✅ Created bucket '${name}' with default storage class of Standard.`);
} else if (args[0] === "d1" && args[1] === "migrations" && args[2] === "apply") {
  if (!args.includes("--remote")) fail("fake wrangler: migrations only with --remote");
  const { dir, section } = workerConfig();
  const db = (section.d1_databases ?? []).find((d) => d.binding === args[3] || d.database_name === args[3]);
  if (!db) fail(`Couldn't find a D1 DB with the name or binding '${args[3]}' in your wrangler.toml file.`);
  checkBindings({ d1_databases: [db] });
  // wrangler resolves paths in a config file against the file's folder.
  if (!existsSync(resolve(dir, db.migrations_dir))) fail(`No migrations folder found at ${db.migrations_dir}`);
  state.migrations.push({ uuid: db.database_id, dir: db.migrations_dir });
  banner();
  out("✅ No migrations to apply!");
} else if (args[0] === "secret" && args[1] === "list") {
  const { name } = workerConfig();
  const worker = state.workers[name];
  if (!worker) {
    fail(
      `Worker "${name}"${flag("--env") ? ` (env: ${flag("--env")})` : ""} not found.\n\nIf this is a new Worker, run \`wrangler deploy\` first to create it.`,
    );
  }
  out(
    JSON.stringify(
      Object.keys(worker.secrets).map((n) => ({ name: n, type: "secret_text" })),
      null,
      "  ",
    ),
  );
} else if (args[0] === "deploy" && args.includes("--dry-run")) {
  workerConfig();
  out("--dry-run: exiting now.");
} else if (args[0] === "deploy") {
  const { section, name } = workerConfig();
  checkBindings(section);
  state.workers[name] ??= { secrets: {}, deploys: 0 };
  const worker = state.workers[name];
  const file = flag("--secrets-file");
  if (file) {
    worker.secretsFileMode = (statSync(file).mode & 0o777).toString(8);
    Object.assign(worker.secrets, JSON.parse(readFileSync(file, "utf8")));
  }
  worker.deploys++;
  worker.vars = section.vars;
  banner();
  out(`Total Upload: 275.20 KiB / gzip: 67.49 KiB\nUploaded ${name} (3.10 sec)\nDeployed ${name} triggers (0.52 sec)`);
  out(`  https://${name}.dev-account.workers.dev\n  schedule: 17 * * * *\nCurrent Version ID: ${randomUUID()}`);
} else if (line === "pages project list --json") {
  const rows = Object.entries(state.pages).map(([name, p]) => ({
    "Project Name": name,
    "Project Domains": p.domains.join(", "),
    "Git Provider": "No",
    "Last Modified": "1 minute ago",
  }));
  out(JSON.stringify(rows, null, 2));
} else if (args[0] === "pages" && args[1] === "project" && args[2] === "create") {
  const name = args[3];
  if (state.pages[name]) fail(`A project with this name already exists. Choose a different project name. [code: 8000002]`);
  if (!flag("--production-branch")) fail("Missing production branch.");
  // A pages.dev name taken by another account gets a suffix, as Cloudflare does.
  const domain = state.takenPagesNames?.includes(name) ? `${name}-4xk.pages.dev` : `${name}.pages.dev`;
  state.pages[name] = { domains: [domain], productionBranch: flag("--production-branch"), deployments: [] };
  out(`✨ Successfully created the '${name}' project. It will be available at https://${domain}/ once you create your first deployment.`);
} else if (args[0] === "pages" && args[1] === "deploy") {
  const project = state.pages[flag("--project-name")];
  if (!project) fail("Project not found. The specified project name does not match any of your existing projects. [code: 8000007]");
  const config = JSON.parse(readFileSync(join(process.cwd(), "wrangler.json"), "utf8"));
  const output = resolve(config.pages_build_output_dir);
  if (!existsSync(join(output, "index.html")))
    fail(`The directory specified by the "pages_build_output_dir" field does not exist: ${output}`);
  if (!existsSync(join(process.cwd(), "functions"))) fail("fake wrangler: no functions/ beside wrangler.json");
  project.deployments.push({ branch: flag("--branch"), services: config.services, output });
  out(
    `✨ Compiled Worker successfully\n✨ Success! Uploaded 12 files (3.20 sec)\n\n✨ Deployment complete! Take a peek over at https://3f2a1b0c.${project.domains[0]}`,
  );
} else {
  fail(`fake wrangler: unknown command: ${line}`);
}
save();
