/**
 * The reports (issue 13): the operator and team report, the weekday × hour heatmap with staffing
 * advice, and common concerns, in the shop's time zone (its business hours' zone). Each reads
 * one rollup per local day — stored by the scheduled handler (report-rollups.ts) or, for days not
 * rolled up yet (today), computed from the raw events by the same code — and merges them.
 * Agents see only their own row of the team report; the rest is for owners and admins.
 */
import {
  type ConcernsReport,
  type DurationStats,
  type HoursReport,
  MAX_CONCERN_MESSAGES,
  MAX_REPORT_DAYS,
  type MemberRole,
  type ReportCsvTable,
  type ReportRange,
  type ReportRangeQuery,
  type SiteSettings,
  type StaffingHour,
  TEAM_TABLE_COLUMNS,
  type TeamReport,
  type TeamReportRow,
  teamTableRows,
} from "../../protocol";
import {
  conversationsIn,
  eventsOfConversationsIn,
  firstMessagesIn,
  membersOf,
  operatorActivity,
  type ReadCounter,
  storedRollups,
} from "../db/report-reads";
import { getSiteSettings } from "../db/sites";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { toCsv } from "../reports/csv";
import { type CsvLang, csvWord } from "../reports/csv-words";
import {
  buildDayRollups,
  type DayRollup,
  type DurationSample,
  emptyDayRollup,
  emptyOperatorDay,
  mergeDayRollup,
  type OperatorDay,
  ROLLUP_VERSION,
} from "../reports/day-rollup";
import { histogramCount, histogramPercentiles } from "../reports/duration-histogram";
import { staffing, staffingVerdict } from "../reports/erlang-c";
import { percentiles } from "../reports/percentiles";
import { commonConcerns } from "../reports/phrases";
import { addDays, HOURS_OF_WEEK, type LocalDay, ZoneClock } from "../reports/time-buckets";
import { visitsPerQuarterHour } from "./visitor-reads";

export interface Viewer {
  id: string;
  role: MemberRole;
}

/** The days of a site whose rollups a report merges, as computed or read. */
interface SiteDays {
  settings: SiteSettings;
  clock: ZoneClock;
  days: { day: LocalDay; rollup: DayRollup }[];
  rolledUpDays: number;
  rawDays: number;
}

const DEFAULT_RANGE_DAYS = 30;

/** The rollups of `days` (oldest first): stored ones where they exist, the others from events. */
export async function rollupsOf(
  env: Env,
  siteId: string,
  settings: SiteSettings,
  clock: ZoneClock,
  days: readonly LocalDay[],
  now: number,
  counter?: ReadCounter,
): Promise<SiteDays> {
  const out: SiteDays = { settings, clock, days: [], rolledUpDays: 0, rawDays: 0 };
  if (!days.length) return out;
  const stored = new Map<string, DayRollup>();
  for (const row of await storedRollups(env.DB, siteId, clock.timeZone, days[0]!.key, days[days.length - 1]!.key, counter)) {
    const data = JSON.parse(row.data) as DayRollup;
    if (data.v === ROLLUP_VERSION) stored.set(row.day, data);
  }
  // Contiguous runs of days without a rollup are computed with one set of reads each.
  let i = 0;
  while (i < days.length) {
    const hit = stored.get(days[i]!.key);
    if (hit) {
      out.days.push({ day: days[i]!, rollup: hit });
      out.rolledUpDays += 1;
      i++;
      continue;
    }
    let j = i;
    while (j < days.length && !stored.has(days[j]!.key)) j++;
    const computed = await computeRollups(env, siteId, settings, clock, days[i]!.start, days[j - 1]!.end, now, counter);
    for (let k = i; k < j; k++) {
      out.days.push({ day: days[k]!, rollup: computed.get(days[k]!.key) ?? emptyDayRollup() });
      out.rawDays += 1;
    }
    i = j;
  }
  return out;
}

