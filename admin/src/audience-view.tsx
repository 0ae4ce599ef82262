/**
 * The audience page: where visitors came from, on what devices, from which countries, and how
 * many were new or returning, over a chosen period (`GET /api/sites/:siteId/audience`).
 */
import { useEffect, useState } from "preact/hooks";
import type { AudienceResponse } from "../../protocol";
import { api } from "./api";
import { t } from "./i18n";
import { formatNumber, formatPercent, regionName } from "./i18n/format";

const PERIODS = [7, 30, 90] as const;
type Period = (typeof PERIODS)[number];

function Bars({ title, rows }: { title: string; rows: { label: string; value: number }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const total = rows.reduce((n, r) => n + r.value, 0) || 1;
  return (
    <section class="card">
      <h3>{title}</h3>
      {rows.length === 0 ? (
        <p class="muted small">{t("noData")}</p>
      ) : (
        <ul class="bars">
          {rows.map((r) => (
            <li key={r.label}>
              <span class="bar-label" title={r.label}>
                {r.label}
              </span>
              <span class="bar">
                <i style={{ width: `${(r.value / max) * 100}%` }} />
              </span>
              <span class="bar-value">
                {formatNumber(r.value)} <span class="muted small">{formatPercent(r.value / total)}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function AudienceView({ siteId }: { siteId: string }) {
  const [days, setDays] = useState<Period>(30);
  const [data, setData] = useState<AudienceResponse | null | undefined>(undefined);
  useEffect(() => {
    let stale = false;
    setData(undefined);
    const to = Date.now();
    api.audience(siteId, to - days * 86_400_000, to).then(
      (d) => !stale && setData(d),
      () => !stale && setData(null),
    );
    return () => {
      stale = true;
    };
  }, [siteId, days]);

  const share = data?.visitors ? data.returningVisitors / data.visitors : 0;
  return (
    <section class="audience">
      <header class="page-head">
        <h2>{t("audienceTitle")}</h2>
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
      {data === undefined ? (
        <div class="empty" aria-busy="true" />
      ) : data === null ? (
        <p class="error">{t("genericError")}</p>
      ) : (
        <>
          <div class="stats">
            <div class="stat">
              <span class="muted small">{t("visitorsTotal")}</span>
              <strong>{formatNumber(data.visitors)}</strong>
            </div>
            <div class="stat">
              <span class="muted small">{t("visits")}</span>
              <strong>{formatNumber(data.visits)}</strong>
            </div>
            <div class="stat">
              <span class="muted small">{t("pageViews")}</span>
              <strong>{formatNumber(data.pageViews)}</strong>
            </div>
            <div class="stat wide">
              <span class="muted small">{t("newVsReturning")}</span>
              <div
                class="split"
                role="img"
                aria-label={`${t("newVisitors")} ${formatNumber(data.newVisitors)}, ${t("returningVisitors")} ${formatNumber(data.returningVisitors)}`}
              >
                <i class="new" style={{ flex: data.newVisitors || 0 }} />
                <i class="returning" style={{ flex: data.returningVisitors || 0 }} />
              </div>
              <span class="small">
                <b class="key new" /> {t("newVisitors")} {formatNumber(data.newVisitors)} · <b class="key returning" />{" "}
                {t("returningVisitors")} {formatNumber(data.returningVisitors)} ({formatPercent(share)})
              </span>
            </div>
          </div>
          <div class="cards">
            <Bars
              title={t("sources")}
              rows={data.sources.map((s) => ({ label: s.source === "direct" ? t("direct") : s.source, value: s.visits }))}
            />
            <Bars
              title={t("devices")}
              rows={data.devices.map((d) => ({ label: d.type === "unknown" ? t("unknown") : t(`device_${d.type}`), value: d.visits }))}
            />
            <Bars title={t("countries")} rows={data.countries.map((c) => ({ label: regionName(c.country), value: c.visits }))} />
            <Bars title={t("browsers")} rows={data.browsers.map((b) => ({ label: b.browser, value: b.visits }))} />
          </div>
        </>
      )}
    </section>
  );
}
