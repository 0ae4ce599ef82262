/**
 * The Live view: every visitor on the shop now, from the site hub's `live.*` frames (no
 * polling), with ticking time on page and on site, filters, and "Invite": a personal message
 * sent under the operator's name and photo that opens in that visitor's widget.
 */
import { useState } from "preact/hooks";
import type { LiveVisitor, MeResponse } from "../../protocol";
import { api } from "./api";
import { Avatar } from "./avatar";
import { errorText } from "./error-text";
import { t, tn } from "./i18n";
import { formatClock, formatMoney } from "./i18n/format";
import { Modal } from "./modal";
import { deviceLabel, nameOf, pathOf, placeLabel, sourceLabel, useNow } from "./visitor-format";

type ChatFilter = "all" | "chatting" | "idle";
interface LiveFilter {
  chat: ChatFilter;
  returning: boolean;
  cart: boolean;
  q: string;
}

function matches(v: LiveVisitor, f: LiveFilter): boolean {
  if (f.chat === "chatting" && !v.chatting) return false;
  if (f.chat === "idle" && v.chatting) return false;
  if (f.returning && !v.returning) return false;
  if (f.cart && !v.cart?.total) return false;
  const q = f.q.trim().toLowerCase();
  return !q || [v.name, v.email, v.title, v.url].some((x) => x?.toLowerCase().includes(q));
}

export function LiveView({ siteId, me, live }: { siteId: string; me: MeResponse; live: Map<string, LiveVisitor> }) {
  const now = useNow();
  const [filter, setFilter] = useState<LiveFilter>({ chat: "all", returning: false, cart: false, q: "" });
  const [inviting, setInviting] = useState<LiveVisitor | null>(null);
  const [invited, setInvited] = useState(new Map<string, string>());
  // Newest arrivals first; the order of the others stays put while they browse.
  const all = [...live.values()].sort((a, b) => b.visitStartedAt - a.visitStartedAt);
  const rows = all.filter((v) => matches(v, filter));
  const set = (p: Partial<LiveFilter>) => setFilter((f) => ({ ...f, ...p }));

  return (
    <section class="live-view">
      <header class="page-head">
        <div>
          <h2>{t("liveTitle")}</h2>
          <p class="muted">{tn("visitorsNow", all.length)}</p>
        </div>
        <div class="live-filters">
          <div class="tabs" role="tablist">
            {(["all", "chatting", "idle"] as const).map((c) => (
              <button
                type="button"
                key={c}
                role="tab"
                aria-selected={filter.chat === c}
                class={filter.chat === c ? "tab on" : "tab"}
                onClick={() => set({ chat: c })}
              >
                {c === "all" ? t("all") : c === "chatting" ? t("chatting") : t("notChatting")}
              </button>
            ))}
          </div>
          <label class="check">
            <input type="checkbox" checked={filter.returning} onChange={(e) => set({ returning: e.currentTarget.checked })} />
            {t("filter_returning")}
          </label>
          <label class="check">
            <input type="checkbox" checked={filter.cart} onChange={(e) => set({ cart: e.currentTarget.checked })} />
            {t("hasCart")}
          </label>
          <input
            class="live-search"
            type="search"
            value={filter.q}
            placeholder={t("searchVisitors")}
            aria-label={t("searchVisitors")}
            onInput={(e) => set({ q: e.currentTarget.value })}
          />
        </div>
      </header>
      {all.length === 0 ? (
        <div class="empty">
          <strong>{t("liveEmpty")}</strong>
          {t("liveEmptyHint")}
        </div>
      ) : rows.length === 0 ? (
        <div class="empty">{t("liveNone")}</div>
      ) : (
        <div class="table-scroll">
          <table class="live-table">
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
