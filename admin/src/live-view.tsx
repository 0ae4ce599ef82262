/**
 * The Live view: the visitors on the shop now. The counts and the first entries come pushed in
 * the site hub's `live.summary` (merged from the visitor shards, in the order chosen here); the
 * list is pulled and paged from `GET /api/sites/:siteId/live` with filters, and refreshed when a
 * summary changes. Rows tick time on page and on site; "Invite" sends a personal message under
 * the operator's name and photo that opens in that visitor's widget.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import {
  compareLive,
  DEFAULT_DASHBOARD_SORT,
  LIVE_SORTS,
  LIVE_TOP_K,
  type LiveFilter,
  type LiveListResponse,
  type LiveSort,
  type LiveSummaryFrame,
  type LiveVisitor,
  type MeResponse,
  matchesLive,
} from "../../protocol";
import { api } from "./api";
import { Avatar } from "./avatar";
import { errorText } from "./error-text";
import { t, tn } from "./i18n";
import { formatClock, formatMoney } from "./i18n/format";
import { Modal } from "./modal";
import { deviceLabel, nameOf, pathOf, placeLabel, sourceLabel, useNow } from "./visitor-format";

type ChatFilter = "all" | "chatting" | "idle";
interface Filters {
  chat: ChatFilter;
  returning: boolean;
  cart: boolean;
  q: string;
  country: string;
}
interface Loaded {
  rows: LiveVisitor[];
  nextCursor: string | null;
  pages: number;
  status: "loading" | "ready" | "error";
  error?: string;
}

/** A list refresh after a summary changed waits this long, so a busy shop costs one request a second. */
const REFRESH_MS = 1000;

function toFilter(f: Filters): LiveFilter {
  const q = f.q.trim();
  const country = f.country.trim().toUpperCase();
  return {
    q: q || undefined,
    chatting: f.chat === "all" ? undefined : f.chat === "chatting",
    returning: f.returning || undefined,
    cart: f.cart || undefined,
    country: /^[A-Z]{2}$/.test(country) ? country : undefined,
  };
}

function toQuery(sort: LiveSort, f: LiveFilter, limit: number, cursor?: string): Record<string, string> {
  const out: Record<string, string> = { sort, limit: String(limit) };
  if (f.q) out.q = f.q;
  if (f.chatting !== undefined) out.chatting = f.chatting ? "1" : "0";
  if (f.returning) out.returning = "1";
  if (f.cart) out.cart = "1";
  if (f.country) out.country = f.country;
  if (cursor) out.cursor = cursor;
  return out;
}

/**
 * The rows to show: the pulled pages with the summary's fresher entries laid over them. Where
 * the summary covers a row's place (it holds the first LIVE_TOP_K in this order) and lacks it,
 * that visitor left; entries beyond the last pulled row wait for "Load more", so no gap opens.
 */
function shownRows(summary: LiveSummaryFrame | null, list: Loaded, sort: LiveSort, filter: LiveFilter): LiveVisitor[] {
  const cmp = compareLive(sort);
  const fresh = summary?.sort === sort ? summary.visitors : null;
  const out = new Map<string, LiveVisitor>();
  if (fresh) {
    const byId = new Map(fresh.map((v) => [v.visitorId, v]));
    const complete = fresh.length < LIVE_TOP_K;
    const lastFresh = fresh.at(-1);
    for (const r of list.rows) {
      const f = byId.get(r.visitorId);
      if (f) out.set(r.visitorId, f);
      else if (!(complete || (lastFresh && cmp(r, lastFresh) < 0))) out.set(r.visitorId, r);
    }
    const lastRow = list.rows.at(-1);
    for (const f of fresh) {
      if (!out.has(f.visitorId) && (list.nextCursor === null || !lastRow || cmp(f, lastRow) <= 0)) out.set(f.visitorId, f);
    }
  } else {
    for (const r of list.rows) out.set(r.visitorId, r);
  }
  return [...out.values()].filter((v) => matchesLive(v, filter)).sort(cmp);
}

