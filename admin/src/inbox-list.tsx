/**
 * The conversation list: newest activity first, unread counts, last message preview, filter
 * tabs (open / resolved / all). Older and resolved rows beyond the live snapshot page in from
 * the REST list.
 */
import { useState } from "preact/hooks";
import type { ConversationSummary, SearchResponse } from "../../worker/protocol";
import { api } from "./api";
import { Avatar, visitorLabel } from "./avatar";
import { formatRelative, t, tn } from "./i18n";

export type Filter = "open" | "resolved" | "all";

export function visitorName(c: ConversationSummary): string {
  return c.visitorName ?? t("visitor", { id: visitorLabel(c.visitorId) });
}

export function InboxList(props: {
  siteId: string;
  conversations: ConversationSummary[];
  selected: string | null;
  filter: Filter;
  onFilter: (f: Filter) => void;
  onOlder: (rows: ConversationSummary[]) => void;
  loaded: boolean;
}) {
  const [more, setMore] = useState<{ before: number | null; busy: boolean }>({ before: null, busy: false });
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<SearchResponse["results"] | null>(null);
  const runSearch = async (e: Event) => {
    e.preventDefault();
    if (!query.trim()) return setFound(null);
    setFound((await api.search(props.siteId, query).catch(() => null))?.results ?? []);
  };
  const rows = props.conversations
    .filter((c) => props.filter === "all" || c.status === props.filter)
    .sort((a, b) => b.updatedAt - a.updatedAt);
  const counts = {
    open: props.conversations.filter((c) => c.status === "open").length,
    resolved: props.conversations.filter((c) => c.status === "resolved").length,
  };

  const loadMore = async () => {
    setMore((m) => ({ ...m, busy: true }));
    const oldest = rows[rows.length - 1]?.updatedAt;
    const page = await api.conversations(props.siteId, props.filter, oldest).catch(() => null);
    if (page) props.onOlder(page.conversations);
    setMore({ before: page?.nextBefore ?? null, busy: false });
  };

  return (
    <section class="inbox" aria-label={t("inbox")}>
      <header class="inbox-head">
        <h2>{t("inbox")}</h2>
        <form class="search" role="search" onSubmit={runSearch}>
          <input
            type="search"
            placeholder={t("searchPlaceholder")}
            aria-label={t("searchPlaceholder")}
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              if (!e.currentTarget.value) setFound(null);
            }}
          />
        </form>
        <div class="tabs" role="tablist">
          {(["open", "resolved", "all"] as const).map((f) => (
            <button key={f} role="tab" aria-selected={props.filter === f} class={props.filter === f ? "tab on" : "tab"} onClick={() => props.onFilter(f)}>
              {t(f)}
              {f !== "all" && counts[f] ? <span class="count">{counts[f]}</span> : null}
            </button>
          ))}
        </div>
      </header>
      {found ? (
        <ul class="rows">
          {found.length === 0 ? <li class="empty">{t("noResults")}</li> : null}
          {found.map((r) => {
            const c = props.conversations.find((x) => x.id === r.conversationId);
            return (
              <li key={`${r.conversationId}:${r.seq}`}>
                <a href={`#/inbox/${r.conversationId}`} class={`row ${props.selected === r.conversationId ? "selected" : ""}`}>
                  <div class="row-main">
                    <div class="row-top">
                      <strong>{c ? visitorName(c) : t("visitor", { id: "" })}</strong>
                      <time>{formatRelative(r.createdAt)}</time>
                    </div>
                    <span class={`preview snippet ${r.kind === "note" ? "is-note" : ""}`}>
                      <Snippet text={r.snippet} />
                    </span>
                  </div>
                </a>
              </li>
            );
          })}
        </ul>
      ) : null}
      <ul class="rows" hidden={found !== null}>
        {rows.map((c) => (
          <li key={c.id}>
            <a href={`#/inbox/${c.id}`} class={`row ${props.selected === c.id ? "selected" : ""} ${c.unreadForOperators ? "unread" : ""}`} aria-current={props.selected === c.id}>
              <Avatar name={visitorName(c)} seed={c.visitorId} size={40} />
              <div class="row-main">
                <div class="row-top">
                  <strong>{visitorName(c)}</strong>
                  <time>{formatRelative(c.lastMessageAt ?? c.createdAt)}</time>
                </div>
                <div class="row-bottom">
                  <span class="preview">
                    {c.lastMessageRole === "operator" ? <span class="muted" title={t("answered")}>↩ </span> : null}
                    {c.lastMessagePreview ?? "…"}
                  </span>
                  {c.unreadForOperators ? (
                    <span class="badge" title={tn("unread", c.unreadForOperators)}>
                      {c.unreadForOperators}
                    </span>
                  ) : c.status === "resolved" ? (
                    <span class="pill">{t("resolved")}</span>
                  ) : null}
                </div>
              </div>
            </a>
          </li>
        ))}
      </ul>
      {props.loaded && rows.length === 0 ? (
        <div class="empty">
          <strong>{t("noConversations")}</strong>
          <p>{t("noConversationsHint")}</p>
        </div>
      ) : null}
      {props.filter !== "open" && (rows.length >= 20 || more.before) ? (
        <button class="ghost more" disabled={more.busy} onClick={loadMore}>
          {t("loadMore")}
        </button>
      ) : null}
    </section>
  );
}

/** Search snippets mark matches with U+0002 … U+0003; render them as <mark>, the rest as text. */
function Snippet({ text }: { text: string }) {
  return (
    <>
      {text.split(/(\u0002[^\u0003]*\u0003)/).map((part, i) =>
        part.startsWith("\u0002") ? <mark key={i}>{part.slice(1, -1)}</mark> : part,
      )}
    </>
  );
}
