/**
 * The conversation list: newest activity first, unread counts, last message preview, filter
 * tabs (open / resolved / all). Older and resolved rows beyond the live snapshot page in from
 * the REST list.
 */
import { useState } from "preact/hooks";
import type { ConversationStatus, ConversationSummary, Priority, SearchResponse } from "../../protocol";
import { CONVERSATION_STATUSES, PRIORITIES } from "../../protocol/models";
import { api } from "./api";
import { Avatar, visitorLabel } from "./avatar";
import { t, tn } from "./i18n";
import { formatRelative } from "./i18n/format";

export type View = "mine" | "unassigned" | "queue" | "all";
export interface Filter {
  view: View;
  status: ConversationStatus | "any";
  priority: Priority | "any";
  tag: string;
}
export const DEFAULT_FILTER: Filter = { view: "mine", status: "any", priority: "any", tag: "" };

const PRIORITY_ORDER: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };

/** The rows a view and filters show, urgent first, then newest activity. */
export function visibleRows(all: ConversationSummary[], f: Filter, meId: string, queue: string[]): ConversationSummary[] {
  const inView = (c: ConversationSummary) =>
    f.view === "mine"
      ? c.assigneeId === meId
      : f.view === "unassigned"
        ? c.assigneeId === null && c.status !== "resolved"
        : f.view === "queue"
          ? queue.includes(c.id)
          : true;
  const statusOk = (c: ConversationSummary) => (f.status === "any" ? f.view === "all" || c.status !== "resolved" : c.status === f.status);
  return all
    .filter(
      (c) =>
        inView(c) &&
        statusOk(c) &&
        (f.priority === "any" || c.priority === f.priority) &&
        (!f.tag || (c.tags ?? []).includes(f.tag.toLowerCase())),
    )
    .sort((a, b) => PRIORITY_ORDER[a.priority ?? "normal"] - PRIORITY_ORDER[b.priority ?? "normal"] || b.updatedAt - a.updatedAt);
}

const VIEW_LABEL = { mine: "mine", unassigned: "unassignedView", queue: "queueView", all: "all" } as const;

export function visitorName(c: ConversationSummary): string {
  return c.visitorName ?? t("visitor", { id: visitorLabel(c.visitorId) });
}

export function InboxList(props: {
  siteId: string;
  conversations: ConversationSummary[];
  selected: string | null;
  filter: Filter;
  onFilter: (f: Filter) => void;
  meId: string;
  queue: string[];
  onOlder: (rows: ConversationSummary[]) => void;
  loaded: boolean;
}) {
  const [more, setMore] = useState<{ before: string | null; status?: string; busy: boolean }>({ before: null, busy: false });
  const [query, setQuery] = useState("");
  const [found, setFound] = useState<SearchResponse["results"] | null>(null);
  const runSearch = async (e: Event) => {
    e.preventDefault();
    if (!query.trim()) return setFound(null);
    setFound((await api.search(props.siteId, query).catch(() => null))?.results ?? []);
  };
  const f = props.filter;
  const rows = visibleRows(props.conversations, f, props.meId, props.queue);
  const counts: Record<View, number> = {
    mine: visibleRows(props.conversations, { ...DEFAULT_FILTER, view: "mine" }, props.meId, props.queue).length,
    unassigned: visibleRows(props.conversations, { ...DEFAULT_FILTER, view: "unassigned" }, props.meId, props.queue).length,
    queue: props.queue.length,
    all: 0,
  };

  const loadMore = async () => {
    setMore((m) => ({ ...m, busy: true }));
    // The first page comes from the live inbox; later ones from the cursor the last page gave.
    const status = f.status === "any" ? "all" : f.status;
    const oldest = rows[rows.length - 1];
    const cursor = (more.status === status && more.before) || (oldest ? `${oldest.updatedAt}~${oldest.id}` : undefined);
    const page = await api.conversations(props.siteId, status, cursor).catch(() => null);
    if (page) props.onOlder(page.conversations);
    setMore({ before: page?.nextBefore ?? null, status, busy: false });
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
          {(["mine", "unassigned", "queue", "all"] as const).map((view) => (
            <button
              type="button"
              key={view}
              role="tab"
              title={t(VIEW_LABEL[view])}
              aria-selected={f.view === view}
              class={f.view === view ? "tab on" : "tab"}
              onClick={() => props.onFilter({ ...f, view })}
            >
              <span class="tab-label">{t(VIEW_LABEL[view])}</span>
              {counts[view] ? <span class="count">{counts[view]}</span> : null}
            </button>
          ))}
        </div>
        <div class="filters">
          <select
            aria-label={t("status")}
            value={f.status}
            onChange={(e) => props.onFilter({ ...f, status: e.currentTarget.value as Filter["status"] })}
          >
            <option value="any">{t("anyStatus")}</option>
            {CONVERSATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(s)}
              </option>
            ))}
          </select>
          <select
            aria-label={t("priority")}
            value={f.priority}
            onChange={(e) => props.onFilter({ ...f, priority: e.currentTarget.value as Filter["priority"] })}
          >
            <option value="any">{t("anyPriority")}</option>
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {t(`priority_${p}`)}
              </option>
            ))}
          </select>
          <input
            aria-label={t("tags")}
            placeholder={t("tagFilter")}
            value={f.tag}
            onInput={(e) => props.onFilter({ ...f, tag: e.currentTarget.value.trim() })}
          />
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
            <a
              href={`#/inbox/${c.id}`}
              class={`row ${props.selected === c.id ? "selected" : ""} ${c.unreadForOperators ? "unread" : ""}`}
              aria-current={props.selected === c.id}
            >
              <Avatar name={visitorName(c)} seed={c.visitorId} size={40} />
              <div class="row-main">
                <div class="row-top">
                  <strong>{visitorName(c)}</strong>
                  <time>{formatRelative(c.lastMessageAt ?? c.createdAt)}</time>
                </div>
                <div class="row-bottom">
                  <span class="preview">
                    {c.lastMessageRole === "operator" ? (
                      <span class="muted" title={t("answered")}>
                        ↩{" "}
                      </span>
                    ) : null}
                    {c.lastMessagePreview ?? "…"}
                  </span>
                  {c.priority === "urgent" || c.priority === "high" ? (
                    <span class={`pri p-${c.priority}`}>{t(`priority_${c.priority}`)}</span>
                  ) : null}
                  {c.unreadForOperators ? (
                    <span class="badge" title={tn("unread", c.unreadForOperators)}>
                      {c.unreadForOperators}
                    </span>
                  ) : c.status === "resolved" ? (
                    <span class="pill">{t("status_resolved")}</span>
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
      {(f.view === "all" || f.status === "resolved") && (rows.length >= 20 || more.before) ? (
        <button type="button" class="ghost more" disabled={more.busy} onClick={loadMore}>
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
      {text
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the server marks matches with U+0002/U+0003 (never in message text)
        .split(/(\u0002[^\u0003]*\u0003)/)
        .map((part, i) => (part.startsWith("\u0002") ? <mark key={i}>{part.slice(1, -1)}</mark> : part))}
    </>
  );
}
