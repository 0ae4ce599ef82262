// The visitor shards' hourly rollups (issue 10), with one shard and with four: Audience from the
// rollups equals the raw sums of the visits for any period (whole hours, cut hours, one hour,
// 90 days), and stays equal after page views, a moved visit, retention, a slot dropped after a
// reshard and an erase; the v3 migration counts the visits a shard already held; a 90-day
// Audience reads rollup rows, not visits; the reports' heatmap counts visitors from the shards.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { AudienceResponse, HoursReport } from "../../protocol";
import { migrateShard } from "../../worker/do/shard-schema";
import type { VisitorShard } from "../../worker/do/visitor-shard";
import { shardName, shardOf, slotOf } from "../../worker/lib/shards";
import { ZoneClock } from "../../worker/reports/time-buckets";
import { api, login, seedSite } from "./helpers";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SOURCES = ["direct", "google", "news", "facebook"];
const DEVICES = ["desktop", "mobile", "tablet", null];
const BROWSERS = ["Chrome", "Safari", "Firefox", null];
const COUNTRIES = ["PL", "FI", "DE", null];

/** A deterministic generator, so a failure reproduces. */
function lcg(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

describe.each([1, 4])("with %i visitor shard(s)", (shards) => {
  const siteId = `site_ru${shards}`;
  let owner: string;
  const stub = (shard: number) => env.VISITOR_SHARD.getByName(shardName(siteId, shard));
  const now = Date.now();

  /** Seeds `n` visits over the last `days` days straight into the visitors' shards (triggers fire as for any writer). */
  async function seedVisits(n: number, days: number, seed: number, prefix: string): Promise<void> {
    const rnd = lcg(seed);
    const byShard = new Map<number, unknown[][]>();
    for (let i = 0; i < n; i++) {
      const visitor = `v_${prefix}${Math.floor(rnd() * (n / 3))}`;
      const started = now - Math.floor(rnd() * days * DAY);
      const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]!;
      const row = [
        `vi_${prefix}${i}`,
        siteId,
        visitor,
        started,
        started + 60_000,
        1 + Math.floor(rnd() * 5),
        pick(SOURCES),
        pick(DEVICES),
        pick(BROWSERS),
        pick(COUNTRIES),
      ];
      const s = shardOf(visitor, shards);
      byShard.set(s, [...(byShard.get(s) ?? []), row]);
    }
    for (const [s, rows] of byShard) {
      await stub(s).audiencePart(siteId, s, 0, 1, 1); // binds the shard and brings its schema to v3
      await runInDurableObject(stub(s), (_: VisitorShard, state) => {
        for (const r of rows) {
          state.storage.sql.exec(
            `INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, page_views, source_label, device_type, browser, country)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            ...(r as SqlStorageValue[]),
          );
          state.storage.sql.exec(
            "INSERT OR IGNORE INTO visitors (site_id, id, first_seen_at, last_seen_at, slot) VALUES (?, ?, ?, ?, ?)",
            siteId,
            r[2] as string,
            r[3] as number,
            r[4] as number,
            slotOf(r[2] as string),
          );
        }
      });
    }
  }

  /** Every shard's rollup answer next to its raw one, for the period. */
  async function expectEqualToRaw(from: number, to: number): Promise<void> {
    for (let s = 0; s < shards; s++) {
      const [rolled, raw] = await Promise.all([
        stub(s).audiencePart(siteId, s, from, to, 100),
        stub(s).audienceRaw(siteId, s, from, to, 100),
      ]);
      expect(rolled, `shard ${s}, ${from}–${to}`).toEqual(raw);
    }
  }

  const periods = () => [
    [now - 90 * DAY, now + 1], // 90 days to now: whole hours plus the current one
    [now - 30 * DAY + 1234, now - 2 * DAY - 777], // cut hours at both ends
    [Math.floor(now / HOUR) * HOUR - 5 * HOUR, Math.floor(now / HOUR) * HOUR - 2 * HOUR], // whole hours only
    [now - 3 * HOUR + 10, now - 3 * HOUR + 1_800_000], // inside one hour
    [now - 200 * DAY, now - 100 * DAY], // before every visit
  ];

  beforeAll(async () => {
    await seedSite({ id: siteId, key: `pk_ru${shards}`, shards }, [
      { id: `op_ru${shards}`, email: `o@ru${shards}.test`, name: "O", role: "owner" },
    ]);
    owner = await login(`o@ru${shards}.test`);
    await seedVisits(1500, 100, 7 + shards, "a");
  });

  it("answers Audience from the rollups with the raw sums, for any period, and through the route", async () => {
    for (const [from, to] of periods()) await expectEqualToRaw(from!, to!);
    const from = now - 90 * DAY;
    const to = now + 1;
    const r = await api(`/api/sites/${siteId}/audience?from=${from}&to=${to}`, { cookie: owner });
    expect(r.status).toBe(200);
    const a = (await r.json()) as AudienceResponse;
    const raws = await Promise.all(Array.from({ length: shards }, (_, s) => stub(s).audienceRaw(siteId, s, from, to, 100)));
    expect(a.visits).toBe(raws.reduce((n, p) => n + p.visits, 0));
    expect(a.pageViews).toBe(raws.reduce((n, p) => n + p.pageViews, 0));
    expect(a.visitors).toBe(raws.reduce((n, p) => n + p.visitors, 0));
    const google = raws.reduce((n, p) => n + (p.sources.find((x) => x.source === "google")?.visits ?? 0), 0);
    expect(a.sources.find((x) => x.source === "google")?.visits).toBe(google);
    expect(a.visits).toBeGreaterThan(1000);
  });

  it("reads rollup rows, not visits, for a 90-day Audience of a busy shop", async () => {
    // A shop of its own: 200 visits an hour for the last 12 hours.
    const busy = `site_rb${shards}`;
    await seedSite({ id: busy, key: `pk_rb${shards}`, shards }, []);
    const busyStub = (s: number) => env.VISITOR_SHARD.getByName(shardName(busy, s));
    const rnd = lcg(99);
    const rows: { id: string; visitor: string; at: number }[] = [];
    for (let i = 0; i < 2400; i++) rows.push({ id: `vi_busy${i}`, visitor: `v_busy${i % 800}`, at: now - Math.floor(rnd() * 12 * HOUR) });
    const from = now - 90 * DAY;
    let read = 0;
    let bound = 0;
    let visits = 0;
    for (let s = 0; s < shards; s++) {
      const mine = rows.filter((r) => shardOf(r.visitor, shards) === s);
      await busyStub(s).audiencePart(busy, s, 0, 1, 1);
      await runInDurableObject(busyStub(s), (_: VisitorShard, state) => {
        for (const r of mine) {
          state.storage.sql.exec(
            "INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, page_views, source_label, device_type, browser, country) VALUES (?, ?, ?, ?, ?, 2, 'google', 'mobile', 'Safari', 'PL')",
            r.id,
            busy,
            r.visitor,
            r.at,
            r.at,
          );
        }
      });
      const before = (await busyStub(s).stats()).rollupRowsRead;
      const rolled = await busyStub(s).audiencePart(busy, s, from, now + 1, 100);
      expect(rolled).toEqual(await busyStub(s).audienceRaw(busy, s, from, now + 1, 100));
      read += (await busyStub(s).stats()).rollupRowsRead - before;
      const cut = mine.filter((r) => r.at >= Math.floor(now / HOUR) * HOUR).length;
      // Five rollup rows an hour (the total and one key of each breakdown) over the 11–12 whole
      // hours; the current hour's visits once for the totals and twice (a GROUP BY) per
      // breakdown; an index seek or two for each of the ten edge statements.
      bound += 5 * 13 + 9 * cut + 20;
      visits += mine.length;
    }
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThanOrEqual(bound);
    expect(read).toBeLessThan(visits);
  });

  it("stays equal after page views, a moved visit, retention, a dropped slot and an erase", async () => {
    const s = 0;
    await runInDurableObject(stub(s), (_: VisitorShard, state) => {
      const sql = state.storage.sql;
      const ids = sql
        .exec("SELECT id FROM visits ORDER BY id LIMIT 20")
        .toArray()
        .map((r) => String(r.id));
      for (const id of ids.slice(0, 10)) sql.exec("UPDATE visits SET page_views = page_views + 1, last_at = last_at + 1 WHERE id = ?", id);
      sql.exec("UPDATE visits SET country = 'SE', started_at = started_at - 7200000 WHERE id = ?", ids[10]!);
      sql.exec("UPDATE visits SET last_at = last_at + 5 WHERE id = ?", ids[11]!); // a held ping written: no rollup row
    });
    for (const [from, to] of periods()) await expectEqualToRaw(from!, to!);
    // Retention: activity before 60 days ago goes, and its rollups with it.
    expect(await stub(s).deleteActivityBefore(siteId, s, now - 60 * DAY, 10_000)).toBeGreaterThan(0);
    for (const [from, to] of periods()) await expectEqualToRaw(from!, to!);
    const quiet = await stub(s).audiencePart(siteId, s, now - 200 * DAY, now - 61 * DAY, 100);
    expect(quiet.visits).toBe(0);
    // A reshard's dropped slot and an erase: the visitors' visits leave the counts.
    const [slot, victim] = await runInDurableObject(stub(s), (_: VisitorShard, state) => {
      const r = state.storage.sql.exec("SELECT slot, id FROM visitors ORDER BY id LIMIT 2").toArray();
      return [Number(r[0]!.slot), String(r[1]!.id)] as const;
    });
    await stub(s).dropSlot(siteId, s, slot);
    await stub(s).erase(siteId, s, [victim]);
    for (const [from, to] of periods()) await expectEqualToRaw(from!, to!);
    // Nothing below zero, nothing left over: every rollup row still counts visits.
    const leftovers = await runInDurableObject(stub(s), (_: VisitorShard, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM rollup_hours WHERE visits <= 0 AND page_views <= 0").one(),
    );
    expect(leftovers.n).toBe(0);
  });

  it("counts the visits a shard held before v3 once, when it migrates", async () => {
    const s = shards - 1;
    const before = await stub(s).audiencePart(siteId, s, now - 90 * DAY, now + 1, 100);
    await runInDurableObject(stub(s), (_: VisitorShard, state) => {
      const sql = state.storage.sql;
      for (const t of ["visits_rollup_add", "visits_rollup_remove", "visits_rollup_views", "visits_rollup_move"])
        sql.exec(`DROP TRIGGER ${t}`);
      sql.exec("DROP TABLE rollup_hours");
      sql.exec("DROP TABLE rollup_quarters");
      sql.exec("DROP TABLE handed_over");
      sql.exec("UPDATE schema_version SET version = 2");
      expect(migrateShard(sql)).toBe(2);
    });
    expect(await stub(s).audiencePart(siteId, s, now - 90 * DAY, now + 1, 100)).toEqual(before);
    for (const [from, to] of periods()) await expectEqualToRaw(from!, to!);
  });

  it("feeds the reports' heatmap visitors from the shards' rollups, in the shop's zone", async () => {
    const clock = new ZoneClock("UTC");
    const day = clock.lastDays(3, now, { includeToday: false })[0]!;
    const hoursSite = `site_rh${shards}`;
    await seedSite({ id: hoursSite, key: `pk_rh${shards}`, shards }, [
      { id: `op_rh${shards}`, email: `h@ru${shards}.test`, name: "H", role: "owner" },
    ]);
    const cookie = await login(`h@ru${shards}.test`);
    const at = [day.start + 10 * HOUR + 5 * 60_000, day.start + 10 * HOUR + 50 * 60_000, day.start + 11 * HOUR + 10 * 60_000];
    for (const [i, t] of at.entries()) {
      const visitor = `v_rh${i}`;
      const s = shardOf(visitor, shards);
      const st = env.VISITOR_SHARD.getByName(shardName(hoursSite, s));
      await st.audiencePart(hoursSite, s, 0, 1, 1);
      await runInDurableObject(st, (_: VisitorShard, state) => {
        state.storage.sql.exec(
          "INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, page_views, source_label) VALUES (?, ?, ?, ?, ?, 1, 'direct')",
          `vi_rh${i}`,
          hoursSite,
          visitor,
          t,
          t,
        );
      });
    }
    const r = await api(`/api/sites/${hoursSite}/reports/hours?from=${day.key}&to=${day.key}`, { cookie });
    expect(r.status).toBe(200);
    const report = (await r.json()) as HoursReport;
    const zone = new ZoneClock(report.range.timeZone);
    const expected = new Map<number, number>();
    for (const t of at) expected.set(zone.hourOfWeek(t), (expected.get(zone.hourOfWeek(t)) ?? 0) + 1);
    const got = new Map(report.heatmap.filter((c) => c.visitors).map((c) => [c.hourOfWeek, c.visitors]));
    expect(got).toEqual(expected);
  });
});
