/**
 * When nobody is there (issue 11), as the visitor sees it: the header's honest answering state
 * (online with faces, names and the typical reply; away; closed until a time in the visitor's own
 * clock), the inline email prompt (optional, never blocking, checked with the protocol's rule
 * before it is sent, editable, kept on the profile by the server) and the chat menu's
 * "Email me this conversation". Imported by app.tsx only.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { ChatMessage, VisitorSessionResponse, WidgetAvailability } from "../../protocol";
// The rule itself, not the valibot schema: the chat ships no valibot.
import { isPracticalEmail } from "../../protocol/email-address";
import { MAX_EMAIL_CHARS } from "../../protocol/limits";
import { CallError, emailDeclined, requestTranscript, saveEmail } from "./api";
import { dayPhrase, lang, t, tn } from "./i18n";

const clock = new Intl.DateTimeFormat(lang, { hour: "numeric", minute: "2-digit" });
const longDate = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long" });
const names = new Intl.ListFormat(lang, { type: "conjunction" });

/**
 * "We're back on Monday at 9:00" in the visitor's own time zone (the browser's, which Intl and
 * Date use by default): today, tomorrow, a weekday within the week, else the date.
 */
export function reopensText(at: number, now = Date.now()): string {
  const day = (ms: number) => {
    const d = new Date(ms);
    return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) / 86_400_000;
  };
  const ahead = day(at) - day(now);
  const when =
    ahead <= 0
      ? t("today")
      : ahead === 1
        ? t("tomorrow")
        : ahead < 7
          ? dayPhrase(new Date(at).getDay())
          : t("onDate", { date: longDate.format(at) });
  return t("back", { when: t("at", { day: when, time: clock.format(at) }) });
}

/** The header's second and third lines: who answers, and when. */
export function AvailabilityLine({ a }: { a: WidgetAvailability }) {
  if (a.state === "online") {
    const r = a.typicalReply;
    const reply = !r
      ? t("online")
      : r.unit === "underMinute"
        ? t("replyUnderMinute")
        : tn(r.unit === "minutes" ? "replyMinutes" : "replyHours", r.value);
    return (
      <>
        {a.operators.length ? <span class="names">{names.format(a.operators.map((o) => o.name))}</span> : null}
        <span class="dot on">{reply}</span>
      </>
    );
  }
  return <span class={`dot ${a.state}`}>{a.state === "away" ? t("away") : a.reopensAt ? reopensText(a.reopensAt) : t("closed")}</span>;
}

/** Why the prompt is on screen: its first line differs. */
type Ask = "closed" | "waiting" | "noAnswer" | "transcript";

/**
 * The email the shop answers to, and when to ask for it. Asks at once when away or closed, after
 * `askEmailAfterSeconds` when the visitor's latest messages have had no answer, after a
 * `no_answer` notice, and when a transcript needs an address; "Not now" is remembered (the
 * notice and the transcript still ask, as the visitor expects an answer there).
 */
export function useEmailPrompt(session: VisitorSessionResponse | null, messages: ChatMessage[]) {
  const [email, setEmail] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [declined, setDeclined] = useState(emailDeclined.get);
  const [due, setDue] = useState(false);
  const [transcript, setTranscript] = useState<{ state: "sending" | "sent" | "needsEmail" | "limited" | "failed"; to?: string } | null>(
    null,
  );
  const a = session?.availability;
  useEffect(() => setEmail(session?.email ?? null), [session?.email]);

  // The visitor's first message since the last operator reply: how long they have waited.
  let waitingSince: number | null = null;
  for (const m of messages) {
    if (m.role === "operator" && m.kind === "text") waitingSince = null;
    else if (m.role === "visitor" && waitingSince === null) waitingSince = m.createdAt;
  }
  const after = a?.askEmailAfterSeconds ?? null;
  useEffect(() => {
    setDue(false);
    if (a?.state !== "online" || after === null || waitingSince === null) return;
    const timer = setTimeout(() => setDue(true), Math.max(0, waitingSince + after * 1000 - Date.now()));
    return () => clearTimeout(timer);
  }, [waitingSince, after, a?.state]);

  const noAnswer = messages.some((m) => m.event?.type === "no_answer");
  const asked = after !== null && !declined && (a?.state !== "online" || due);
  const ask: Ask | null =
    transcript?.state === "needsEmail"
      ? "transcript"
      : noAnswer
        ? "noAnswer"
        : asked
          ? a?.state === "online"
            ? "waiting"
            : "closed"
          : null;

  const sendTranscript = async () => {
    const token = session?.token;
    if (!token) return;
    setTranscript({ state: "sending" });
    try {
      setTranscript({ state: "sent", to: (await requestTranscript(token)).to });
    } catch (err) {
      const code = err instanceof CallError ? err.code : "";
      setTranscript({ state: code === "conflict" ? "needsEmail" : code === "rate_limited" ? "limited" : "failed" });
    }
  };

  return {
    email,
    /** The form is open: asked for and no email yet, or the visitor chose to change it. */
    form: editing || (!email && ask !== null) ? (ask ?? "closed") : null,
    /** Show "We'll answer at …" below the history. */
    showSaved: !!email && !editing && (ask !== null || a?.state !== "online"),
    transcript,
    sendTranscript,
    edit: () => setEditing(true),
    decline: () => {
      emailDeclined.set();
      setDeclined(true);
      setEditing(false);
      if (transcript?.state === "needsEmail") setTranscript(null);
    },
    async save(value: string): Promise<string | null> {
      const candidate = value.trim().toLowerCase();
      if (candidate.length > MAX_EMAIL_CHARS || !isPracticalEmail(candidate)) return t("emailInvalid");
      try {
        const saved = await saveEmail(session?.token ?? "", candidate, lang);
        setEmail(saved.email);
        setEditing(false);
        if (transcript?.state === "needsEmail") void sendTranscript();
        return null;
      } catch (err) {
        const code = err instanceof CallError ? err.code : "";
        return code === "validation_failed" || code === "bad_request"
          ? t("emailInvalid")
          : code === "rate_limited"
            ? t("limited")
            : t("emailFailed");
      }
    },
  };
}

