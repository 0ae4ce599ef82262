/**
 * Invitations for the signed-in operator to join other shops' teams (`MeResponse.invitations`),
 * as a banner above the workspace: accept (the shop appears in the site picker) or decline.
 * Nobody joins a shop without saying yes here.
 */
import { useState } from "preact/hooks";
import type { MeResponse, PendingInvitation } from "../../protocol";
import { api } from "./api";
import { errorText } from "./error-text";
import { t } from "./i18n";

export function MyInvitations({ me, onMeChanged }: { me: MeResponse; onMeChanged: () => Promise<void> }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const answer = async (inv: PendingInvitation, accept: boolean) => {
    setBusy(inv.id);
    setMessage(null);
    try {
      await (accept ? api.acceptInvitation(inv.id) : api.declineInvitation(inv.id));
      await onMeChanged();
      if (accept) setMessage({ ok: true, text: t("invitationAccepted", { site: inv.siteName }) });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    } finally {
      setBusy(null);
    }
  };
  const invitations = me.invitations;
  if (!invitations.length && !message) return null;
  return (
    <section class="my-invitations" aria-label={t("invitationsTitle")}>
      {invitations.map((inv) => (
        <div key={inv.id} class="invitation" data-invitation={inv.id}>
          <div>
            <strong>{t("invitationForMe", { site: inv.siteName, role: t(inv.role) })}</strong>
            {inv.invitedByName ? <span class="muted small"> {t("invitedBy", { name: inv.invitedByName })}</span> : null}
          </div>
          <div class="invitation-actions">
            <button type="button" class="primary small" disabled={busy !== null} onClick={() => answer(inv, true)}>
              {t("accept")}
            </button>
            <button type="button" class="ghost small" disabled={busy !== null} onClick={() => answer(inv, false)}>
              {t("decline")}
            </button>
          </div>
        </div>
      ))}
      {message ? (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
    </section>
  );
}
