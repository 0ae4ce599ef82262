// The deployment operator's visitor-shard jobs against a running deployment (issue 10):
//   node scripts/tracking-jobs.mjs migrate <base-url> [siteId…]     D1 tracking rows → shards (every site if none named)
//   node scripts/tracking-jobs.mjs reshard <base-url> <siteId> <N>  raise a site's shard count to N (a power of two)
// The deploy token comes from GADKA_DEPLOY_TOKEN (its SHA-256 is the Worker secret DEPLOY_TOKEN_HASH).
// Each request is one bounded step of the job; this repeats it until the job answers done, so it
// can be stopped and started again at any time.
const [job, base, ...rest] = process.argv.slice(2);
const token = process.env.GADKA_DEPLOY_TOKEN;
if (!job || !base || !token || !["migrate", "reshard"].includes(job)) {
  console.error("usage: GADKA_DEPLOY_TOKEN=… node scripts/tracking-jobs.mjs migrate|reshard <base-url> …");
  process.exit(2);
}
const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

async function call(method, path, body) {
  const r = await fetch(new URL(path, base), { method, headers, body: body ? JSON.stringify(body) : undefined });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

async function untilDone(path, body) {
  for (;;) {
    const step = await call("POST", path, body);
    if (step.done) return step;
    if (step.waiting) {
      console.log(`  waiting for ${step.waiting}…`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    } else {
      console.log(`  moved ${step.moved}${step.total !== undefined ? ` (${step.total} so far)` : ""}`);
    }
  }
}

if (job === "migrate") {
  const sites = rest.length ? rest : (await call("GET", "/api/deploy/sites")).sites.map((s) => s.id);
  for (const siteId of sites) {
    console.log(`site ${siteId}: moving D1's tracking rows into its shards`);
    const done = await untilDone(`/api/deploy/sites/${encodeURIComponent(siteId)}/migrate-tracking`);
    console.log(`site ${siteId}: done (${done.total} visitors)`);
  }
} else {
  const [siteId, n] = rest;
  console.log(`site ${siteId}: resharding to ${n}`);
  await untilDone(`/api/deploy/sites/${encodeURIComponent(siteId)}/reshard`, { shards: Number(n) });
  console.log(`site ${siteId}: done`);
}
