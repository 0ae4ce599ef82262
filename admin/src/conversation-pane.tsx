/**
 * The open conversation: timeline with day separators and grouped bubbles, the visitor's typing,
 * the reply composer, resolve / reopen, and a details column with the visitor's profile and live
 * page trail. Marks visitor messages read while the window is focused.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage, ConversationSummary, LiveVisitor, MeResponse, MessageKind, StatusEvent } from "../../protocol";
import { fillSavedReply } from "../../protocol/client/saved-reply-text";
import { MAX_MESSAGE_CHARS } from "../../protocol/limits";
import { api } from "./api";
import { Avatar, visitorLabel } from "./avatar";
import { errorText } from "./error-text";
import { t, tn } from "./i18n";
import { formatDateTime, formatDay, formatNumber, formatTime } from "./i18n/format";
import { visitorName } from "./inbox-list";
import { TransferMenu } from "./transfer-menu";
import { useConversation } from "./use-conversation";
import { matchReplies, useSavedReplies } from "./use-saved-replies";
import { useVisitorDetails, VisitorSidebar } from "./visitor-sidebar";
import { WorkflowControls } from "./workflow-controls";

export function ConversationPane(props: {
  siteId: string;
  id: string;
  summary: ConversationSummary | undefined;
  me: MeResponse;
  queued: boolean;
  assigneeName: string | null;
  /** The visitor's Live entry while they are on the shop. */
  live: (visitorId: string) => LiveVisitor | undefined;
}) {
  const { siteId, id, summary, me, queued } = props;
  const [transferring, setTransferring] = useState(false);
  const [transcript, setTranscript] = useState<{ busy: boolean; ok?: boolean; text?: string } | null>(null);
  const sendTranscript = async () => {
    setTranscript({ busy: true });
    try {
      const r = await api.sendTranscript(siteId, id);
      setTranscript({ busy: false, ok: true, text: t("transcriptSentTo", { to: r.to }) });
    } catch (err) {
      setTranscript({ busy: false, ok: false, text: errorText(err, { conflict: t("transcriptNoEmail") }) });
    }
  };
  const { view, send, typing, markRead, setStatus, update, loadOlder } = useConversation(siteId, id);
  const [draft, setDraft] = useState("");
  const [mode, setMode] = useState<MessageKind>("text");
  const replies = useSavedReplies(siteId);
  const [pick, setPick] = useState(0);
  const slash = /^\/(\S*)$/.exec(draft);
  const suggestions = slash ? matchReplies(replies, slash[1]!) : [];
  const insertReply = (body: string) => {
    const text = fillSavedReply(body, { visitorName: summary?.visitorName ?? null, operatorName: me.operator.name });
    setDraft(text);
    setPick(0);
    requestAnimationFrame(() => {
      const el = input.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(text.length, text.length);
      el.style.height = "auto";
      el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
    });
  };
  const list = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const stick = useRef(true);
  const name = summary ? visitorName(summary) : t("visitor", { id: view.info ? visitorLabel(view.info.visitorId) : "" });
  const visitorId = view.info?.visitorId ?? summary?.visitorId ?? id;
  const status = view.info?.status ?? summary?.status ?? "open";
  const knownVisitor = view.info?.visitorId ?? summary?.visitorId ?? null;
  const live = knownVisitor ? props.live(knownVisitor) : undefined;
  const details = useVisitorDetails(siteId, knownVisitor, live);
  const profile = details?.profile;
  const shownName = profile?.name || profile?.email ? (profile.name ?? profile.email!) : name;

  useEffect(() => {
    setDraft("");
    stick.current = true;
    input.current?.focus();
  }, [id]);

  // Keyboard: Alt+R resolve (or reopen), Alt+T transfer, Alt+N toggles note mode.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey) return;
      const key = e.key.toLowerCase();
      if (key === "r") setStatus(status === "resolved" ? "open" : "resolved");
      else if (key === "t") setTransferring((x) => !x);
      else if (key === "n") setMode((m) => (m === "note" ? "text" : "note"));
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const count = view.messages.length + view.pending.length;
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, view.visitorTyping]);

  const newestVisitorSeq = view.messages.reduce((max, m) => (m.role === "visitor" && m.seq > max ? m.seq : max), 0);
  useEffect(() => {
    const mark = () => {
      if (document.hasFocus() && document.visibilityState === "visible") markRead(newestVisitorSeq);
    };
    mark();
    window.addEventListener("focus", mark);
    return () => window.removeEventListener("focus", mark);
  }, [newestVisitorSeq, view.info?.operatorReadSeq]);

  const submit = () => {
    const text = draft.trim();
    if (!text) return;
    send(text, mode);
    setDraft("");
    if (input.current) input.current.style.height = "";
    stick.current = true;
  };

  const acked = new Set(view.messages.map((m) => m.clientId));
  const pending = view.pending.filter((p) => !acked.has(p.clientId));
  const lastOwn = [...view.messages].reverse().find((m) => m.role === "operator");

  return (
    <div class="conversation">
      <section class="thread" aria-label={shownName}>
        <header class="thread-head">
          <a class="back-link ghost small" href="#/inbox">
            ← {t("inbox")}
          </a>
          <Avatar name={shownName} seed={visitorId} size={36} />
          <div class="who">
            <strong>{shownName}</strong>
            <span class={`status ${status}`}>{t(`status_${status}`)}</span>
          </div>
        </header>
        <div class="toolbar">
          <div class="actions">
            {summary?.assigneeId !== me.operator.id ? (
              <button type="button" class="ghost small" onClick={() => void api.take(siteId, id).catch(() => {})}>
                {t("take")}
              </button>
            ) : null}
            <button type="button" class="ghost small" aria-expanded={transferring} onClick={() => setTransferring((x) => !x)}>
              {t("transfer")}
            </button>
            <button type="button" class="ghost small" disabled={transcript?.busy} onClick={sendTranscript}>
              {t("sendTranscript")}
            </button>
            <WorkflowControls
              key={id}
              status={status}
              priority={view.details?.priority ?? summary?.priority ?? "normal"}
              tags={view.details?.tags ?? summary?.tags ?? []}
              onStatus={setStatus}
              onUpdate={update}
            />
          </div>
        </div>
        {transcript && !transcript.busy ? (
          <p class={transcript.ok ? "ok small action-result" : "error small action-result"} role={transcript.ok ? "status" : "alert"}>
            {transcript.text}
          </p>
        ) : null}
        {transferring ? (
          <TransferMenu siteId={siteId} conversationId={id} meId={me.operator.id} onDone={() => setTransferring(false)} />
        ) : null}
        {view.connection === "waiting" ? <div class="banner">{t("reconnecting")}</div> : null}
        <div
          class="timeline"
          ref={list}
          role="log"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling log must be reachable by keyboard to scroll it (axe: scrollable-region-focusable; WAI's pattern for a scrollable region)
          tabIndex={0}
          aria-label={t("messages")}
          onScroll={(e) => {
            const el = e.currentTarget;
            stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
            if (el.scrollTop < 40) loadOlder();
          }}
        >
          {view.hasMore ? (
            <button type="button" class="ghost small older" onClick={loadOlder} disabled={view.loadingOlder}>
              {t("loadOlder")}
            </button>
          ) : null}
          {view.info && view.messages.length === 0 && pending.length === 0 ? <p class="note">{t("noMessages")}</p> : null}
          {view.messages.map((m, i) => (
            <Message
              key={m.seq}
              m={m}
              prev={view.messages[i - 1]}
              me={me}
              seen={m === lastOwn && (view.info?.visitorReadSeq ?? 0) >= m.seq}
              visitor={shownName}
              visitorId={visitorId}
            />
          ))}
          {pending.map((p) => (
            <div key={p.clientId} class={`msg mine pending ${p.kind === "note" ? "note-msg" : ""}`}>
              <div class="bubble">{p.text}</div>
              <div class="meta">{t("sending")}</div>
            </div>
          ))}
          {view.visitorTyping ? (
            <div class="typing">
              <span class="dots">
                <i />
                <i />
                <i />
              </span>
              {view.visitorDraft ? (
                <span class="draft" title={t("draftPreview")}>
                  {view.visitorDraft}
                </span>
              ) : (
                t("visitorTyping")
              )}
            </div>
          ) : null}
        </div>
        <form
          class={`composer ${mode === "note" ? "noting" : ""}`}
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
        >
          <div class="modes" role="tablist">
            {(["text", "note"] as const).map((m) => (
              <button
                key={m}
                type="button"
                role="tab"
                aria-selected={mode === m}
                class={mode === m ? "mode on" : "mode"}
                onClick={() => {
                  setMode(m);
                  typing(draft, m);
                  input.current?.focus();
                }}
              >
                {m === "text" ? t("reply") : t("note")}
              </button>
            ))}
          </div>
          {suggestions.length ? (
            <ul class="suggestions" aria-label={t("savedReplies")}>
              {suggestions.map((r, i) => (
                <li key={r.id}>
                  <button
                    type="button"
                    aria-current={i === pick % suggestions.length ? "true" : undefined}
                    class={i === pick % suggestions.length ? "on" : ""}
                    onMouseDown={(e) => e.preventDefault()}
                    onClick={() => insertReply(r.body)}
                  >
                    <strong>/{r.shortcut}</strong>
                    <span>{r.body}</span>
                    {r.personal ? <em>{t("personal")}</em> : null}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <textarea
            ref={input}
            rows={2}
            value={draft}
            maxLength={MAX_MESSAGE_CHARS}
            placeholder={mode === "note" ? t("notePlaceholder") : t("replyPlaceholder")}
            aria-label={mode === "note" ? t("notePlaceholder") : t("replyPlaceholder")}
            onInput={(e) => {
              const el = e.currentTarget;
              setDraft(el.value);
              el.style.height = "auto";
              el.style.height = `${Math.min(el.scrollHeight, 200)}px`;
              typing(el.value, mode);
            }}
            onKeyDown={(e) => {
              if (suggestions.length) {
                if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                  e.preventDefault();
                  setPick((p) => (p + (e.key === "ArrowDown" ? 1 : suggestions.length - 1)) % suggestions.length);
                  return;
                }
                if (e.key === "Enter" || e.key === "Tab") {
                  e.preventDefault();
                  insertReply(suggestions[pick % suggestions.length]!.body);
                  return;
                }
                if (e.key === "Escape") {
                  setDraft("");
                  return;
                }
              }
              if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                e.preventDefault();
                submit();
              }
            }}
          />
          <button class="primary" type="submit" disabled={!draft.trim()}>
            {mode === "note" ? t("addNote") : t("send")}
          </button>
          <p class="shortcuts muted small">{t("shortcuts")}</p>
        </form>
      </section>
      <aside class="details" aria-label={t("details")}>
        <div class="details-card">
          <Avatar name={shownName} seed={visitorId} size={56} />
          <strong>
            {shownName}
            {profile?.externalId ? (
              profile.verified ? (
                <span class="verified" title={t("verified")}>
                  ✓ {t("verified")}
                </span>
              ) : (
                <span class="unverified" title={t("unverifiedHint")}>
                  {t("unverified")}
                </span>
              )
            ) : null}
          </strong>
          {profile?.email && profile.name ? <span class="muted small">{profile.email}</span> : null}
          {live ? (
            <span class="live-now small">
              <i class="live on" /> {live.title || live.url}
            </span>
          ) : null}
        </div>
        <dl class="facts">
          <dt>{t("visitorId")}</dt>
          <dd class="mono">{visitorId}</dd>
          <dt>{t("started")}</dt>
          <dd>{view.info ? t("startedAt", { day: formatDay(view.info.createdAt), time: formatTime(view.info.createdAt) }) : "…"}</dd>
          <dt>{t("status")}</dt>
          <dd>{queued ? t("queued") : t(`status_${status}`)}</dd>
          <dt>{t("assignedTo")}</dt>
          <dd>
            {summary?.assigneeId ? (summary.assigneeId === me.operator.id ? t("you") : (props.assigneeName ?? "—")) : t("unassigned")}
          </dd>
          {profile?.email ? (
            <>
              <dt>{t("email")}</dt>
              <dd class="visitor-email">
                <a href={`mailto:${profile.email}`}>{profile.email}</a>
                {profile.verified ? null : <span class="muted small"> ({t("emailNotVerified")})</span>}
              </dd>
            </>
          ) : null}
          <dt>{t("messages")}</dt>
          <dd>{formatNumber(summary?.messageCount ?? view.messages.filter((m) => m.kind === "text").length)}</dd>
        </dl>
        <VisitorSidebar
          siteId={siteId}
          details={details}
          live={live}
          conversationId={id}
          manager={me.sites.find((s) => s.id === siteId)?.role !== "agent"}
        />
      </aside>
    </div>
  );
}

function Message({
  m,
  prev,
  me,
  seen,
  visitor,
  visitorId,
}: {
  m: ChatMessage;
  prev: ChatMessage | undefined;
  me: MeResponse;
  seen: boolean;
  visitor: string;
  visitorId: string;
}) {
  const newDay = !prev || new Date(prev.createdAt).toDateString() !== new Date(m.createdAt).toDateString();
  const grouped = !newDay && prev && prev.role === m.role && prev.authorId === m.authorId && m.createdAt - prev.createdAt < 5 * 60_000;
  const mine = m.role === "operator" && m.authorId === me.operator.id;
  const side = m.role === "visitor" ? "theirs" : "mine";
  const author = m.role === "visitor" ? visitor : mine ? t("you") : (m.authorName ?? "");
  const note = m.kind === "note";
  if (m.event) return <SystemLine m={m} />;
  return (
    <>
      {newDay ? <div class="day">{formatDay(m.createdAt)}</div> : null}
      <div class={`msg ${side} ${grouped ? "grouped" : ""} ${note ? "note-msg" : ""}`}>
        {!grouped || note ? (
          <div class="msg-head">
            {m.role === "visitor" ? (
              <Avatar name={visitor} seed={visitorId} size={22} />
            ) : (
              <Avatar name={m.authorName ?? "?"} url={m.authorAvatar} size={22} />
            )}
            <span class="author">{author}</span>
            {note ? <span class="note-tag">{t("internalNote")}</span> : null}
            {m.via === "email" ? <span class="via-tag">{t("viaEmail")}</span> : null}
            <time>{formatTime(m.createdAt)}</time>
          </div>
        ) : null}
        <div class="bubble">{m.text}</div>
        {grouped && !note && m.via === "email" ? <div class="meta">{t("viaEmail")}</div> : null}
        {seen ? <div class="meta">{t("seen")}</div> : null}
      </div>
    </>
  );
}

/**
 * Someone joined, a transfer, a re-assignment, a status change: one centred line in the
 * operator's language, with when. Names stand alone (after a colon or as the subject), never
 * after a preposition that would need another case in Polish or Russian.
 */
function SystemLine({ m }: { m: ChatMessage }) {
  const e = m.event!;
  let line: string;
  if (e.type === "status") line = statusLine(e);
  else if (e.type === "no_answer") line = tn("noAnswerNotice", e.afterMinutes);
  else if (e.type === "email_captured") line = t("noticeEmailCaptured", { email: e.email });
  else if (e.type === "email_sent") line = t(`noticeSent_${e.kind}`, { to: e.to });
  else if (e.type === "rated") {
    const score = e.scale === "faces3" ? t(`ratingFace${e.score as 1 | 2 | 3}`) : t("ratingPoints", { score: e.score });
    line = m.text ? t("withNote", { line: t("rated", { score }), note: m.text }) : t("rated", { score });
  } else {
    const what =
      e.type === "joined"
        ? t("joined", { name: e.operatorName })
        : e.type === "transferred"
          ? t("transferred", { from: e.fromName ?? "—", name: e.operatorName })
          : t("reassigned", { from: e.fromName ?? "—", name: e.operatorName, seconds: e.afterSeconds ?? 0 });
    line = e.note ? t("withNote", { line: what, note: e.note }) : what;
  }
  return (
    <div class={`system-line ${m.kind === "note" ? "internal" : ""}`} data-event={e.type === "status" ? `status-${e.status}` : e.type}>
      <span>
        {line} · <time>{formatTime(m.createdAt)}</time>
      </span>
    </div>
  );
}

/** Who changed the status, to what, and (snoozed) until when. */
function statusLine(e: StatusEvent): string {
  if (e.status === "open" && e.byRole === "visitor") return t("reopenedByVisitor");
  if (e.status === "open" && e.byRole === "system") return t("snoozeEnded");
  const name = e.byName;
  if (!name) return t("statusNow", { status: t(`status_${e.status}`) });
  switch (e.status) {
    case "resolved":
      return t("resolvedBy", { name });
    case "pending":
      return t("pendingBy", { name });
    case "open":
      return t("reopenedBy", { name });
    case "snoozed":
      if (e.snoozedUntil === undefined) return t("snoozedBy", { name });
      return e.snoozedUntil === null ? t("snoozedUntilReply", { name }) : t("snoozedUntil", { name, time: formatDateTime(e.snoozedUntil) });
  }
}