export type EmailPrompt = ReturnType<typeof useEmailPrompt>;

const ASK_TEXT: Record<Ask, Parameters<typeof t>[0]> = {
  closed: "leaveEmail",
  waiting: "askEmail",
  noAnswer: "leaveEmail",
  transcript: "transcriptNeedsEmail",
};

/** The inline email card, or the "We'll answer at …" line once the shop has an address. */
export function EmailCard({ p }: { p: EmailPrompt }) {
  const [value, setValue] = useState(p.email ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => setValue(p.email ?? ""), [p.email]);
  if (p.showSaved) {
    return (
      <div class="note email-saved">
        {t("emailSaved", { email: p.email! })}{" "}
        <button
          type="button"
          class="link"
          onClick={() => {
            p.edit();
            setTimeout(() => field.current?.focus(), 0);
          }}
        >
          {t("emailChange")}
        </button>
      </div>
    );
  }
  if (!p.form) return null;
  return (
    <form
      class="email-card"
      noValidate
      onSubmit={async (e) => {
        e.preventDefault();
        if (busy) return;
        setBusy(true);
        setError(await p.save(value));
        setBusy(false);
      }}
    >
      <p id="email-ask">{t(ASK_TEXT[p.form])}</p>
      <label>
        <span class="sr-only">{t("emailLabel")}</span>
        <input
          ref={field}
          type="email"
          inputMode="email"
          autoComplete="email"
          maxLength={MAX_EMAIL_CHARS}
          placeholder={t("emailLabel")}
          aria-describedby={error ? "email-ask email-error" : "email-ask"}
          aria-invalid={error ? true : undefined}
          value={value}
          onInput={(e) => {
            setValue(e.currentTarget.value);
            setError(null);
          }}
        />
      </label>
      {error ? (
        <p id="email-error" class="email-error" role="alert">
          {error}
        </p>
      ) : null}
      <div class="email-actions">
        <button type="submit" class="primary" disabled={busy || !value.trim()}>
          {t("emailSave")}
        </button>
        <button type="button" class="link" onClick={p.decline}>
          {t("emailLater")}
        </button>
      </div>
    </form>
  );
}

/** The transcript's outcome under the history (the email form handles "no email yet"). */
export function TranscriptNote({ p }: { p: EmailPrompt }) {
  const s = p.transcript;
  if (!s || s.state === "needsEmail") return null;
  const text =
    s.state === "sending"
      ? t("sending")
      : s.state === "sent"
        ? t("transcriptSent", { to: s.to ?? "" })
        : s.state === "limited"
          ? t("limited")
          : t("transcriptFailed");
  return (
    <div class={`note transcript ${s.state}`} role="status">
      {text}
    </div>
  );
}

/** The header's "⋯" menu: a disclosure with the chat's actions; Escape closes it. */
export function ChatMenu({ onTranscript }: { onTranscript: () => void }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const outside = (e: PointerEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", outside);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", outside);
    };
  }, [open]);
  // Escape on the menu itself closes it at once, before the document listener above is set up.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || !open) return;
    e.stopPropagation();
    setOpen(false);
    button.current?.focus();
  };
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape bubbling up from the disclosure's own button and items closes it
    <div class="menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        class="icon"
        aria-label={t("menu")}
        title={t("menu")}
        aria-expanded={open}
        aria-controls="chat-menu"
        onClick={() => setOpen((x) => !x)}
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="currentColor">
          <circle cx="5" cy="12" r="2" />
          <circle cx="12" cy="12" r="2" />
          <circle cx="19" cy="12" r="2" />
        </svg>
      </button>
      {open ? (
        <div id="chat-menu" class="menu-panel">
          <button
            type="button"
            onClick={() => {
              setOpen(false);
              onTranscript();
            }}
          >
            {t("transcript")}
          </button>
        </div>
      ) : null}
    </div>
  );
}