export function LiveView(props: { siteId: string; me: MeResponse; summary: LiveSummaryFrame | null; watch(sort: LiveSort): void }) {
  const { siteId, me, summary, watch } = props;
  const now = useNow();
  const [sort, setSort] = useState<LiveSort>(DEFAULT_DASHBOARD_SORT);
  const [filters, setFilters] = useState<Filters>({ chat: "all", returning: false, cart: false, q: "", country: "" });
  const [q, setQ] = useState("");
  const [list, setList] = useState<Loaded>({ rows: [], nextCursor: null, pages: 0, status: "loading" });
  const [inviting, setInviting] = useState<LiveVisitor | null>(null);
  const [invited, setInvited] = useState(new Map<string, string>());
  const filter = useMemo(() => toFilter(filters), [filters]);
  const filterKey = JSON.stringify(filter);
  const filtered = filterKey !== "{}";
  const request = useRef(0);
  const set = (p: Partial<Filters>) => setFilters((f) => ({ ...f, ...p }));

  // The hub's summary follows this page's order; the inbox gets chats first back when it closes.
  useEffect(() => watch(sort), [sort]);
  useEffect(() => () => watch(DEFAULT_DASHBOARD_SORT), []);
  // Typing in the search box asks the server once the operator pauses.
  useEffect(() => {
    const timer = setTimeout(() => set({ q }), 250);
    return () => clearTimeout(timer);
  }, [q]);

  const load = async (limit: number, cursor?: string) => {
    const id = ++request.current;
    try {
      const page: LiveListResponse = await api.live(siteId, toQuery(sort, filter, limit, cursor));
      if (id !== request.current) return;
      setList((l) => {
        if (!cursor)
          return { rows: page.visitors, nextCursor: page.nextCursor, pages: Math.max(1, Math.ceil(limit / LIVE_TOP_K)), status: "ready" };
        const seen = new Set(l.rows.map((v) => v.visitorId));
        return {
          rows: [...l.rows, ...page.visitors.filter((v) => !seen.has(v.visitorId))],
          nextCursor: page.nextCursor,
          pages: l.pages + 1,
          status: "ready",
        };
      });
    } catch (err) {
      if (id === request.current) setList((l) => ({ ...l, status: "error", error: errorText(err) }));
    }
  };

  useEffect(() => {
    setList((l) => ({ ...l, status: "loading" }));
    void load(LIVE_TOP_K);
  }, [siteId, sort, filterKey]);

  // A summary changed: the unfiltered first page is the summary itself; deeper or filtered
  // lists are pulled again (as many rows as are shown, up to the route's limit of 200).
  const rowsRef = useRef(list.rows.length);
  rowsRef.current = list.rows.length;
  useEffect(() => {
    if (!summary || (!filtered && list.pages <= 1)) return;
    const timer = setTimeout(() => void load(Math.min(200, Math.max(LIVE_TOP_K, rowsRef.current))), REFRESH_MS);
    return () => clearTimeout(timer);
  }, [summary]);

  const rows = shownRows(summary, list, sort, filter);
  const counts = summary?.counts ?? null;
  const total = counts?.visitors ?? rows.length;

  return (
    <section class="live-view">
      <header class="page-head">
        <div>
          <h2>{t("liveTitle")}</h2>
          <p class="muted">{tn("visitorsNow", total)}</p>
        </div>
        {counts ? (
          <ul class="live-counts" aria-label={t("liveCounts")}>
            <li>
              <strong>{counts.visitors}</strong> {t("liveVisitors")}
            </li>
            <li>
              <strong>{counts.chatting}</strong> {t("liveChatting")}
            </li>
            <li>
              <strong>{counts.withCart}</strong> {t("withCart")}
            </li>
            <li>
              <strong>{counts.returning}</strong> {t("liveReturning")}
            </li>
          </ul>
        ) : null}
      </header>
      <div class="live-filters">
        <div class="tabs" role="group" aria-label={t("colChat")}>
          {(["all", "chatting", "idle"] as const).map((c) => (
            <button
              type="button"
              key={c}
              aria-pressed={filters.chat === c}
              class={filters.chat === c ? "tab on" : "tab"}
              onClick={() => set({ chat: c })}
            >
              {c === "all" ? t("all") : c === "chatting" ? t("chatting") : t("notChatting")}
            </button>
          ))}
        </div>
        <label class="check">
          <input type="checkbox" checked={filters.returning} onChange={(e) => set({ returning: e.currentTarget.checked })} />
          {t("filter_returning")}
        </label>
        <label class="check">
          <input type="checkbox" checked={filters.cart} onChange={(e) => set({ cart: e.currentTarget.checked })} />
          {t("hasCart")}
        </label>
        <input
          class="live-country"
          type="text"
          maxLength={2}
          value={filters.country}
          placeholder={t("countryCode")}
          title={t("countryCodeHint")}
          aria-label={t("countryCode")}
          onInput={(e) => set({ country: e.currentTarget.value })}
        />
        <input
          class="live-search"
          type="search"
          value={q}
          placeholder={t("searchVisitors")}
          aria-label={t("searchVisitors")}
          onInput={(e) => setQ(e.currentTarget.value)}
        />
        <label class="live-sort">
          {t("liveOrder")}
          <select value={sort} onChange={(e) => setSort(e.currentTarget.value as LiveSort)}>
            {LIVE_SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`sort_${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.status === "error" ? <p class="error">{list.error}</p> : null}
      {total === 0 && rows.length === 0 ? (
        <div class="empty">
          <strong>{t("liveEmpty")}</strong>
          {t("liveEmptyHint")}
        </div>
      ) : rows.length === 0 ? (
        <div class="empty">{list.status === "loading" ? "…" : t("liveNone")}</div>
      ) : (
        <div class="table-scroll">
          <table class="live-table" aria-busy={list.status === "loading"}>
            <thead>
              <tr>
                <th>{t("colVisitor")}</th>
                <th>{t("colPage")}</th>
                <th>{t("colOnPage")}</th>
                <th>{t("colOnSite")}</th>
                <th>{t("colSource")}</th>
                <th>{t("colCart")}</th>
                <th>{t("colChat")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((v) => {
                const conversationId = v.conversationId ?? invited.get(v.visitorId) ?? null;
                return (
                  <tr key={v.visitorId} data-visitor={v.visitorId}>
                    <td>
                      <div class="who-cell">
                        <Avatar name={nameOf(v)} seed={v.visitorId} size={32} />
                        <div>
                          <strong class="live-name">
                            <span>{nameOf(v)}</span>
                            {v.verified ? (
                              <span class="verified" role="img" title={t("verified")} aria-label={t("verified")}>
                                ✓
                              </span>
                            ) : null}
                          </strong>
                          <span class="muted small">
                            {placeLabel(v.country)} · {deviceLabel(v.device)}
                          </span>
                        </div>
                        <span class={v.returning ? "pill returning" : "pill new"}>{v.returning ? t("returning") : t("newVisitor")}</span>
                      </div>
                    </td>
                    <td class="live-page">
                      <strong title={v.title ?? v.url}>{v.title || pathOf(v.url)}</strong>
                      {/* The server keeps only http(s) page URLs; checked here too, as a link is clickable. */}
                      <a
                        class="muted small"
                        href={/^https?:\/\//i.test(v.url) ? v.url : undefined}
                        target="_blank"
                        rel="noopener noreferrer"
                      >
                        {pathOf(v.url)}
                      </a>
                    </td>
                    <td class="num" data-ticking>
                      {formatClock(now - v.pageSince)}
                    </td>
                    <td class="num">{formatClock(now - v.visitStartedAt)}</td>
                    <td class="small">{sourceLabel(v.source)}</td>
                    <td class="num">{v.cart?.total ? formatMoney(v.cart.total, v.cart.currency) : "—"}</td>
                    <td class="live-actions">
                      <div>
                        {v.chatting ? (
                          <span class="chat-state on">{t("chatting")}</span>
                        ) : invited.has(v.visitorId) ? (
                          <span class="chat-state">{t("invited")}</span>
                        ) : null}
                        {conversationId ? (
                          <a class="ghost small" href={`#/inbox/${conversationId}`}>
                            {t("openChat")}
                          </a>
                        ) : null}
                        {!v.chatting ? (
                          <button type="button" class="primary small" onClick={() => setInviting(v)}>
                            {t("invite")}
                          </button>
                        ) : null}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {list.nextCursor ? (
            <button
              type="button"
              class="ghost load-more"
              disabled={list.status === "loading"}
              onClick={() => void load(LIVE_TOP_K, list.nextCursor!)}
            >
              {t("loadMore")}
            </button>
          ) : null}
        </div>
      )}
      {inviting ? (
        <InviteDialog
          siteId={siteId}
          me={me}
          visitor={inviting}
          onClose={() => setInviting(null)}
          onSent={(conversationId) => {
            setInvited((m) => new Map(m).set(inviting.visitorId, conversationId));
            setInviting(null);
          }}
        />
      ) : null}
    </section>
  );
}

