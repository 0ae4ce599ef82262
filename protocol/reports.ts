/**
 * Reports (issue 13): satisfaction ratings from the widget, the operator and team report, the
 * weekday × hour heatmap with staffing advice, and common concerns — the queries the admin sends
 * and the answers it gets. Times are epoch ms; days are the shop's local days ("YYYY-MM-DD").
 */
import * as v from "valibot";
import { MAX_RATING_COMMENT_CHARS } from "./limits";

/** The widget's scales: three faces (1 sad, 2 neutral, 3 happy) or five points (1–5). */
export const RATING_SCALES = ["faces3", "points5"] as const;
export type RatingScale = (typeof RATING_SCALES)[number];

/** Positive for CSAT: the happy face, or 4 and 5 of five points (the industry's "top two boxes"). */
export function isPositiveRating(scale: RatingScale, score: number): boolean {
  return scale === "faces3" ? score === 3 : score >= 4;
}

/** `POST /api/widget/rating` (chat token): the visitor rates their resolved conversation. */
export const RatingBody = v.pipe(
  v.object({
    scale: v.picklist(RATING_SCALES),
    score: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)),
    comment: v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(MAX_RATING_COMMENT_CHARS))), null),
  }),
  v.check((b) => b.scale === "points5" || b.score <= 3, "a three-face rating is 1, 2 or 3"),
);
export type RatingBody = v.InferOutput<typeof RatingBody>;

/** A conversation's latest rating, as the admin shows it. */
export interface ConversationRating {
  scale: RatingScale;
  score: number;
  positive: boolean;
  comment: string | null;
  at: number;
  /** The operator credited (who held the conversation when it was rated). */
  operatorId: string | null;
}

export const MAX_REPORT_DAYS = 366;
const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;
const isCalendarDay = (key: string) => {
  const [y, m, d] = key.split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
};
const DayKey = v.pipe(v.string(), v.regex(DAY_KEY, "a day is YYYY-MM-DD"), v.check(isCalendarDay, "no such date"));

/**
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD` (both included, the shop's local days), at most
 * MAX_REPORT_DAYS days, or `?days=N`; neither: the last 30 days up to today.
 */
export const ReportRangeQuery = v.pipe(
  v.object({
    from: v.optional(DayKey),
    to: v.optional(DayKey),
    /** Instead of from/to: the last `days` days up to today, in the shop's zone. */
    days: v.optional(
      v.pipe(v.string(), v.regex(/^\d{1,3}$/, "days is a whole number"), v.transform(Number), v.minValue(1), v.maxValue(MAX_REPORT_DAYS)),
    ),
  }),
  v.check((q) => (q.from === undefined) === (q.to === undefined), "give both from and to, or neither"),
  v.check((q) => q.days === undefined || q.from === undefined, "give days or from and to, not both"),
  v.check((q) => q.from === undefined || q.to === undefined || q.from <= q.to, "from is on or before to"),
);
export type ReportRangeQuery = v.InferOutput<typeof ReportRangeQuery>;

/** Percentiles of a duration (ms); null when there is nothing to measure. */
export interface DurationStats {
  count: number;
  p50: number | null;
  p90: number | null;
  /** True when read from merged histograms (within 1%), false when exact. */
  approximate: boolean;
}

/** One operator's row, or the team's. */
export interface TeamReportRow {
  /** null for the team row. */
  operatorId: string | null;
  name: string;
  /** Conversations the operator held at some point (the team: every conversation a visitor wrote in). */
  conversations: number;
  /** Of those, never answered by anyone. */
  missed: number;
  firstResponse: DurationStats;
  /** First responses to visitors who wrote inside business hours. */
  firstResponseInHours: DurationStats;
  /** First responses to visitors who wrote outside business hours. */
  firstResponseOutOfHours: DurationStats;
  /** From the visitor's first message to the first resolve. */
  resolution: DurationStats;
  /** Messages in the conversations counted. */
  messages: number;
  /** Most conversations held at the same moment. */
  peakConcurrent: number;
  /** Mean conversations held while holding any (time-weighted). */
  meanConcurrent: number | null;
  /** Conversations transferred away by this operator (the team: all transfers). */
  transfers: number;
  ratings: number;
  positiveRatings: number;
  /** positiveRatings / ratings; null with no ratings. */
  csat: number | null;
}

export interface ReportRange {
  from: string;
  to: string;
  timeZone: string;
  /** Days read from daily rollups, and days computed from raw events. */
  rolledUpDays: number;
  rawDays: number;
}

/** `GET /api/sites/:siteId/reports/team`. Agents get their own row only and no team row. */
export interface TeamReport {
  range: ReportRange;
  team: TeamReportRow | null;
  operators: TeamReportRow[];
}

/** One weekday × hour bucket. `hourOfWeek`: 0 = Monday 00:00 … 167 = Sunday 23:00 (shop's zone). */
export interface HeatmapCell {
  hourOfWeek: number;
  visitors: number;
  conversations: number;
  missed: number;
}

/** Staffing for one hour of the week, from the last 4 complete weeks. */
export interface StaffingHour {
  hourOfWeek: number;
  /** Conversations per hour (mean over the weeks). */
  arrivalsPerHour: number;
  /** Operators Erlang C asks for. */
  needed: number;
  /** Mean operators active then (see README: derived from events). */
  online: number;
  verdict: "under" | "ok" | "over";
}

/** `GET /api/sites/:siteId/reports/hours`: heatmap over the range, staffing over the last 4 weeks. */
export interface HoursReport {
  range: ReportRange;
  heatmap: HeatmapCell[];
  staffing: {
    from: string;
    to: string;
    target: StaffingTarget;
    meanHandlingSeconds: number | null;
    concurrency: number;
    hours: StaffingHour[];
  };
}

