/**
 * The reports page (issue 13), its own chunk with uPlot, loaded only when an operator opens it:
 * the operator and team table (agents: their own row), the weekday × hour heatmap, staffing
 * advice next to the operators online (chart and table, under- and over-staffed hours marked) and
 * common concerns. Every table has a CSV download of the same cells (the server writes it with
 * worker/reports/csv.ts; the team table's cells come from the one `teamTableRows`).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import {
  type ConcernsReport,
  type HoursReport,
  type MemberRole,
  type ReportCsvTable,
  type SalesReport,
  TEAM_TABLE_COLUMNS,
  type TeamReport,
  teamTableRows,
} from "../../protocol";
import { api } from "./api";
import { currentLang, t } from "./i18n";
import { formatNumber } from "./i18n/format";
import { SalesSection } from "./reports-sales";

const PERIODS = [7, 30, 90] as const;
type Period = (typeof PERIODS)[number];
const WEEKDAY_KEYS = ["wd_mon", "wd_tue", "wd_wed", "wd_thu", "wd_fri", "wd_sat", "wd_sun"] as const;
const weekday = (hourOfWeek: number) => t(WEEKDAY_KEYS[Math.floor(hourOfWeek / 24)]!);
const hourLabel = (hourOfWeek: number) => `${String(hourOfWeek % 24).padStart(2, "0")}:00`;

function CsvLink({ siteId, table, days, label }: { siteId: string; table: ReportCsvTable; days: Period; label?: string }) {
  return (
    <a class="csv-link" href={api.reportCsvUrl(siteId, table, days, currentLang())} download data-csv={table}>
      {label ?? t("downloadCsv")}
    </a>
  );
}

/** A wide table's box: focusable, so keyboard users can scroll it sideways (axe: scrollable-region-focusable). */
function ScrollRegion({ labelledBy, children }: { labelledBy: string; children: preact.ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled region must take focus for arrow-key scrolling
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={labelledBy}>
      {children}
    </div>
  );
}

function cellText(v: string | number | null): string {
  return v === null ? "—" : typeof v === "number" ? formatNumber(v) : v;
}

