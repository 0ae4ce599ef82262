/**
 * The Visitors page: every visitor the shop has seen, newest activity first, filtered on the
 * server (`GET /api/sites/:siteId/visitors`) and paged with its cursor; the team's saved
 * segments as chips; a row opens the visitor's profile in a drawer. All text, no HTML.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { LiveVisitor, MeResponse, SegmentFilters, VisitorListEntry } from "../../protocol";
import { api } from "./api";
import { Avatar } from "./avatar";
import { t } from "./i18n";
import { formatNumber, formatRelative } from "./i18n/format";
import { SegmentBar } from "./segment-bar";
import { deviceLabel, nameOf, placeLabel, sourceLabel } from "./visitor-format";
import { useVisitorDetails, VisitorSidebar } from "./visitor-sidebar";

const FLAGS = ["returning", "hasOrders", "verified"] as const;
const COUNTRY = /^[A-Za-z]{2}$/;

/** The filters as the server takes them: empty and half-typed values are left out. */
function cleanFilters(f: SegmentFilters): SegmentFilters {
  const out: SegmentFilters = {};
  for (const k of FLAGS) if (f[k]) out[k] = f[k];
  if (f.country && COUNTRY.test(f.country)) out.country = f.country.toUpperCase();
  const source = f.source?.trim().toLowerCase();
  if (source) out.source = source;
  const q = f.q?.trim();
  if (q) out.q = q;
  return out;
}

function filterKey(f: SegmentFilters): string {
  const clean = cleanFilters(f);
  return JSON.stringify(clean, Object.keys(clean).sort());
}

/** `value`, once it has stayed the same for `ms` (typing in a filter box sends one request). */
function useSettled<T>(value: T, key: string, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [key]);
  return settled;
}

interface ListState {
  rows: VisitorListEntry[];
  next: string | null;
  status: "loading" | "ready" | "more" | "error";
}

