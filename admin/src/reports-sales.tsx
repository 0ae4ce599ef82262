/**
 * The reports page's Sales section (issue 13): orders influenced and assisted by chats per
 * currency (never summed across) for the shop, per operator, per trigger and per hour of the
 * order, a uPlot chart of influenced revenue by hour, and each trigger's uplift against its
 * control group with its 95% interval in words ("+2.1 pp (95% CI −0.4 to +4.6): not enough data
 * yet"). Part of the reports chunk.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { SalesReport, SalesRow, TriggerUplift, UpliftEstimate, UpliftReadiness } from "../../protocol";
import { currentLang, t } from "./i18n";
import { formatMoney, formatNumber } from "./i18n/format";

const SALES_COLUMNS = ["influencedOrders", "influencedRevenue", "assistedOrders", "assistedRevenue"] as const;

function SalesTable({ id, title, rows, label }: { id: string; title: string; rows: SalesRow[]; label: (r: SalesRow) => string }) {
  return (
    <>
      <h4 id={id}>{title}</h4>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled region must take focus for arrow-key scrolling */}
      <div class="table-scroll" tabIndex={0} role="region" aria-labelledby={id}>
        <table class="report-table" data-table={id}>
          <thead>
            <tr>
              <th scope="col">{t("col_key")}</th>
              <th scope="col">{t("col_currency")}</th>
              {SALES_COLUMNS.map((c) => (
                <th key={c} scope="col">
                  {t(`col_${c}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.key}/${r.currency}`}>
                <th scope="row">{label(r)}</th>
                <td>{r.currency}</td>
                <td data-raw={r.influencedOrders}>{formatNumber(r.influencedOrders)}</td>
                <td data-raw={r.influencedRevenue}>{formatMoney(r.influencedRevenue, r.currency)}</td>
                <td data-raw={r.assistedOrders}>{formatNumber(r.assistedOrders)}</td>
                <td data-raw={r.assistedRevenue}>{formatMoney(r.assistedRevenue, r.currency)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** Influenced revenue by hour of the order, one line per currency (uPlot). */
function HoursChart({ rows }: { rows: SalesRow[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el || rows.length === 0) return;
    const currencies = [...new Set(rows.map((r) => r.currency))].sort();
    const colours = ["#4f46e5", "#dc2626", "#059669", "#d97706"];
    const hours = Array.from({ length: 24 }, (_, h) => h);
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 200,
        scales: { x: { time: false } },
        series: [
          { label: t("col_key"), value: (_u, v) => (v === null ? "—" : `${String(v).padStart(2, "0")}:00`) },
          ...currencies.map((c, i) => ({
            label: c,
            stroke: colours[i % colours.length],
            width: 2,
            paths: uPlot.paths.bars?.({ size: [0.6] }),
          })),
        ],
      },
      [
        hours,
        ...currencies.map((c) => hours.map((h) => rows.find((r) => r.key === String(h) && r.currency === c)?.influencedRevenue ?? 0)),
      ],
      el,
    );
    return () => plot.destroy();
  }, [rows]);
  return <div ref={box} class="chart" role="img" aria-label={t("salesByHour")} />;
}

const signed = (n: number, digits: number) =>
  new Intl.NumberFormat(currentLang(), { minimumFractionDigits: digits, maximumFractionDigits: digits, signDisplay: "exceptZero" }).format(
    n,
  );

function verdict(readiness: UpliftReadiness): string {
  return readiness.ready ? t("upliftMeasured") : t(`upliftWait_${readiness.reason}`);
}

/** "+2.1 pp (95% CI −0.4 to +4.6): not enough data yet". */
export function conversionText(d: UpliftEstimate | null, readiness: UpliftReadiness): string {
  if (!d) return t("upliftNoEstimate");
  const pp = (x: number) => signed(x * 100, 1);
  return `${t("upliftPp", { value: pp(d.value), lower: pp(d.lower), upper: pp(d.upper) })}: ${verdict(readiness)}`;
}

function moneyText(d: UpliftEstimate | null, readiness: UpliftReadiness, currency: string): string {
  if (!d) return t("upliftNoEstimate");
  const m = (x: number) => (x > 0 ? "+" : "") + formatMoney(x, currency);
  return `${t("upliftMoney", { value: m(d.value), lower: m(d.lower), upper: m(d.upper) })}: ${verdict(readiness)}`;
}

function UpliftTable({ rows }: { rows: TriggerUplift[] }) {
  const group = (g: { visitors: number; converted: number }) => `${formatNumber(g.converted)} / ${formatNumber(g.visitors)}`;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled region must take focus for arrow-key scrolling
    <div class="table-scroll" tabIndex={0} role="region" aria-labelledby="uplift">
      <table class="report-table" data-table="uplift">
        <thead>
          <tr>
            <th scope="col">{t("col_trigger")}</th>
            <th scope="col">{t("col_shownGroup")}</th>
            <th scope="col">{t("col_controlGroup")}</th>
            <th scope="col">{t("col_conversionUplift")}</th>
            <th scope="col">{t("col_revenueUplift")}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((u) => (
            <tr key={`${u.triggerId}/${u.salt}`} class={u.conversion.readiness.ready ? "uplift-ready" : "uplift-wait"}>
              <th scope="row">{u.name ?? u.triggerId}</th>
              <td>{group(u.shown)}</td>
              <td>{group(u.control)}</td>
              <td>{conversionText(u.conversion.difference, u.conversion.readiness)}</td>
              <td>
                {u.revenue.length === 0
                  ? "—"
                  : u.revenue.map((m) => (
                      <div key={m.currency}>
                        {m.currency}: {moneyText(m.difference, m.readiness, m.currency)}
                      </div>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SalesSection({ report, manager }: { report: SalesReport; manager: boolean }) {
  const hour = (r: SalesRow) => `${r.key.padStart(2, "0")}:00`;
  const empty = report.operators.length === 0 && report.shop.length === 0;
  return (
    <>
      <section class="card report-card" data-section="sales">
        <header class="report-head">
          <h3 id="sales">{t("salesTitle")}</h3>
        </header>
        <p class="muted small">{t("salesNote", { days: report.windowDays })}</p>
        {empty ? (
          <p class="muted small">{t("salesEmpty")}</p>
        ) : (
          <>
            {manager && <SalesTable id="sales-shop" title={t("salesShop")} rows={report.shop} label={() => t("salesShop")} />}
            <SalesTable
              id="sales-operators"
              title={t("salesByOperator")}
              rows={report.operators}
              label={(r) => report.operators.find((o) => o.key === r.key)?.name ?? r.key}
            />
            {manager && <p class="muted small">{t("salesOperatorNote")}</p>}
            {manager &&
              (report.triggers.length > 0 ? (
                <SalesTable
                  id="sales-triggers"
                  title={t("salesByTrigger")}
                  rows={report.triggers}
                  label={(r) => report.triggers.find((x) => x.key === r.key)?.name ?? r.key}
                />
              ) : (
                !report.triggerCredit && <p class="muted small">{t("salesNoTriggerCredit")}</p>
              ))}
            {manager && report.hours.length > 0 && (
              <>
                <SalesTable id="sales-hours" title={t("salesByHour")} rows={report.hours} label={hour} />
                <HoursChart rows={report.hours} />
              </>
            )}
          </>
        )}
      </section>
      {manager && (
        <section class="card report-card" data-section="uplift">
          <header class="report-head">
            <h3 id="uplift">{t("upliftTitle")}</h3>
          </header>
          <p class="muted small">{t("upliftNote", { days: report.windowDays })}</p>
          {report.uplift.length === 0 ? <p class="muted small">{t("upliftNone")}</p> : <UpliftTable rows={report.uplift} />}
        </section>
      )}
    </>
  );
}
