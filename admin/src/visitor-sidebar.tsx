/**
 * Who the operator is talking to: the visitor's profile, this visit's page trail (reloaded when
 * the Live frames say the visitor moved), repeat interest, cart, orders, earlier visits and
 * conversations. Read from `GET /api/sites/:siteId/visitors/:visitorId`; all text, no HTML.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ConversationStatus, LiveVisitor, PageView, VisitorDetailsResponse } from "../../protocol";
import { CONVERSATION_STATUSES } from "../../protocol/models";
import { api } from "./api";
import { t, tn } from "./i18n";
import { formatClock, formatDateTime, formatDuration, formatMoney, formatNumber, formatRelative, languageName } from "./i18n/format";
import { deviceLabel, pathOf, placeLabel, sourceLabel, useNow } from "./visitor-format";

export function useVisitorDetails(siteId: string, visitorId: string | null, live: LiveVisitor | undefined) {
  const [details, setDetails] = useState<VisitorDetailsResponse | null | undefined>(undefined);
  // Reads of one visitor are numbered: the newest answer that arrived wins. A read is never thrown
  // away because the Live frames changed meanwhile (a busy shop's frames can come faster than a
  // read answers), only when the operator opened another visitor.
  const seq = useRef({ key: "", sent: 0, shown: 0 });
  // A new page, a cart change or the visitor arriving/leaving: read the profile again.
  const liveKey = live ? `${live.url}|${live.pageSince}|${live.cart?.total ?? ""}|${live.name ?? ""}|${live.chatting}` : "gone";
  useEffect(() => {
    if (!visitorId) return;
    const s = seq.current;
    const key = `${siteId}|${visitorId}`;
    if (s.key !== key) {
      s.key = key;
      s.shown = 0;
      setDetails(undefined);
    }
    const n = ++s.sent;
    const apply = (d: VisitorDetailsResponse | null, failed: boolean) => {
      if (s.key !== key || n < s.shown) return;
      s.shown = n;
      setDetails((prev) => (failed ? (prev ?? null) : d));
    };
    api.visitor(siteId, visitorId).then(
      (d) => apply(d, false),
      () => apply(null, true),
    );
  }, [siteId, visitorId, liveKey]);
  return details;
}

export function VisitorSidebar(props: {
  siteId: string;
  details: VisitorDetailsResponse | null | undefined;
  live: LiveVisitor | undefined;
  conversationId: string;
  /** Owners and admins may export and erase a visitor (GDPR). */
  manager: boolean;
  /** After an erasure; by default back to the inbox, since the open conversation is gone. */
  onErased?: () => void;
}) {
  const { siteId, details, live, conversationId } = props;
  const now = useNow();
  if (details === undefined) return <p class="muted small">{t("loadingVisitor")}</p>;
  if (details === null) return <p class="muted small">{t("visitorUnavailable")}</p>;
  const { profile: p } = details;
  const attributes = Object.entries(p.attributes ?? {});
  const pages = details.currentVisit?.pages ?? [];

  return (
    <div class="visitor-sidebar">
      <section>
        <h4>{t("profile")}</h4>
        <dl class="facts">
          <dt>{t("firstSeen")}</dt>
          <dd>{formatDateTime(p.firstSeenAt)}</dd>
          <dt>{t("lastSeen")}</dt>
          <dd>{live ? <span class="live-dot">{t("onPageNow")}</span> : formatRelative(p.lastSeenAt)}</dd>
          <dt>{t("visits")}</dt>
          <dd>
            {formatNumber(p.visits)}{" "}
            <span class={p.returning ? "pill returning" : "pill new"}>{p.returning ? t("returning") : t("newVisitor")}</span>
          </dd>
          <dt>{t("pageViews")}</dt>
          <dd>{formatNumber(p.pageViews)}</dd>
          <dt>{t("timeOnSite")}</dt>
          <dd>{formatDuration(p.timeOnSiteMs)}</dd>
          <dt>{t("firstSource")}</dt>
          <dd>{sourceLabel(p.firstSource)}</dd>
          <dt>{t("latestSource")}</dt>
          <dd>{sourceLabel(p.lastSource)}</dd>
          <dt>{t("device")}</dt>
          <dd>{deviceLabel(p.device)}</dd>
          <dt>{t("location")}</dt>
          <dd>{placeLabel(p.country, p.city)}</dd>
          {p.language ? (
            <>
              <dt>{t("language")}</dt>
              <dd>{languageName(p.language)}</dd>
            </>
          ) : null}
          {p.externalId ? (
            <>
              <dt>ID</dt>
              <dd class="mono">{p.externalId}</dd>
            </>
          ) : null}
        </dl>
        {attributes.length ? (
          <>
            <h5>{t("attributes")}</h5>
            <dl class="attrs">
              {attributes.map(([k, v]) => (
                <>
                  <dt key={`k${k}`}>{k}</dt>
                  <dd key={`v${k}`}>{v === null ? "—" : String(v)}</dd>
                </>
              ))}
            </dl>
          </>
        ) : null}
      </section>

      {details.currentVisit ? (
        <section class="trail-section">
          <h4>{t("thisVisit")}</h4>
          <p class="muted small visit-source">{sourceLabel(details.currentVisit.visit.source)}</p>
          <ol class="trail">
            {[...pages].reverse().map((pv: PageView, i) => (
              <li key={`${pv.at}-${i}`} class={i === 0 && pv.durationMs === null ? "current" : ""}>
                <span class="trail-title" title={pv.url}>
                  {pv.title || pathOf(pv.url)}
                </span>
                <span class="muted small">
                  {pathOf(pv.url)} · {pv.durationMs === null ? (live ? formatClock(now - pv.at) : "—") : formatClock(pv.durationMs)}
                </span>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      {details.interest.length ? (
        <section>
          <h4>{t("interest")}</h4>
          <ul class="interest">
            {details.interest.map((s) => (
              <li key={s.url}>
                <strong>{s.title || pathOf(s.url)}</strong>
                <span class="muted small">
                  {tn("viewedTimes", s.views)} {tn("inVisits", s.visits)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {details.cart?.items.length ? (
        <section>
          <h4>
            {t("cart")} <span class="sum">{formatMoney(details.cart.total, details.cart.currency)}</span>
          </h4>
          <ul class="items">
            {details.cart.items.map((it) => (
              <li key={it.id}>
                <span>
                  {it.quantity && it.quantity > 1 ? `${it.quantity} × ` : ""}
                  {it.name ?? it.id}
                </span>
                {it.price !== undefined ? <span class="muted">{formatMoney(it.price, details.cart!.currency)}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section>
        <h4>
          {t("orders")}
          {details.totalSpent.length ? (
            <span class="sum">{details.totalSpent.map((s) => formatMoney(s.amount, s.currency)).join(" + ")}</span>
          ) : null}
        </h4>
        {details.orders.length ? (
          <ul class="items">
            {details.orders.map((o) => (
              <li key={o.id}>
                <span>
                  #{o.id} <span class="muted small">{formatDateTime(o.createdAt)}</span>
                </span>
                <span>{formatMoney(o.total, o.currency)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted small">{t("noOrders")}</p>
        )}
      </section>

      {details.previousVisits.length ? (
        <section>
          <h4>{t("previousVisits")}</h4>
          <ul class="items">
            {details.previousVisits.map((v) => (
              <li key={v.id}>
                <span>{formatDateTime(v.startedAt)}</span>
                <span class="muted small">
                  {tn("pages", v.pageViews)} · {sourceLabel(v.source)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {details.conversations.length > 1 || (details.conversations[0] && details.conversations[0].id !== conversationId) ? (
        <section>
          <h4>{t("conversationsTitle")}</h4>
          <ul class="items">
            {details.conversations.map((c) => (
              <li key={c.id}>
                {c.id === conversationId ? (
                  <span>
                    {formatDateTime(c.createdAt)} <span class="muted small">({t("thisConversation")})</span>
                  </span>
                ) : (
                  <a href={`#/inbox/${c.id}`}>{formatDateTime(c.createdAt)}</a>
                )}
                <span class="muted small preview">{c.lastMessagePreview ?? statusLabel(c.status)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {props.manager ? (
        <section class="privacy">
          <h4>{t("privacy")}</h4>
          <a class="ghost small" href={`/api/sites/${encodeURIComponent(siteId)}/visitors/${encodeURIComponent(p.id)}/export`} download>
            {t("exportData")}
          </a>
          <button
            type="button"
            class="ghost small danger"
            onClick={async () => {
              if (!confirm(t("eraseConfirm"))) return;
              await api
                .eraseVisitor(siteId, p.id)
                .then(props.onErased ?? (() => (location.hash = "#/inbox")), () => alert(t("genericError")));
            }}
          >
            {t("eraseVisitor")}
          </button>
        </section>
      ) : null}
    </div>
  );
}

/** One conversation's state ("Resolved"); the profile API types it as a plain string. */
function statusLabel(status: string): string {
  return (CONVERSATION_STATUSES as readonly string[]).includes(status) ? t(`status_${status as ConversationStatus}`) : status;
}