/** Rollups of the local days in [start, end) from the raw events, visits and activity. */
export async function computeRollups(
  env: Env,
  siteId: string,
  settings: SiteSettings,
  clock: ZoneClock,
  start: number,
  end: number,
  now: number,
  counter?: ReadCounter,
): Promise<Map<string, DayRollup>> {
  if (start >= now) return new Map();
  const [events, conversations, activity, visits] = await Promise.all([
    eventsOfConversationsIn(env.DB, siteId, start, end, counter),
    conversationsIn(env.DB, siteId, start, end, counter),
    operatorActivity(env.DB, siteId, start, end, counter),
    visitsPerQuarterHour(env, siteId, start, end, counter),
  ]);
  return buildDayRollups({ clock, schedule: settings.businessHours, events, conversations, activity, visits });
}

/** The local days of a report's range; up to today (days after it hold nothing yet). */
function rangeDays(clock: ZoneClock, q: ReportRangeQuery, now: number): LocalDay[] {
  const today = clock.dayKey(now);
  const to = q.to ?? today;
  const from = q.from ?? addDays(today, -((q.days ?? DEFAULT_RANGE_DAYS) - 1));
  const days: LocalDay[] = [];
  for (let key = from; key <= to; key = addDays(key, 1)) {
    if (days.length >= MAX_REPORT_DAYS) throw new ApiError("validation_failed", `A report covers at most ${MAX_REPORT_DAYS} days.`);
    if (key > today) break;
    days.push(clock.day(key));
  }
  return days;
}

/** A report's settings, zone and range as instants [start, end) without reading any rollup (the sales report). */
export async function reportWindow(env: Env, siteId: string, q: ReportRangeQuery, now: number, counter?: ReadCounter) {
  const settings = await getSiteSettings(env.DB, siteId);
  if (counter) counter.statements += 1;
  const clock = new ZoneClock(settings.businessHours.timeZone);
  const days = rangeDays(clock, q, now);
  const today = clock.dayKey(now);
  const range: ReportRange = {
    from: q.from ?? days[0]?.key ?? today,
    to: q.to ?? today,
    timeZone: clock.timeZone,
    rolledUpDays: 0,
    rawDays: days.length,
  };
  const start = days[0]?.start ?? clock.dayStart(today);
  const end = days.length ? days[days.length - 1]!.end : start;
  return { settings, clock, range, start, end };
}

async function siteDays(env: Env, siteId: string, q: ReportRangeQuery, now: number, counter?: ReadCounter) {
  const settings = await getSiteSettings(env.DB, siteId);
  const clock = new ZoneClock(settings.businessHours.timeZone);
  const days = rangeDays(clock, q, now);
  const result = await rollupsOf(env, siteId, settings, clock, days, now, counter);
  const today = clock.dayKey(now);
  const range: ReportRange = {
    from: q.from ?? days[0]?.key ?? today,
    to: q.to ?? today,
    timeZone: clock.timeZone,
    rolledUpDays: result.rolledUpDays,
    rawDays: result.rawDays,
  };
  return { ...result, range };
}

function stats(s: DurationSample): DurationStats {
  const count = histogramCount(s.hist);
  if (count === 0) return { count: 0, p50: null, p90: null, approximate: false };
  if (s.exact && s.exact.length === count) {
    const [p50, p90] = percentiles(s.exact, [0.5, 0.9])!;
    return { count, p50: p50!, p90: p90!, approximate: false };
  }
  const [p50, p90] = histogramPercentiles(s.hist, [0.5, 0.9])!;
  return { count, p50: Math.round(p50!), p90: Math.round(p90!), approximate: true };
}

function row(operatorId: string | null, name: string, o: OperatorDay): TeamReportRow {
  return {
    operatorId,
    name,
    conversations: o.conversations,
    missed: o.missed,
    firstResponse: stats(o.firstResponse),
    firstResponseInHours: stats(o.firstResponseInHours),
    firstResponseOutOfHours: stats(o.firstResponseOutOfHours),
    resolution: stats(o.resolution),
    messages: o.messages,
    peakConcurrent: o.peak,
    meanConcurrent: o.busyMs > 0 ? Math.round((o.heldMs / o.busyMs) * 100) / 100 : null,
    transfers: o.transfers,
    ratings: o.ratings,
    positiveRatings: o.positive,
    csat: o.ratings > 0 ? o.positive / o.ratings : null,
  };
}

