// `npm run deploy` against a fake wrangler (scripts/test/fake-wrangler.mjs) that keeps a pretend
// account: first run, second run (an upgrade), reuse of resources made by hand, a new setup
// token, failures on the way, an environment, and the dry run — in-process and, as CI runs it,
// as a command on a clean machine with no account and no network.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDeploy } from "./lib/deploy-run.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");
const fakeWrangler = join(repo, "scripts/test/fake-wrangler.mjs");
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

let root;
let stateFile;
let logs;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "gadka-deploy-"));
  cpSync(join(repo, "wrangler.toml"), join(root, "wrangler.toml"));
  cpSync(join(repo, "admin/pages"), join(root, "admin/pages"), { recursive: true });
  cpSync(join(repo, "migrations"), join(root, "migrations"), { recursive: true });
  // The build stand-in writes what the real one does for the Pages project, and counts its runs.
  writeFileSync(
    join(root, "build.mjs"),
    `import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
mkdirSync("dist/public/admin", { recursive: true });
writeFileSync("dist/public/admin/index.html", "<!doctype html>");
appendFileSync("builds.log", "built\\n");\n`,
  );
  stateFile = join(root, "account.json");
  setAccount({});
  logs = [];
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function setAccount(overrides) {
  const state = { loggedIn: true, databases: [], buckets: [], workers: {}, pages: {}, migrations: [], calls: [], ...overrides };
  writeFileSync(stateFile, JSON.stringify(state));
}
const account = () => JSON.parse(readFileSync(stateFile, "utf8"));
const calls = () => account().calls.map((c) => c.args.join(" "));
const output = () => logs.join("\n");

function deploy(opts = {}) {
  return runDeploy({
    root,
    wrangler: fakeWrangler,
    build: [join(root, "build.mjs")],
    log: (line) => logs.push(line),
    processEnv: { ...process.env, FAKE_WRANGLER_STATE: stateFile },
    ...opts,
  });
}

describe("npm run deploy, first run on an empty account", () => {
  it("creates the database, bucket and Pages project, migrates, sets secrets with the upload and prints the setup link", async () => {
    const result = await deploy();
    const state = account();

    expect(state.databases.map((d) => d.name)).toEqual(["gadka"]);
    expect(state.buckets).toEqual(["gadka-files"]);
    expect(Object.keys(state.pages)).toEqual(["gadka-admin"]);
    expect(state.pages["gadka-admin"].productionBranch).toBe("main");
    // Migrations ran against the database just created, before the Worker that needs them.
    const uuid = state.databases[0].uuid;
    expect(state.migrations).toEqual([{ uuid, dir: "../../migrations" }]);
    const order = calls();
    expect(order.findIndex((c) => c.startsWith("d1 migrations apply DB --remote"))).toBeLessThan(
      order.findIndex((c) => /^deploy /.test(c)),
    );

    // Secrets: both set with the first upload, from a file only the user could read, now gone.
    const worker = state.workers.gadka;
    expect(worker.deploys).toBe(1);
    expect(worker.secretsFileMode).toBe("600");
    expect(worker.secrets.TOKEN_SECRET).toMatch(/^[0-9a-f]{64}$/);
    expect(existsSync(join(root, ".wrangler/deploy/secrets.json"))).toBe(false);
    expect(output()).not.toContain(worker.secrets.TOKEN_SECRET);
    expect(worker.vars.ENVIRONMENT).toBe("production");

    // The setup link carries the token whose hash the Worker holds, and is printed once.
    expect(result.workerUrl).toBe("https://gadka.dev-account.workers.dev");
    expect(result.adminUrl).toBe("https://gadka-admin.pages.dev/");
    const token = /#\/setup\?token=(gst_[A-Za-z0-9_-]{43})$/.exec(result.setupUrl)?.[1];
    expect(token).toBeDefined();
    expect(worker.secrets.SETUP_TOKEN_HASH).toBe(sha256(token));
    expect(output().split(token).length - 1).toBe(1);

    // The admin went to its production branch, its API bound to the Worker just deployed.
    const [pagesDeploy] = state.pages["gadka-admin"].deployments;
    expect(pagesDeploy.branch).toBe("main");
    expect(pagesDeploy.services).toEqual([{ binding: "API", service: "gadka" }]);
    expect(pagesDeploy.output).toBe(join(root, "dist/public/admin"));

    // The account's ids live only in the generated config, not in the committed one.
    expect(JSON.parse(readFileSync(join(root, ".wrangler/deploy/wrangler.json"), "utf8")).d1_databases[0].database_id).toBe(uuid);
    expect(readFileSync(join(root, "wrangler.toml"), "utf8")).toBe(readFileSync(join(repo, "wrangler.toml"), "utf8"));
    expect(readFileSync(join(root, "builds.log"), "utf8")).toBe("built\n");
  });
});

