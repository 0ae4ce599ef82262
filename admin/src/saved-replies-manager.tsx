/**
 * Managing saved replies: the list (shared and personal), adding one, deleting one. Owners and
 * admins add shared replies; everyone can add personal ones.
 */
import { useState } from "preact/hooks";
import type { SiteMembership } from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { Modal } from "./modal";
import { refreshSavedReplies, useSavedReplies } from "./use-saved-replies";

export function SavedRepliesManager({ site, onClose }: { site: SiteMembership; onClose: () => void }) {
  const replies = useSavedReplies(site.id);
  const mayShare = site.role === "owner" || site.role === "admin";
  const [shortcut, setShortcut] = useState("");
  const [body, setBody] = useState("");
  const [personal, setPersonal] = useState(!mayShare);
  const [error, setError] = useState<string | null>(null);

  const add = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.createSavedReply(site.id, { shortcut, body, personal });
      setShortcut("");
      setBody("");
      await refreshSavedReplies(site.id);
    } catch (err) {
      setError(errorText(err, { conflict: t("shortcutTaken", { shortcut: shortcut.trim().replace(/^\//, "") }) }));
    }
  };

  return (
    <Modal label={t("savedReplies")} onClose={onClose}>
      <header>
        <h2>{t("savedReplies")}</h2>
        <button type="button" class="ghost small" aria-label={t("close")} onClick={onClose}>
          ✕
        </button>
      </header>
      <p class="muted small">{t("savedRepliesHint")}</p>
      <ul class="reply-list">
        {replies.map((r) => (
          <li key={r.id}>
            <strong>/{r.shortcut}</strong>
            <span>{r.body}</span>
            {r.personal ? <em>{t("personal")}</em> : null}
            {r.personal || mayShare ? (
              <button
                type="button"
                class="ghost small"
                onClick={async () => {
                  await api.deleteSavedReply(site.id, r.id).catch(() => {});
                  await refreshSavedReplies(site.id);
                }}
              >
                {t("delete")}
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <form class="reply-form" onSubmit={add}>
        <input
          required
          placeholder={t("shortcut")}
          aria-label={t("shortcut")}
          value={shortcut}
          onInput={(e) => setShortcut(e.currentTarget.value)}
        />
        <textarea
          required
          rows={3}
          placeholder={t("replyText")}
          aria-label={t("replyText")}
          value={body}
          onInput={(e) => setBody(e.currentTarget.value)}
        />
        <label class="check">
          <input type="checkbox" checked={personal} disabled={!mayShare} onChange={(e) => setPersonal(e.currentTarget.checked)} />
          {t("personal")}
        </label>
        {error ? <p class="error">{error}</p> : null}
        <button class="primary" type="submit">
          {t("add")}
        </button>
      </form>
    </Modal>
  );
}
