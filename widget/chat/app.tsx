/**
 * The chat panel: header with the shop and whether (and how fast) it answers now, the chat menu,
 * the message list (own messages on the right, operators' with name and avatar on the left,
 * offline notices and the inline email prompt), typing indicator, composer.
 * Everything is rendered as text by JSX; no HTML from data ever reaches the DOM.
 */
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage, StatusEvent, VisitorSessionResponse } from "../../protocol";
import type { PendingSend } from "../../protocol/client";
import { MAX_MESSAGE_CHARS } from "../../protocol/limits";
import { onHostVisibility, standalone, toHost, trigger } from "./host";
import { lang, t } from "./i18n";
import { AvailabilityLine, ChatMenu, EmailCard, TranscriptNote, useEmailPrompt } from "./offline";
import { useConversation } from "./use-conversation";

const time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });

function Avatar({ name, url }: { name: string | null; url: string | null }) {
  const initials = (name ?? "?")
    .split(/\s+/)
    .map((w) => w[0])
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return url ? <img class="avatar" src={url} alt="" /> : <span class="avatar">{initials}</span>;
}

/** http(s) links become links; everything else stays text. */
function Linked({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"']+)/g);
  return (
    <>
      {parts.map((p, i) =>
        i % 2 ? (
          <a href={p} target="_blank" rel="noopener noreferrer nofollow">
            {p}
          </a>
        ) : (
          p
        ),
      )}
    </>
  );
}

/**
 * A status line as the visitor sees it: only "resolved" and "open again" reach the visitor
 * (pending and snoozed are the team's workflow); "open again" says who reopened it.
 */
function statusLine(e: StatusEvent): string {
  if (e.status === "resolved") return t("resolved");
  return e.byRole === "visitor" ? t("reopenedByYou") : t("reopened");
}

function Bubble({ m, first, status }: { m: ChatMessage | PendingSend; first: boolean; status?: string }) {
  if ("event" in m && m.event) {
    const e = m.event;
    if (e.type === "status") return <div class="note">{statusLine(e)}</div>;
    if (e.type === "no_answer") return <div class="note notice">{t("noAnswer")}</div>;
    if (e.type === "email_captured") return <div class="note">{t("emailSaved", { email: e.email })}</div>;
    if (e.type === "email_sent") {
      // Operators' alerts are the team's business; the server keeps them from visitors anyway.
      if (e.kind === "operator_alert") return null;
      return <div class="note">{t(e.kind === "follow_up" ? "sentFollowUp" : "transcriptSent", { to: e.to })}</div>;
    }
    // A rating is drawn by the rating card; its note is the operators'.
    if (e.type === "rated") return null;
    return <div class="note">{t("joined", { name: e.operatorName })}</div>;
  }
  const operator = "role" in m && m.role === "operator";
  const system = "role" in m && m.role === "system";
  return (
    <div class={`row ${system ? "system" : operator ? "them" : "me"} ${first ? "first" : ""}`}>
      {operator && first && "role" in m ? (
        <Avatar name={m.authorName} url={m.authorAvatar} />
      ) : operator ? (
        <span class="avatar-gap" />
      ) : null}
      <div class="bubble-wrap">
        {operator && first && "role" in m ? <div class="author">{m.authorName ?? t("someone")}</div> : null}
        <div class={`bubble ${"seq" in m ? "" : "pending"}`}>
          <Linked text={m.text} />
        </div>
        {"via" in m && m.via === "email" ? <div class="meta via">{t("viaEmail")}</div> : null}
        {status ? <div class="meta">{status}</div> : null}
      </div>
    </div>
  );
}

function Header({
  session,
  onClose,
  onTranscript,
}: {
  session: VisitorSessionResponse | null;
  onClose: () => void;
  onTranscript: () => void;
}) {
  const a = session?.availability;
  return (
    <header>
      {session?.settings.logoUrl ? <img class="logo" src={session.settings.logoUrl} alt="" referrerpolicy="no-referrer" /> : null}
      <div class="faces">
        {a?.state === "online" ? a.operators.slice(0, 3).map((o, i) => <Avatar key={i} name={o.name} url={o.avatarUrl} />) : null}
      </div>
      <div class="heading">
        <strong>{session?.settings.siteName || t("title")}</strong>
        {a ? <AvailabilityLine a={a} /> : null}
      </div>
      {session?.conversationId ? <ChatMenu onTranscript={onTranscript} /> : null}
      {standalone ? null : (
        <button type="button" class="close" aria-label={t("close")} title={t("close")} onClick={onClose}>
          <svg
            aria-hidden="true"
            viewBox="0 0 24 24"
            width="20"
            height="20"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
          >
            <path d="M6 6l12 12M18 6L6 18" />
          </svg>
        </button>
      )}
    </header>
  );
}

/**
 * Whether the history already ends with the resolution. A conversation resolved before status
 * lines were stored has none: then the panel says it once below the messages.
 */
function endsResolved(messages: ChatMessage[]): boolean {
  const e = messages[messages.length - 1]?.event;
  return e?.type === "status" && e.status === "resolved";
}

export function App() {
  const [visible, setVisible] = useState(standalone);
  const { state, send, typing, loadOlder, pickTopic } = useConversation(visible);
  const email = useEmailPrompt(state.session, state.messages);
  const [topic, setTopic] = useState<string | null>(null);
  const [draft, setDraft] = useState("");
  const list = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    onHostVisibility((open) => {
      setVisible(open);
      if (open) setTimeout(() => input.current?.focus(), 50);
    });
    toHost({ type: "ready" });
  }, []);

  const count = state.messages.length + state.pending.length;
  useLayoutEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [count, state.operatorTyping, visible]);

  const submit = () => {
    const text = draft.trim();
    if (!text) return;
    send(text);
    setDraft("");
    if (input.current) input.current.style.height = "";
    stick.current = true;
  };

  const settings = state.session?.settings;
  const lastOwn = [...state.messages].reverse().find((m) => m.role === "visitor");
  const pendingIds = new Set(state.messages.map((m) => m.clientId));
  const pending = state.pending.filter((p) => !pendingIds.has(p.clientId));

  return (
    <div class="chat" style={settings ? { "--accent": settings.accentColor, "--on-accent": settings.textColor } : undefined}>
      <Header session={state.session} onClose={() => toHost({ type: "close" })} onTranscript={() => void email.sendTranscript()} />
      {state.connection === "waiting" || state.failed ? <div class="banner">{state.failed ? t("failed") : t("reconnecting")}</div> : null}
      <div
        class="list"
        ref={list}
        role="log"
        aria-live="polite"
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 60;
          if (el.scrollTop < 40) loadOlder();
        }}
      >
        {state.loadingOlder ? <div class="note">{t("older")}</div> : null}
        {settings?.welcomeText ? (
          <div class="row them first welcome">
            <div class="bubble-wrap">
              <div class="bubble">{settings.welcomeText}</div>
            </div>
          </div>
        ) : null}
        {trigger && trigger.m && !state.session?.conversationId && state.messages.length === 0 ? (
          <div class="row them first welcome">
            <div class="bubble-wrap">
              {trigger.n ? <div class="author">{trigger.n}</div> : null}
              <div class="bubble">{trigger.m}</div>
            </div>
          </div>
        ) : null}
        {settings?.topics.length && !state.session?.conversationId && state.pending.length === 0 ? (
          <div class="topics" role="group" aria-label={t("topic")}>
            {settings.topics.map((tp) => (
              <button
                key={tp.skill}
                type="button"
                class={topic === tp.skill ? "topic on" : "topic"}
                aria-pressed={topic === tp.skill}
                onClick={() => {
                  setTopic(tp.skill);
                  pickTopic(tp.skill);
                  input.current?.focus();
                }}
              >
                {tp.label}
              </button>
            ))}
          </div>
        ) : null}
        {state.messages.map((m, i) => {
          const prev = state.messages[i - 1];
          const first = !prev || prev.role !== m.role || prev.authorId !== m.authorId || m.createdAt - prev.createdAt > 5 * 60_000;
          const status =
            m === lastOwn && pending.length === 0
              ? `${time.format(m.createdAt)} · ${state.operatorReadSeq >= m.seq ? t("seen") : t("sent")}`
              : undefined;
          return <Bubble key={m.seq} m={m} first={first} status={status} />;
        })}
        {pending.map((p) => (
          <Bubble key={p.clientId} m={p} first={false} status={t("sending")} />
        ))}
        {state.status === "resolved" && !endsResolved(state.messages) ? <div class="note">{t("resolved")}</div> : null}
        {state.status === "resolved" && state.session ? <LazyRating key={state.messages.length} token={state.session.token} /> : null}
        {state.queue ? (
          <div class="note queue">
            {t("queued", { position: String(state.queue.position), minutes: String(Math.max(1, Math.round(state.queue.etaSeconds / 60))) })}
          </div>
        ) : null}
        <TranscriptNote p={email} />
        <EmailCard p={email} />
        {state.operatorTyping !== null ? (
          <div class="typing" aria-live="polite">
            <span class="dots">
              <i />
              <i />
              <i />
            </span>
            {t("typing", { name: state.operatorTyping || t("someone") })}
          </div>
        ) : null}
      </div>
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <textarea
          ref={input}
          rows={1}
          value={draft}
          maxLength={MAX_MESSAGE_CHARS}
          placeholder={t("placeholder")}
          aria-label={t("placeholder")}
          onInput={(e) => {
            const el = e.currentTarget;
            setDraft(el.value);
            el.style.height = "auto";
            el.style.height = `${Math.min(el.scrollHeight, 120)}px`;
            typing(el.value);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="send" aria-label={t("send")} title={t("send")} disabled={!draft.trim()}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="currentColor">
            <path d="M3.4 20.4l17.45-7.48a1 1 0 0 0 0-1.84L3.4 3.6a.99.99 0 0 0-1.39.91L2 9.12c0 .5.37.93.87.99L17 12 2.87 13.88c-.5.07-.87.5-.87 1l.01 4.61c0 .71.73 1.2 1.39.91z" />
          </svg>
        </button>
      </form>
    </div>
  );
}

type RatingModule = typeof import("./rating");
let ratingModule: Promise<RatingModule> | null = null;

/** The rating card after resolve: its code is a chunk of its own, fetched when first shown. */
function LazyRating(props: { token: string }) {
  const [mod, setMod] = useState<RatingModule | null>(null);
  useEffect(() => {
    ratingModule ??= import("./rating");
    ratingModule.then(setMod, () => {
      ratingModule = null; // a failed fetch is tried again the next time a card is shown
    });
  }, []);
  return mod ? <mod.Rating {...props} /> : null;
}
