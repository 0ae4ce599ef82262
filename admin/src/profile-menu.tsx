/**
 * The operator's own menu at the foot of the rail: their name and photo, "My profile" (a dialog
 * to change both, the only place a photo is changed: a site never changes someone else's), the
 * language, and sign out. A disclosure: Escape or a click elsewhere closes it.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { MeResponse } from "../../protocol";
import { api } from "./api";
import { Avatar } from "./avatar";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { LanguagePicker } from "./language-picker";
import { Modal } from "./modal";

export function ProfileMenu({ me, onEditProfile, onSignedOut }: { me: MeResponse; onEditProfile: () => void; onSignedOut: () => void }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => !root.current?.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener("pointerdown", outside);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("pointerdown", outside);
      document.removeEventListener("keydown", onKey);
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
    <div class="profile-menu" ref={root} onKeyDown={onKeyDown}>
      <button
        ref={button}
        type="button"
        class="profile-button"
        aria-expanded={open}
        aria-controls="profile-panel"
        onClick={() => setOpen((x) => !x)}
      >
        <Avatar name={me.operator.name} url={me.operator.avatarUrl} size={28} />
        <span class="profile-name">{me.operator.name}</span>
        <span class="sr-only">{t("accountMenu")}</span>
      </button>
      {open ? (
        <div id="profile-panel" class="profile-panel">
          <span class="muted small profile-email">{me.operator.email}</span>
          <button
            type="button"
            class="ghost small"
            onClick={() => {
              setOpen(false);
              onEditProfile();
            }}
          >
            {t("myProfile")}
          </button>
          <LanguagePicker />
          <button
            type="button"
            class="ghost small"
            onClick={async () => {
              await api.logout().catch(() => {});
              onSignedOut();
            }}
          >
            {t("signOut")}
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** My name and photo (`PATCH /api/me`, `PUT /api/me/avatar`), and whether I get alert emails. */
export function ProfileDialog({ me, onMeChanged, onClose }: { me: MeResponse; onMeChanged: () => Promise<void>; onClose: () => void }) {
  const [name, setName] = useState(me.operator.name);
  const [alerts, setAlerts] = useState(me.operator.alertEmails ?? true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (work: () => Promise<unknown>, specific: Parameters<typeof errorText>[1] = {}) => {
    setBusy(true);
    setMessage(null);
    try {
      await work();
      await onMeChanged();
      setMessage({ ok: true, text: t("saved") });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err, specific) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal class="profile" label={t("myProfile")} onClose={onClose}>
      <header>
        <h2>{t("myProfile")}</h2>
        <button type="button" class="ghost small" aria-label={t("close")} onClick={onClose}>
          ✕
        </button>
      </header>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim() && name.trim() !== me.operator.name) void run(() => api.updateMe({ name: name.trim() }));
        }}
      >
        <p class="muted small">{t("profileHint")}</p>
        <div class="profile-photo">
          <Avatar name={me.operator.name} url={me.operator.avatarUrl} size={64} />
          <label class="ghost small file-button">
            {t("uploadPhoto")}
            <input
              type="file"
              class="sr-only"
              accept="image/png,image/jpeg,image/webp"
              disabled={busy}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                e.currentTarget.value = "";
                if (file)
                  void run(() => api.uploadMyAvatar(file), { unsupported_media_type: t("avatarType"), too_large: t("avatarTooLarge") });
              }}
            />
          </label>
        </div>
        <label>
          {t("name")}
          <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={alerts}
            disabled={busy}
            onChange={(e) => {
              const alertEmails = e.currentTarget.checked;
              setAlerts(alertEmails);
              void run(() => api.updateMe({ alertEmails }).catch((err) => (setAlerts(!alertEmails), Promise.reject(err))));
            }}
          />
          {t("alertEmailsSetting")}
        </label>
        {message ? (
          <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
            {message.text}
          </p>
        ) : null}
        <button class="primary" type="submit" disabled={busy || !name.trim() || name.trim() === me.operator.name}>
          {t("save")}
        </button>
      </form>
    </Modal>
  );
}
