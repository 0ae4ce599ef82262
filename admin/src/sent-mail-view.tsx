/**
 * Sent mail (development only, loaded on demand): every email a local deployment would have sent
 * — subject, recipient, kind, time — newest first, with older pages on request. Opening one shows
 * its text, and its HTML in an iframe that is sandboxed with no permissions and filled through
 * `srcdoc`: the mail's markup never becomes part of the admin's own page, and no script in it runs.
 */
import { useEffect, useState } from "preact/hooks";
import type { SentMail } from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { type TextKey, t } from "./i18n";
import { formatDateTime } from "./i18n/format";

const KIND: Record<SentMail["kind"], TextKey> = {
  follow_up: "mailKind_follow_up",
  transcript: "mailKind_transcript",
  operator_alert: "mailKind_operator_alert",
  invitation: "mailKind_invitation",
  password_reset: "mailKind_password_reset",
  email_confirmation: "mailKind_email_confirmation",
};

function MailDetail({ mail, onClose }: { mail: SentMail; onClose: () => void }) {
  const [view, setView] = useState<"html" | "text">("html");
  return (
    <section class="mail-detail" aria-labelledby="mail-subject">
      <header>
        <h3 id="mail-subject">{mail.subject}</h3>
        <button type="button" class="ghost small" aria-label={t("close")} onClick={onClose}>
          ✕
        </button>
      </header>
      <dl class="facts">
        <dt>{t("mailTo")}</dt>
        <dd>{mail.to}</dd>
        {mail.replyTo ? (
          <>
            <dt>{t("mailReplyTo")}</dt>
            <dd class="mono">{mail.replyTo}</dd>
          </>
        ) : null}
        <dt>{t("mailKind")}</dt>
        <dd>{t(KIND[mail.kind])}</dd>
        <dt>{t("mailSentAt")}</dt>
        <dd>{formatDateTime(mail.sentAt)}</dd>
        {mail.conversationId ? (
          <>
            <dt>{t("mailConversation")}</dt>
            <dd>
              <a href={`#/inbox/${encodeURIComponent(mail.conversationId)}`}>{t("openChat")}</a>
            </dd>
          </>
        ) : null}
      </dl>
      <div class="modes" role="tablist" aria-label={t("mailFormat")}>
        {(["html", "text"] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="tab"
            aria-selected={view === m}
            class={view === m ? "mode on" : "mode"}
            onClick={() => setView(m)}
          >
            {m === "html" ? t("mailHtml") : t("mailText")}
          </button>
        ))}
      </div>
      {view === "html" ? (
        // No sandbox permissions at all: no scripts, no forms, no same-origin access, no navigation.
        <iframe class="mail-html" title={t("mailHtmlTitle", { subject: mail.subject })} sandbox="" srcdoc={mail.html} />
      ) : (
        <pre class="mail-text">{mail.text}</pre>
      )}
    </section>
  );
}

export default function SentMailView({ siteId }: { siteId: string }) {
  const [mails, setMails] = useState<SentMail[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<SentMail | null>(null);
  const load = (after?: string) =>
    api.sentMail(siteId, after).then(
      (r) => {
        setMails((m) => (after ? [...(m ?? []), ...r.mails] : r.mails));
        setCursor(r.nextCursor);
        setError(null);
      },
      (err) => setError(errorText(err)),
    );
  useEffect(() => void load(), [siteId]);

  return (
    <section class="sent-mail" aria-labelledby="sent-mail-title">
      <div class="page-head">
        <h2 id="sent-mail-title">{t("sentMail")}</h2>
        <button type="button" class="ghost small" onClick={() => void load()}>
          {t("refresh")}
        </button>
      </div>
      <p class="muted small">{t("sentMailHint")}</p>
      {error ? <p class="error">{error}</p> : null}
      {mails === null ? (
        error ? null : (
          <div aria-busy="true" />
        )
      ) : mails.length === 0 ? (
        <p class="muted">{t("sentMailEmpty")}</p>
      ) : (
        <div class={open ? "mail-split open" : "mail-split"}>
          <table class="mail-table">
            <thead>
              <tr>
                <th scope="col">{t("mailSentAt")}</th>
                <th scope="col">{t("mailKind")}</th>
                <th scope="col">{t("mailTo")}</th>
                <th scope="col">{t("mailSubject")}</th>
              </tr>
            </thead>
            <tbody>
              {mails.map((m) => (
                <tr key={m.id} class={open?.id === m.id ? "on" : ""}>
                  <td class="nowrap">{formatDateTime(m.sentAt)}</td>
                  <td>{t(KIND[m.kind])}</td>
                  <td>{m.to}</td>
                  <td>
                    <button type="button" class="row-link" aria-pressed={open?.id === m.id} onClick={() => setOpen(m)}>
                      {m.subject}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {open ? <MailDetail key={open.id} mail={open} onClose={() => setOpen(null)} /> : null}
        </div>
      )}
      {cursor ? (
        <button type="button" class="ghost small" onClick={() => void load(cursor)}>
          {t("loadMoreMail")}
        </button>
      ) : null}
    </section>
  );
}