/** "percent% answered within seconds s" (site setting `staffingTarget`). */
export const StaffingTarget = v.object({
  percent: v.pipe(v.number(), v.integer(), v.minValue(50), v.maxValue(99)),
  seconds: v.pipe(v.number(), v.integer(), v.minValue(5), v.maxValue(600)),
});
export type StaffingTarget = v.InferOutput<typeof StaffingTarget>;
export const DEFAULT_STAFFING_TARGET: StaffingTarget = { percent: 80, seconds: 20 };

export interface TermCount {
  term: string;
  count: number;
}

/** `GET /api/sites/:siteId/reports/concerns`: topics and tags per week, words of first messages. */
export interface ConcernsReport {
  range: ReportRange;
  /** Monday of each local week in the range (the first may start before `from`). */
  weeks: string[];
  /** Counts per week, in `weeks` order; "" is conversations without a topic. */
  topics: { topic: string; counts: number[] }[];
  tags: { tag: string; counts: number[] }[];
  words: TermCount[];
  phrases: TermCount[];
  /** First messages read for the words (the newest, at most MAX_CONCERN_MESSAGES). */
  messagesRead: number;
}
export const MAX_CONCERN_MESSAGES = 5000;

/** Tables downloadable as CSV: `GET …/reports/<report>.csv?table=…`. */
export const REPORT_CSV_TABLES = ["team", "heatmap", "staffing", "topics", "tags", "words", "phrases"] as const;
export type ReportCsvTable = (typeof REPORT_CSV_TABLES)[number];

/** The team table's columns, in order: the admin's table and the CSV show the same cells. */
export const TEAM_TABLE_COLUMNS = [
  "operator",
  "conversations",
  "missed",
  "firstResponseP50",
  "firstResponseP90",
  "inHoursP50",
  "inHoursP90",
  "outOfHoursP50",
  "outOfHoursP90",
  "resolutionP50",
  "resolutionP90",
  "messages",
  "peakConcurrent",
  "meanConcurrent",
  "transfers",
  "ratings",
  "positiveRatings",
  "csatPercent",
] as const;
export type TeamTableColumn = (typeof TEAM_TABLE_COLUMNS)[number];

const wholeSeconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 1000));

/**
 * The team table's rows (durations in whole seconds, CSAT in whole percent), the team first as
 * `teamName`. One function for the table and the CSV, so they cannot disagree.
 */
export function teamTableRows(report: TeamReport, teamName: string): (string | number | null)[][] {
  const rows = [...(report.team ? [{ ...report.team, name: teamName }] : []), ...report.operators];
  return rows.map((r) => [
    r.name,
    r.conversations,
    r.missed,
    wholeSeconds(r.firstResponse.p50),
    wholeSeconds(r.firstResponse.p90),
    wholeSeconds(r.firstResponseInHours.p50),
    wholeSeconds(r.firstResponseInHours.p90),
    wholeSeconds(r.firstResponseOutOfHours.p50),
    wholeSeconds(r.firstResponseOutOfHours.p90),
    wholeSeconds(r.resolution.p50),
    wholeSeconds(r.resolution.p90),
    r.messages,
    r.peakConcurrent,
    r.meanConcurrent,
    r.transfers,
    r.ratings,
    r.positiveRatings,
    r.csat === null ? null : Math.round(r.csat * 100),
  ]);
}

/** Influenced and assisted orders and revenue of one key in one currency (never summed across). */
export interface SalesRow {
  /** An operator id, a trigger id, an hour of the day "0"–"23" (shop's zone), or "" for the shop. */
  key: string;
  currency: string;
  influencedOrders: number;
  influencedRevenue: number;
  assistedOrders: number;
  assistedRevenue: number;
}

/** An estimate with its 95% interval. */
export interface UpliftEstimate {
  value: number;
  lower: number;
  upper: number;
}

/** Why an uplift is not a result yet (the rule: README, Reports). */
export type UpliftReadiness =
  | { ready: true }
  | { ready: false; reason: "few_visitors" | "few_conversions" | "skewed_revenue" | "wide_interval" };

/** One trigger experiment (trigger and salt): its shown group against its control group. */
export interface TriggerUplift {
  triggerId: string;
  /** The trigger's name, or null when it no longer exists. */
  name: string | null;
  salt: string;
  shown: { visitors: number; converted: number };
  control: { visitors: number; converted: number };
  conversion: {
    shownRate: number | null;
    controlRate: number | null;
    /** Shown − control, as a share (0.021 = +2.1 percentage points). */
    difference: UpliftEstimate | null;
    readiness: UpliftReadiness;
  };
  /** Per currency: revenue per visitor of each arm, and their difference (Welch). */
  revenue: {
    currency: string;
    shownPerVisitor: number | null;
    controlPerVisitor: number | null;
    difference: UpliftEstimate | null;
    readiness: UpliftReadiness;
  }[];
}

/**
 * `GET /api/sites/:siteId/reports/sales`: orders in the range influenced (within the shop's
 * attribution window after a chat) and assisted (within 24 h), per currency for the shop, per
 * operator, per trigger and per hour of the day; and the uplift of each trigger. Agents get only
 * their own operator row, no shop, trigger or hour rows and no uplift.
 */
export interface SalesReport {
  range: ReportRange;
  windowDays: number;
  /** Orders of chatting customers read in the range (influenced or not). */
  ordersRead: number;
  shop: SalesRow[];
  operators: (SalesRow & { name: string })[];
  triggers: (SalesRow & { name: string | null })[];
  hours: SalesRow[];
  uplift: TriggerUplift[];
  /** False while conversations carry no trigger (per-trigger revenue needs `conversations.trigger_id`). */
  triggerCredit: boolean;
}