export function VisitorsView({ siteId, me, live }: { siteId: string; me: MeResponse; live: Map<string, LiveVisitor> }) {
  const [filters, setFilters] = useState<SegmentFilters>({});
  const applied = useSettled(cleanFilters(filters), filterKey(filters));
  const appliedKey = filterKey(applied);
  const [list, setList] = useState<ListState>({ rows: [], next: null, status: "loading" });
  const [open, setOpen] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let stale = false;
    setList((l) => ({ ...l, status: "loading" }));
    api.visitors(siteId, applied).then(
      (r) => !stale && setList({ rows: r.visitors, next: r.nextCursor, status: "ready" }),
      () => !stale && setList({ rows: [], next: null, status: "error" }),
    );
    return () => {
      stale = true;
    };
  }, [siteId, appliedKey, reload]);

  const more = async () => {
    if (!list.next) return;
    setList((l) => ({ ...l, status: "more" }));
    try {
      const r = await api.visitors(siteId, applied, list.next);
      setList((l) => ({
        rows: [...l.rows, ...r.visitors.filter((v) => !l.rows.some((x) => x.id === v.id))],
        next: r.nextCursor,
        status: "ready",
      }));
    } catch {
      setList((l) => ({ ...l, status: "error" }));
    }
  };

  const set = (p: Partial<SegmentFilters>) => setFilters((f) => ({ ...f, ...p }));
  const filtered = Object.keys(cleanFilters(filters)).length > 0;
  const countryBad = !!filters.country && !COUNTRY.test(filters.country);
  const manager = me.sites.find((s) => s.id === siteId)?.role !== "agent";

  return (
    <section class="visitors-view">
      <header class="page-head">
        <div>
          <h2>{t("visitorsTitle")}</h2>
          <p class="muted">{t("visitorsHint")}</p>
        </div>
      </header>
      <SegmentBar siteId={siteId} meId={me.operator.id} manager={manager} filters={cleanFilters(filters)} onApply={setFilters} />
      <div class="visitor-filters" role="search">
        <input
          class="live-search"
          type="search"
          value={filters.q ?? ""}
          placeholder={t("searchPeople")}
          aria-label={t("searchPeople")}
          onInput={(e) => set({ q: e.currentTarget.value })}
        />
        {FLAGS.map((k) => (
          <label key={k} class="select-filter">
            <span>{t(`filter_${k}`)}</span>
            <select value={filters[k] ?? ""} onChange={(e) => set({ [k]: (e.currentTarget.value || undefined) as "1" | "0" | undefined })}>
              <option value="">{t("any")}</option>
              <option value="1">{t("yes")}</option>
              <option value="0">{t("no")}</option>
            </select>
          </label>
        ))}
        <label class="select-filter">
          <span>{t("countryCode")}</span>
          <input
            class={countryBad ? "country invalid" : "country"}
            value={filters.country ?? ""}
            maxLength={2}
            placeholder="PL"
            aria-invalid={countryBad}
            title={t("countryCodeHint")}
            onInput={(e) => set({ country: e.currentTarget.value.toUpperCase() })}
          />
        </label>
        <label class="select-filter">
          <span>{t("colSource")}</span>
          <input
            class="source"
            value={filters.source ?? ""}
            placeholder="google"
            title={t("sourceHint")}
            onInput={(e) => set({ source: e.currentTarget.value })}
          />
        </label>
        {filtered ? (
          <button type="button" class="ghost small" onClick={() => setFilters({})}>
            {t("clearFilters")}
          </button>
        ) : null}
      </div>

      {list.status === "error" && list.rows.length === 0 ? (
        <p class="error">
          {t("genericError")}{" "}
          <button type="button" class="ghost small" onClick={() => setReload((n) => n + 1)}>
            {t("retry")}
          </button>
        </p>
      ) : list.status === "loading" && list.rows.length === 0 ? (
        <div class="empty" aria-busy="true" />
      ) : list.rows.length === 0 ? (
        <div class="empty">
          <strong>{filtered ? t("liveNone") : t("visitorsEmpty")}</strong>
          {filtered ? null : t("liveEmptyHint")}
        </div>
      ) : (
        <>
          <div class="table-scroll">
            <table class="live-table visitor-table" aria-busy={list.status === "loading"}>
              <thead>
                <tr>
                  <th>{t("colVisitor")}</th>
                  <th>{t("colWhere")}</th>
                  <th>{t("visits")}</th>
                  <th>{t("pageViews")}</th>
                  <th>{t("lastSeen")}</th>
                  <th>{t("firstSource")}</th>
                  <th>{t("orders")}</th>
                </tr>
              </thead>
              <tbody>
                {list.rows.map((v) => (
                  <tr key={v.id} data-visitor={v.id} class={open === v.id ? "on" : ""} onClick={() => setOpen(v.id)}>
                    <td>
                      <div class="who-cell">
                        <Avatar name={nameOf(v)} seed={v.id} size={32} />
                        <div>
                          <strong class="live-name">
                            <button
                              type="button"
                              class="row-link"
                              onClick={(e) => {
                                e.stopPropagation();
                                setOpen(v.id);
                              }}
                            >
                              {nameOf(v)}
                            </button>
                            {v.verified ? (
                              <span class="verified" role="img" title={t("verified")} aria-label={t("verified")}>
                                ✓
                              </span>
                            ) : null}
                          </strong>
                          {v.email && v.name ? <span class="muted small">{v.email}</span> : null}
                        </div>
                      </div>
                    </td>
                    <td class="small">
                      <span class="cell-line">{placeLabel(v.country, v.city)}</span>
                      <span class="cell-line muted">{deviceLabel(v.device)}</span>
                    </td>
                    <td class="num">
                      {formatNumber(v.visits)} {v.returning ? <span class="pill returning">{t("returning")}</span> : null}
                    </td>
                    <td class="num">{formatNumber(v.pageViews)}</td>
                    <td class="small">{live.has(v.id) ? <span class="live-dot">{t("onPageNow")}</span> : formatRelative(v.lastSeenAt)}</td>
                    <td class="small">{sourceLabel(v.firstSource)}</td>
                    <td class="num">{v.orders ? formatNumber(v.orders) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {list.status === "error" ? <p class="error">{t("genericError")}</p> : null}
          {list.next ? (
            <button type="button" class="ghost more-visitors" disabled={list.status === "more"} onClick={more}>
              {t("loadMore")}
            </button>
          ) : null}
        </>
      )}
      {open ? (
        <VisitorDrawer
          siteId={siteId}
          visitorId={open}
          live={live.get(open)}
          manager={manager}
          onClose={() => setOpen(null)}
          onErased={() => {
            setOpen(null);
            setReload((n) => n + 1);
          }}
        />
      ) : null}
    </section>
  );
}

/** One visitor's profile beside the list: the conversation pane's sidebar, under a name header. */
function VisitorDrawer(props: {
  siteId: string;
  visitorId: string;
  live: LiveVisitor | undefined;
  manager: boolean;
  onClose: () => void;
  onErased: () => void;
}) {
  const details = useVisitorDetails(props.siteId, props.visitorId, props.live);
  const profile = details?.profile;
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props.onClose]);
  // Keyboard users land in the drawer when it opens and back on the row that opened it when it closes.
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    return () => before?.isConnected && before.focus();
  }, []);
  const name = profile ? nameOf(profile) : nameOf({ id: props.visitorId, name: null, email: null });
  return (
    <aside class="drawer details" aria-label={name}>
      <header class="drawer-head">
        <Avatar name={name} seed={props.visitorId} size={40} />
        <div class="who">
          <strong>
            {name}
            {profile?.externalId ? (
              profile.verified ? (
                <span class="verified">✓ {t("verified")}</span>
              ) : (
                <span class="unverified" title={t("unverifiedHint")}>
                  {t("unverified")}
                </span>
              )
            ) : null}
          </strong>
          {profile?.email && profile.name ? <span class="muted small">{profile.email}</span> : null}
        </div>
        <button ref={closeButton} type="button" class="ghost small" aria-label={t("close")} onClick={props.onClose}>
          ✕
        </button>
      </header>
      <VisitorSidebar
        siteId={props.siteId}
        details={details}
        live={props.live}
        conversationId=""
        manager={props.manager}
        onErased={props.onErased}
      />
    </aside>
  );
}