function InviteDialog(props: {
  siteId: string;
  me: MeResponse;
  visitor: LiveVisitor;
  onClose: () => void;
  onSent: (conversationId: string) => void;
}) {
  const { me, visitor } = props;
  const firstName = me.operator.name.split(/\s+/)[0] ?? me.operator.name;
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async (e: Event) => {
    e.preventDefault();
    if (!text.trim() || busy) return;
    setBusy(true);
    setError(null);
    try {
      const r = await api.invite(props.siteId, visitor.visitorId, text.trim());
      props.onSent(r.conversationId);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };
  return (
    <Modal class="invite" label={t("inviteTitle", { name: nameOf(visitor) })} onClose={props.onClose}>
      <form onSubmit={send}>
        <header>
          <h2>{t("inviteTitle", { name: nameOf(visitor) })}</h2>
          <button type="button" class="ghost small" onClick={props.onClose}>
            {t("cancel")}
          </button>
        </header>
        <p class="muted">{t("inviteHint")}</p>
        <div class="invite-preview">
          <Avatar name={me.operator.name} url={me.operator.avatarUrl} size={32} />
          <span class="small muted">{t("inviteAs", { name: me.operator.name })}</span>
        </div>
        <textarea
          rows={3}
          maxLength={1000}
          value={text}
          autoFocus
          placeholder={t("invitePlaceholder", { name: firstName })}
          aria-label={t("inviteTitle", { name: nameOf(visitor) })}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) send(e);
          }}
        />
        {error ? <p class="error">{error}</p> : null}
        <button class="primary" type="submit" disabled={!text.trim() || busy}>
          {t("sendInvite")}
        </button>
      </form>
    </Modal>
  );
}