describe("npm run deploy, again (an upgrade)", () => {
  it("creates nothing and rotates no secret, and still migrates and deploys both parts", async () => {
    await deploy();
    const before = account();
    const firstCalls = before.calls.length;
    logs = [];
    const result = await deploy();
    const after = account();
    const secondRun = after.calls.slice(firstCalls).map((c) => c.args.join(" "));

    expect(secondRun.filter((c) => / create /.test(` ${c} `))).toEqual([]);
    expect(after.databases).toEqual(before.databases);
    expect(after.workers.gadka.secrets).toEqual(before.workers.gadka.secrets);
    expect(secondRun.find((c) => c.startsWith("deploy "))).not.toContain("--secrets-file");
    expect(after.migrations).toHaveLength(2);
    expect(after.workers.gadka.deploys).toBe(2);
    expect(after.pages["gadka-admin"].deployments).toHaveLength(2);
    expect(result.setupUrl).toBeNull();
    expect(output()).not.toMatch(/gst_/);
    expect(output()).toContain("--new-setup-token");
  });

  it("replaces only the setup token when asked", async () => {
    await deploy();
    const before = account().workers.gadka.secrets;
    const result = await deploy({ newSetupToken: true });
    const after = account().workers.gadka.secrets;
    const token = /token=(gst_[A-Za-z0-9_-]+)$/.exec(result.setupUrl)[1];
    expect(after.TOKEN_SECRET).toBe(before.TOKEN_SECRET);
    expect(after.SETUP_TOKEN_HASH).not.toBe(before.SETUP_TOKEN_HASH);
    expect(after.SETUP_TOKEN_HASH).toBe(sha256(token));
  });
});