function merged(days: SiteDays["days"]): DayRollup {
  const total = emptyDayRollup();
  for (const d of days) mergeDayRollup(total, d.rollup);
  return total;
}

export async function teamReport(env: Env, siteId: string, viewer: Viewer, q: ReportRangeQuery, now: number, counter?: ReadCounter) {
  const [data, members] = await Promise.all([siteDays(env, siteId, q, now, counter), membersOf(env.DB, siteId, counter)]);
  const total = merged(data.days);
  const names = new Map(members.map((m) => [m.id, m.name]));
  const ids = new Set([...members.map((m) => m.id), ...Object.keys(total.operators)]);
  let operators = [...ids].map((id) => row(id, names.get(id) ?? "—", total.operators[id] ?? emptyOperatorDay()));
  operators.sort((a, b) => b.conversations - a.conversations || a.name.localeCompare(b.name));
  const everyone = viewer.role !== "agent";
  if (!everyone) operators = operators.filter((r) => r.operatorId === viewer.id);
  return { range: data.range, team: everyone ? row(null, "", total.team) : null, operators } satisfies TeamReport;
}

function median(values: number[]): number {
  if (!values.length) return 1;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export async function hoursReport(env: Env, siteId: string, q: ReportRangeQuery, now: number, counter?: ReadCounter): Promise<HoursReport> {
  const [data, members] = await Promise.all([siteDays(env, siteId, q, now, counter), membersOf(env.DB, siteId, counter)]);
  const total = merged(data.days);
  const heatmap = Array.from({ length: HOURS_OF_WEEK }, (_, h) => {
    const c = total.hours[String(h)];
    return { hourOfWeek: h, visitors: c?.v ?? 0, conversations: c?.c ?? 0, missed: c?.m ?? 0 };
  });

  // Staffing: the last four complete weeks, whatever the range.
  const weeks = data.clock.lastDays(28, now, { includeToday: false });
  const past = await rollupsOf(env, siteId, data.settings, data.clock, weeks, now, counter);
  const four = merged(past.days);
  const exposure = data.clock.hoursOfWeek(weeks);
  const concurrency = Math.max(1, median(members.map((m) => m.max_chats)));
  const target = data.settings.staffingTarget;
  const meanHandlingSeconds = four.handled > 0 ? four.handledMs / four.handled / 1000 : null;
  const hours: StaffingHour[] = exposure.map((hoursThere, h) => {
    const c = four.hours[String(h)];
    const arrivals = c?.c ?? 0;
    const online = hoursThere > 0 ? (c?.ops ?? 0) / hoursThere : 0;
    const needed =
      meanHandlingSeconds && meanHandlingSeconds > 0 && hoursThere > 0
        ? staffing({
            arrivals,
            periodSeconds: hoursThere * 3600,
            meanHandlingSeconds,
            concurrency,
            target: { share: target.percent / 100, withinSeconds: target.seconds },
          }).operators
        : 0;
    return {
      hourOfWeek: h,
      arrivalsPerHour: hoursThere > 0 ? Math.round((arrivals / hoursThere) * 100) / 100 : 0,
      needed,
      online: Math.round(online * 100) / 100,
      verdict: staffingVerdict(needed, online),
    };
  });
  return {
    range: data.range,
    heatmap,
    staffing: {
      from: weeks[0]!.key,
      to: weeks[weeks.length - 1]!.key,
      target,
      meanHandlingSeconds: meanHandlingSeconds === null ? null : Math.round(meanHandlingSeconds),
      concurrency,
      hours,
    },
  };
}

/** The Monday of the week of `key`. */
function mondayOf(key: string): string {
  const [y, m, d] = key.split("-").map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(key, -weekday);
}

export async function concernsReport(env: Env, siteId: string, q: ReportRangeQuery, now: number, counter?: ReadCounter) {
  const data = await siteDays(env, siteId, q, now, counter);
  const weeks = [...new Set(data.days.map((d) => mondayOf(d.day.key)))];
  const index = new Map(weeks.map((w, i) => [w, i]));
  const topics = new Map<string, number[]>();
  const tags = new Map<string, number[]>();
  const add = (into: Map<string, number[]>, key: string, week: number, n: number) => {
    const counts = into.get(key) ?? new Array<number>(weeks.length).fill(0);
    into.set(key, counts);
    counts[week]! += n;
  };
  for (const d of data.days) {
    const w = index.get(mondayOf(d.day.key))!;
    for (const [k, n] of Object.entries(d.rollup.topics)) add(topics, k, w, n);
    for (const [k, n] of Object.entries(d.rollup.tags)) add(tags, k, w, n);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const byTotal = <K extends string>(m: Map<string, number[]>, key: K) =>
    [...m]
      .map(([k, counts]) => ({ [key]: k, counts }) as { counts: number[] } & Record<K, string>)
      .sort((a, b) => sum(b.counts) - sum(a.counts));
  const first = data.days[0];
  const last = data.days[data.days.length - 1];
  const messages = first && last ? await firstMessagesIn(env.DB, siteId, first.day.start, last.day.end, MAX_CONCERN_MESSAGES, counter) : [];
  const { words, phrases } = commonConcerns(messages, { top: 30, minCount: 2 });
  return {
    range: data.range,
    weeks,
    topics: byTotal(topics, "topic"),
    tags: byTotal(tags, "tag"),
    words,
    phrases,
    messagesRead: messages.length,
  } satisfies ConcernsReport;
}

const WEEKDAY_KEYS = ["wd_mon", "wd_tue", "wd_wed", "wd_thu", "wd_fri", "wd_sat", "wd_sun"] as const;

/** One report table as CSV (worker/reports/csv.ts: BOM, CRLF, no formula injection). */
export async function reportCsv(
  env: Env,
  siteId: string,
  viewer: Viewer,
  table: ReportCsvTable,
  q: ReportRangeQuery,
  now: number,
  lang: CsvLang = "en",
) {
  const w = (key: Parameters<typeof csvWord>[1], vars?: Record<string, string | number>) => csvWord(lang, key, vars);
  if (table === "team") {
    const report = await teamReport(env, siteId, viewer, q, now);
    return toCsv([TEAM_TABLE_COLUMNS.map((c) => w(`col_${c}`)), ...teamTableRows(report, w("teamRow"))]);
  }
  if (viewer.role === "agent") throw new ApiError("forbidden", "Only owners and admins see the team's hours and concerns.");
  if (table === "heatmap" || table === "staffing") {
    const r = await hoursReport(env, siteId, q, now);
    const when = (h: number) => [w(WEEKDAY_KEYS[Math.floor(h / 24)]!), h % 24];
    if (table === "heatmap") {
      return toCsv([
        [w("csvWeekday"), w("hourOfWeek"), w("metric_visitors"), w("metric_conversations"), w("metric_missed")],
        ...r.heatmap.map((c) => [...when(c.hourOfWeek), c.visitors, c.conversations, c.missed]),
      ]);
    }
    return toCsv([
      [w("csvWeekday"), w("hourOfWeek"), w("arrivalsPerHour"), w("operatorsNeeded"), w("operatorsOnline"), w("verdict")],
      ...r.staffing.hours.map((s) => [...when(s.hourOfWeek), s.arrivalsPerHour, s.needed, s.online, w(`verdict_${s.verdict}`)]),
    ]);
  }
  const r = await concernsReport(env, siteId, q, now);
  if (table === "topics") return toCsv([[w("csvTopic"), ...r.weeks], ...r.topics.map((t) => [t.topic, ...t.counts])]);
  if (table === "tags") return toCsv([[w("csvTag"), ...r.weeks], ...r.tags.map((t) => [t.tag, ...t.counts])]);
  const terms = table === "words" ? r.words : r.phrases;
  return toCsv([[w(table === "words" ? "csvWord" : "csvPhrase"), w("col_messages")], ...terms.map((t) => [t.term, t.count])]);
}