function TeamTable({ report, siteId, days }: { report: TeamReport; siteId: string; days: Period }) {
  const rows = teamTableRows(report, t("teamRow"));
  return (
    <section class="card report-card">
      <header class="report-head">
        <h3 id="team-report">{t("teamReport")}</h3>
        <CsvLink siteId={siteId} table="team" days={days} />
      </header>
      <ScrollRegion labelledBy="team-report">
        <table class="report-table" data-table="team">
          <thead>
            <tr>
              {TEAM_TABLE_COLUMNS.map((c) => (
                <th key={c} scope="col">
                  {t(`col_${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={String(r[0]) + i} class={i === 0 && report.team ? "team-total" : ""}>
                {r.map((v, j) =>
                  j === 0 ? (
                    <th key={TEAM_TABLE_COLUMNS[j]} scope="row">
                      {cellText(v)}
                    </th>
                  ) : (
                    <td key={TEAM_TABLE_COLUMNS[j]} data-raw={v ?? ""}>
                      {cellText(v)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      <p class="muted small">{t("teamReportNote", { zone: report.range.timeZone })}</p>
    </section>
  );
}

type HeatMetric = "conversations" | "missed" | "visitors";

function Heatmap({ report, siteId, days }: { report: HoursReport; siteId: string; days: Period }) {
  const [metric, setMetric] = useState<HeatMetric>("conversations");
  const max = Math.max(1, ...report.heatmap.map((c) => c[metric]));
  return (
    <section class="card report-card">
      <header class="report-head">
        <h3 id="heatmap">{t("heatmap")}</h3>
        <label>
          <span class="sr-only">{t("heatmapMetric")}</span>
          <select value={metric} onChange={(e) => setMetric(e.currentTarget.value as HeatMetric)}>
            <option value="conversations">{t("metric_conversations")}</option>
            <option value="missed">{t("metric_missed")}</option>
            <option value="visitors">{t("metric_visitors")}</option>
          </select>
        </label>
        <CsvLink siteId={siteId} table="heatmap" days={days} />
      </header>
      <ScrollRegion labelledBy="heatmap">
        <table class="heatmap">
          <thead>
            <tr>
              <td />
              {Array.from({ length: 24 }, (_, h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {WEEKDAY_KEYS.map((k, d) => (
              <tr key={k}>
                <th scope="row">{t(k)}</th>
                {report.heatmap.slice(d * 24, d * 24 + 24).map((c) => (
                  <td
                    key={c.hourOfWeek}
                    class={c[metric] / max > 0.5 ? "hot" : undefined}
                    style={{ "--heat": String(c[metric] / max) }}
                    title={`${weekday(c.hourOfWeek)} ${hourLabel(c.hourOfWeek)}: ${formatNumber(c[metric])}`}
                  >
                    {c[metric] ? formatNumber(c[metric]) : ""}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
    </section>
  );
}

/** Needed and online operators over the 168 hours of the week (uPlot). */
function StaffingChart({ report }: { report: HoursReport }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const hours = report.staffing.hours;
    const width = Math.max(320, el.clientWidth);
    const plot = new uPlot(
      {
        width,
        height: 220,
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(2, Math.ceil(max) + 1)] } },
        axes: [{ values: (_u, ticks) => ticks.map((v) => (v % 24 === 0 ? t(WEEKDAY_KEYS[Math.floor(v / 24) % 7]!) : "")), space: 30 }, {}],
        series: [
          { label: t("hourOfWeek"), value: (_u, v) => (v === null ? "—" : `${weekday(v)} ${hourLabel(v)}`) },
          { label: t("operatorsNeeded"), stroke: "#dc2626", width: 2, paths: uPlot.paths.stepped?.({ align: 1 }) },
          { label: t("operatorsOnline"), stroke: "#4f46e5", width: 2, paths: uPlot.paths.stepped?.({ align: 1 }) },
        ],
      },
      [hours.map((h) => h.hourOfWeek), hours.map((h) => h.needed), hours.map((h) => h.online)],
      el,
    );
    return () => plot.destroy();
  }, [report]);
  return <div ref={box} class="chart" role="img" aria-label={t("staffingChart")} />;
}

function Staffing({ report, siteId, days }: { report: HoursReport; siteId: string; days: Period }) {
  const s = report.staffing;
  const busy = s.hours.filter((h) => h.needed > 0 || h.online > 0);
  return (
    <section class="card report-card">
      <header class="report-head">
        <h3 id="staffing">{t("staffing")}</h3>
        <CsvLink siteId={siteId} table="staffing" days={days} />
      </header>
      <p class="muted small">
        {t("staffingNote", {
          percent: s.target.percent,
          seconds: s.target.seconds,
          from: s.from,
          to: s.to,
          aht: s.meanHandlingSeconds === null ? "—" : formatNumber(s.meanHandlingSeconds),
          cap: s.concurrency,
        })}
      </p>
      <StaffingChart report={report} />
      {busy.length === 0 ? (
        <p class="muted small">{t("reportNoData")}</p>
      ) : (
        <ScrollRegion labelledBy="staffing">
          <table class="report-table" data-table="staffing">
            <thead>
              <tr>
                <th scope="col">{t("hourOfWeek")}</th>
                <th scope="col">{t("arrivalsPerHour")}</th>
                <th scope="col">{t("operatorsNeeded")}</th>
                <th scope="col">{t("operatorsOnline")}</th>
                <th scope="col">{t("verdict")}</th>
              </tr>
            </thead>
            <tbody>
              {busy.map((h) => (
                <tr key={h.hourOfWeek} class={`verdict-${h.verdict}`}>
                  <th scope="row">
                    {weekday(h.hourOfWeek)} {hourLabel(h.hourOfWeek)}
                  </th>
                  <td>{formatNumber(h.arrivalsPerHour)}</td>
                  <td>{formatNumber(h.needed)}</td>
                  <td>{formatNumber(h.online)}</td>
                  <td>{t(`verdict_${h.verdict}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </section>
  );
}

function Terms({
  title,
  rows,
  siteId,
  table,
  days,
}: {
  title: string;
  rows: { term: string; count: number }[];
  siteId: string;
  table: ReportCsvTable;
  days: Period;
}) {
  return (
    <section class="card report-card">
      <header class="report-head">
        <h3>{title}</h3>
        <CsvLink siteId={siteId} table={table} days={days} />
      </header>
      {rows.length === 0 ? (
        <p class="muted small">{t("reportNoData")}</p>
      ) : (
        <ol class="terms">
          {rows.map((r) => (
            <li key={r.term}>
              <span>{r.term}</span> <span class="muted">{formatNumber(r.count)}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

function Topics({ report, siteId, days }: { report: ConcernsReport; siteId: string; days: Period }) {
  const rows = [
    ...report.topics.map((r) => ({ key: `topic:${r.topic}`, label: r.topic || t("noTopic"), counts: r.counts })),
    ...report.tags.map((r) => ({ key: `tag:${r.tag}`, label: `#${r.tag}`, counts: r.counts })),
  ];
  return (
    <section class="card report-card">
      <header class="report-head">
        <h3 id="topics">{t("topicsOverTime")}</h3>
        <CsvLink siteId={siteId} table="topics" days={days} label={t("csvTopics")} />
        <CsvLink siteId={siteId} table="tags" days={days} label={t("csvTags")} />
      </header>
      {rows.length === 0 ? (
        <p class="muted small">{t("reportNoData")}</p>
      ) : (
        <ScrollRegion labelledBy="topics">
          <table class="report-table">
            <thead>
              <tr>
                <th scope="col">{t("topicOrTag")}</th>
                {report.weeks.map((w) => (
                  <th key={w} scope="col">
                    {t("weekOf", { day: w })}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.key}>
                  <th scope="row">{r.label}</th>
                  {r.counts.map((n, i) => (
                    <td key={report.weeks[i]}>{formatNumber(n)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </section>
  );
}

export function ReportsView({ siteId, role }: { siteId: string; role: MemberRole }) {
  const [days, setDays] = useState<Period>(30);
  const [team, setTeam] = useState<TeamReport | null | undefined>(undefined);
  const [hours, setHours] = useState<HoursReport | null | undefined>(undefined);
  const [concerns, setConcerns] = useState<ConcernsReport | null | undefined>(undefined);
  const [sales, setSales] = useState<SalesReport | null | undefined>(undefined);
  const manager = role !== "agent";
  useEffect(() => {
    let stale = false;
    const load = <T,>(p: Promise<T>, set: (v: T | null | undefined) => void) => {
      set(undefined);
      p.then(
        (v) => !stale && set(v),
        () => !stale && set(null),
      );
    };
    load(api.teamReport(siteId, days), setTeam);
    load(api.salesReport(siteId, days), setSales);
    if (manager) {
      load(api.hoursReport(siteId, days), setHours);
      load(api.concernsReport(siteId, days), setConcerns);
    }
    return () => {
      stale = true;
    };
  }, [siteId, days, manager]);

  const body = <T,>(data: T | null | undefined, draw: (d: T) => preact.JSX.Element) =>
    data === undefined ? <div class="empty" aria-busy="true" /> : data === null ? <p class="error">{t("genericError")}</p> : draw(data);

  return (
    <section class="reports">
      <header class="page-head">
        <h2>{t("reportsTitle")}</h2>
        <label class="period">
          <span class="sr-only">{t("period")}</span>
          <select value={days} onChange={(e) => setDays(Number(e.currentTarget.value) as Period)}>
            {PERIODS.map((p) => (
              <option key={p} value={p}>
                {t(`period_${p}`)}
              </option>
            ))}
          </select>
        </label>
      </header>
      {body(team, (d) => (
        <TeamTable report={d} siteId={siteId} days={days} />
      ))}
      {body(sales, (d) => (
        <SalesSection report={d} manager={manager} />
      ))}
      {manager ? (
        <>
          {body(hours, (d) => (
            <>
              <Heatmap report={d} siteId={siteId} days={days} />
              <Staffing report={d} siteId={siteId} days={days} />
            </>
          ))}
          {body(concerns, (d) => (
            <>
              <Topics report={d} siteId={siteId} days={days} />
              <div class="cards">
                <Terms title={t("frequentWords")} rows={d.words} siteId={siteId} table="words" days={days} />
                <Terms title={t("frequentPhrases")} rows={d.phrases} siteId={siteId} table="phrases" days={days} />
              </div>
            </>
          ))}
        </>
      ) : (
        <p class="muted small">{t("reportsAgentNote")}</p>
      )}
    </section>
  );
}
