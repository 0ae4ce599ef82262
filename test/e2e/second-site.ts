// A second shop for the admin's multi-site tests, written straight into the local D1 of the
// running `wrangler dev` (the demo seed has one shop, and no route creates shops). Idempotent.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { root } from "../../scripts/lib/dev-server.mjs";

export const SECOND_SITE = { id: "site_second_e2e", name: "Second Shop", publicKey: "pk_second_shop_e2e" };

/** Adds the second shop with `ownerId` (a seeded operator) as its owner. */
export function addSecondSite(ownerId: string): void {
  const q = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const sql = [
    `INSERT INTO sites (id, name, public_key, allowed_origins, settings, created_at) VALUES (${q(SECOND_SITE.id)}, ${q(SECOND_SITE.name)}, ${q(SECOND_SITE.publicKey)}, '[]', '{}', ${Date.now()}) ON CONFLICT (id) DO NOTHING;`,
    `INSERT INTO memberships (site_id, operator_id, role, created_at, skills) VALUES (${q(SECOND_SITE.id)}, ${q(ownerId)}, 'owner', ${Date.now()}, '[]') ON CONFLICT DO NOTHING;`,
  ].join(" ");
  const r = spawnSync(
    join(root, "node_modules/.bin/wrangler"),
    ["d1", "execute", "DB", "--local", "--persist-to", join(root, ".wrangler/e2e-state"), "--command", sql],
    { cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" } },
  );
  if (r.status !== 0) throw new Error(`adding the second site failed:\n${r.stdout}\n${r.stderr}`);
}
