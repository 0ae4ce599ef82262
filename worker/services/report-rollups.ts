/**
 * Daily report rollups (issue 13), run by the scheduled handler every hour: for each site with
 * recent conversations, the complete local days of the last BACKFILL_DAYS that have no rollup
 * (or one of another time zone), and the last RECENT_DAYS again when their rollup is older than
 * REFRESH_MS — a conversation first written on a day may be answered, resolved or rated days
 * later. Bounded per run; a re-run replaces rows with the same numbers (idempotent).
 */

import { storeRollups } from "../db/report-reads";
import { readSettings } from "../db/sites";
import type { Env } from "../env";
import { emptyDayRollup } from "../reports/day-rollup";
import { ZoneClock } from "../reports/time-buckets";
import { computeRollups } from "./reports";

/** The rollups' cron in wrangler.toml (any other cron is the retention job). Not exported by the entry: it may export only handlers. */
export const REPORT_ROLLUP_CRON = "47 * * * *";
/** Days whose conversations may still change: rolled again while they are this recent. */
export const RECENT_DAYS = 7;
/** How far back a missing rollup is made (a 90-day report reads rollups only). */
export const BACKFILL_DAYS = 92;
/** A recent day's rollup is made again when older than this. */
export const REFRESH_MS = 6 * 3_600_000;
const DAYS_PER_SITE_PER_RUN = 31;
const SITES_PER_RUN = 500;

export async function runReportRollups(env: Env, now: number): Promise<{ siteId: string; days: number }[]> {
  const since = now - (BACKFILL_DAYS + 1) * 86_400_000;
  const { results: sites } = await env.DB.prepare(
    `SELECT id, settings FROM sites s WHERE EXISTS (
       SELECT 1 FROM conversation_events e WHERE e.site_id = s.id AND e.type = 'visitor_first_message' AND e.at >= ?1)
     ORDER BY id LIMIT ?2`,
  )
    .bind(since, SITES_PER_RUN)
    .all<{ id: string; settings: string }>();
  const report: { siteId: string; days: number }[] = [];
  for (const site of sites) {
    try {
      report.push({ siteId: site.id, days: await rollSite(env, site.id, site.settings, now) });
    } catch (err) {
      console.error("report rollup failed for a site; the next run retries", { siteId: site.id, error: String(err) });
    }
  }
  return report;
}

async function rollSite(env: Env, siteId: string, settingsJson: string, now: number): Promise<number> {
  const settings = readSettings(settingsJson);
  const clock = new ZoneClock(settings.businessHours.timeZone);
  const days = clock.lastDays(BACKFILL_DAYS, now, { includeToday: false });
  const { results: stored } = await env.DB.prepare("SELECT day, time_zone, computed_at FROM report_days WHERE site_id = ?1 AND day >= ?2")
    .bind(siteId, days[0]!.key)
    .all<{ day: string; time_zone: string; computed_at: number }>();
  const byDay = new Map(stored.map((r) => [r.day, r]));
  const recentFrom = days.length - RECENT_DAYS;
  const due = days.filter((d, i) => {
    const row = byDay.get(d.key);
    if (!row || row.time_zone !== clock.timeZone) return true;
    return i >= recentFrom && row.computed_at < now - REFRESH_MS;
  });
  // Newest first within the run's bound; then contiguous runs, one set of reads each.
  const chosen = due.slice(-DAYS_PER_SITE_PER_RUN);
  let i = 0;
  while (i < chosen.length) {
    let j = i + 1;
    while (j < chosen.length && chosen[j]!.start === chosen[j - 1]!.end) j++;
    const run = chosen.slice(i, j);
    const computed = await computeRollups(env, siteId, settings, clock, run[0]!.start, run[run.length - 1]!.end, now);
    await storeRollups(
      env.DB,
      siteId,
      clock.timeZone,
      now,
      run.map((d) => ({ day: d.key, data: JSON.stringify(computed.get(d.key) ?? emptyDayRollup()) })),
    );
    i = j;
  }
  return chosen.length;
}