describe("npm run deploy on an account that has things already", () => {
  it("reuses a database and bucket of the same names, picking the right id among several", async () => {
    setAccount({
      databases: [
        { uuid: "11111111-1111-4111-8111-111111111111", name: "gadka-staging" },
        { uuid: "22222222-2222-4222-8222-222222222222", name: "gadka" },
      ],
      buckets: ["other", "gadka-files"],
    });
    await deploy();
    const state = account();
    expect(calls().filter((c) => c.includes(" create "))).toEqual(["pages project create gadka-admin --production-branch main"]);
    expect(state.migrations[0].uuid).toBe("22222222-2222-4222-8222-222222222222");
    expect(output()).toContain('D1 database "gadka": exists, reused');
  });

  it("adds only a missing secret to a Worker deployed by hand (TOKEN_SECRET set, no setup token yet)", async () => {
    setAccount({ workers: { gadka: { secrets: { TOKEN_SECRET: "set-by-hand" }, deploys: 1 } } });
    const result = await deploy();
    const secrets = account().workers.gadka.secrets;
    expect(secrets.TOKEN_SECRET).toBe("set-by-hand");
    expect(secrets.SETUP_TOKEN_HASH).toMatch(/^[0-9a-f]{64}$/);
    expect(result.setupUrl).toContain("#/setup?token=gst_");
  });

  it("takes the admin's address from the project (a pages.dev name taken elsewhere gets a suffix)", async () => {
    setAccount({ takenPagesNames: ["gadka-admin"] });
    const result = await deploy();
    expect(result.adminUrl).toBe("https://gadka-admin-4xk.pages.dev/");
    expect(result.setupUrl).toMatch(/^https:\/\/gadka-admin-4xk\.pages\.dev\/#\/setup\?token=gst_/);
  });
});

describe("npm run deploy when something fails", () => {
  it("stops before anything else when not signed in", async () => {
    setAccount({ loggedIn: false });
    await expect(deploy()).rejects.toThrow(/npx wrangler login/);
    expect(calls()).toEqual(["whoami --json"]);
  });

  it("sets no secret and deploys nothing when it cannot tell which secrets exist", async () => {
    setAccount({ failOn: "secret list", failMessage: "fetch failed (ECONNRESET)" });
    await expect(deploy()).rejects.toThrow(/secret list failed[\s\S]*ECONNRESET/);
    expect(calls().some((c) => c.startsWith("deploy"))).toBe(false);
    expect(existsSync(join(root, ".wrangler/deploy/secrets.json"))).toBe(false);
  });

  it("still shows the new setup token when the admin fails after the Worker got its hash", async () => {
    setAccount({ failOn: "pages deploy" });
    await expect(deploy()).rejects.toThrow(/pages deploy/);
    const token = /new setup token \(shown only now\): (gst_[A-Za-z0-9_-]{43})/.exec(output())?.[1];
    expect(token).toBeDefined();
    expect(account().workers.gadka.secrets.SETUP_TOKEN_HASH).toBe(sha256(token));
  });

  it("removes the secrets file when the Worker upload fails, and sets nothing", async () => {
    setAccount({ failOn: "deploy -c" });
    await expect(deploy()).rejects.toThrow(/wrangler deploy/);
    expect(existsSync(join(root, ".wrangler/deploy/secrets.json"))).toBe(false);
    expect(account().workers).toEqual({});
    expect(output()).not.toMatch(/gst_/);
  });
});

describe("npm run deploy -- --env staging", () => {
  it("uses the environment's names and passes --env to every Worker command", async () => {
    writeFileSync(
      join(root, "wrangler.toml"),
      `${readFileSync(join(root, "wrangler.toml"), "utf8")}
[env.staging]
[[env.staging.d1_databases]]
binding = "DB"
database_name = "gadka-staging"
database_id = "00000000-0000-0000-0000-000000000000"
migrations_dir = "migrations"
[[env.staging.r2_buckets]]
binding = "FILES"
bucket_name = "gadka-files-staging"
[env.staging.vars]
ENVIRONMENT = "staging"
`,
    );
    const result = await deploy({ env: "staging" });
    const state = account();
    expect(state.databases.map((d) => d.name)).toEqual(["gadka-staging"]);
    expect(state.buckets).toEqual(["gadka-files-staging"]);
    expect(Object.keys(state.workers)).toEqual(["gadka-staging"]);
    expect(state.pages["gadka-admin-staging"].deployments[0].services).toEqual([{ binding: "API", service: "gadka-staging" }]);
    for (const c of calls().filter((c) => /^(deploy|secret|d1 migrations)/.test(c))) expect(c).toContain("--env staging");
    expect(result.adminUrl).toBe("https://gadka-admin-staging.pages.dev/");
  });

  it("refuses an environment wrangler.toml does not have", async () => {
    await expect(deploy({ env: "nope" })).rejects.toThrow(/no \[env\.nope\] section/);
    expect(calls()).toEqual([]);
  });
});

describe("npm run deploy -- --dry-run", () => {
  it("prints every command of a real run and runs only `wrangler deploy --dry-run`", async () => {
    await deploy({ dryRun: true });
    expect(calls()).toEqual(["deploy --dry-run -c .wrangler/deploy-dry-run/wrangler.json"]);
    const text = output();
    for (const command of [
      "wrangler whoami --json",
      "wrangler d1 list --json",
      "wrangler d1 create gadka",
      "wrangler r2 bucket create gadka-files",
      "wrangler d1 migrations apply DB --remote -c .wrangler/deploy/wrangler.json",
      "wrangler secret list --format json -c .wrangler/deploy/wrangler.json",
      "wrangler deploy -c .wrangler/deploy/wrangler.json --secrets-file .wrangler/deploy/secrets.json",
      "wrangler pages project create gadka-admin --production-branch main",
      "wrangler pages deploy --project-name gadka-admin --branch main --commit-dirty=true",
    ]) {
      expect(text).toContain(command);
    }
    expect(existsSync(join(root, ".wrangler/deploy"))).toBe(false);
    expect(account()).toMatchObject({ databases: [], buckets: [], workers: {}, pages: {} });
  });

  it("runs as CI runs it: the real command on this repository, with no account and no network", () => {
    const home = mkdtempSync(join(tmpdir(), "gadka-home-"));
    mkdirSync(join(home, ".config"), { recursive: true });
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CLOUDFLARE_") && k !== "GADKA_WRANGLER"));
    const closed = "http://127.0.0.1:9"; // nothing listens on the discard port: any request fails
    const run = spawnSync(process.execPath, [join(repo, "scripts/deploy.mjs"), "--dry-run"], {
      cwd: repo,
      encoding: "utf8",
      env: { ...env, HOME: home, XDG_CONFIG_HOME: join(home, ".config"), HTTPS_PROXY: closed, HTTP_PROXY: closed, CI: "true" },
      timeout: 120_000,
    });
    rmSync(home, { recursive: true, force: true });
    expect(run.stderr).not.toMatch(/Deploy stopped/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("wrangler d1 migrations apply DB --remote");
    expect(run.stdout).toContain("Checked: the build, and `wrangler deploy --dry-run`");
  }, 150_000);
});
