/**
 * The team page: who is on the site, their presence and load, capacity and skills. Owners and
 * admins invite colleagues by email (a link that works once, 7 days; resend and revoke), add
 * colleagues with a password (an email that already has an account gets an invitation it must
 * accept), see the pending invitations and revoke them, and change capacity and skills (routing
 * follows at once). Names and photos are each person's own (the profile menu), not the site's.
 */
import { useEffect, useState } from "preact/hooks";
import type { MemberRole, SiteMembership, TeamResponse } from "../../protocol";
import { api } from "./api";
import { Avatar } from "./avatar";
import { errorText } from "./error-text";
import { t } from "./i18n";
import { formatDateTime } from "./i18n/format";

type Operator = TeamResponse["operators"][number];
type Invitation = TeamResponse["invitations"][number];
const EMPTY_FORM = { email: "", name: "", password: "", role: "agent" as MemberRole, maxChats: "5", skills: "" };

export function TeamView({ site }: { site: SiteMembership }) {
  const [team, setTeam] = useState<Operator[]>([]);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [form, setForm] = useState(EMPTY_FORM);
  const [busy, setBusy] = useState(false);
  const manager = site.role !== "agent";
  // Admins add agents and admins; only an owner may make another owner.
  const roles: MemberRole[] = site.role === "owner" ? ["agent", "admin", "owner"] : ["agent", "admin"];
  const load = () =>
    api.team(site.id).then(
      (r) => {
        setTeam(r.operators);
        setInvitations(r.invitations);
      },
      (err) => setMessage({ ok: false, text: errorText(err) }),
    );
  useEffect(() => void load(), [site.id]);

  const save = async (id: string, patch: { maxChats?: number; skills?: string[] }) => {
    setMessage(null);
    await api.updateOperator(site.id, id, patch).catch((err) => setMessage({ ok: false, text: errorText(err) }));
    await load();
  };
  const add = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    const email = form.email.trim();
    try {
      const r = await api.addOperator(site.id, {
        email,
        name: form.name,
        password: form.password,
        role: form.role,
        maxChats: Number(form.maxChats),
        skills: splitSkills(form.skills),
      });
      setMessage({ ok: true, text: r.status === "invited" ? t("invitationSent", { email }) : t("operatorAdded", { email }) });
      setForm(EMPTY_FORM);
      await load();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err, { conflict: t("operatorExists", { email }) }) });
    } finally {
      setBusy(false);
    }
  };
  const [invite, setInvite] = useState({ email: "", name: "", role: "agent" as MemberRole });
  const sendInvite = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setMessage(null);
    const email = invite.email.trim();
    try {
      await api.inviteByEmail(site.id, { email, role: invite.role, ...(invite.name.trim() ? { name: invite.name.trim() } : {}) });
      setMessage({ ok: true, text: t("invitationMailed", { email }) });
      setInvite({ email: "", name: "", role: "agent" });
      await load();
    } catch (err) {
      setMessage({ ok: false, text: errorText(err, { conflict: t("operatorExists", { email }) }) });
    } finally {
      setBusy(false);
    }
  };
  const resend = async (inv: Invitation) => {
    setMessage(null);
    try {
      await api.resendInvitation(site.id, inv.id);
      setMessage({ ok: true, text: t("invitationResent", { email: inv.email }) });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
    await load();
  };
  const revoke = async (inv: Invitation) => {
    if (!confirm(t("revokeConfirm", { email: inv.email }))) return;
    setMessage(null);
    await api.revokeInvitation(site.id, inv.id).catch((err) => setMessage({ ok: false, text: errorText(err) }));
    await load();
  };

  return (
    <section class="team">
      <h2>{t("team")}</h2>
      {message ? (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th>{t("operator")}</th>
              <th>{t("role")}</th>
              <th>{t("presenceLabel")}</th>
              <th>{t("capacity")}</th>
              <th>{t("skills")}</th>
            </tr>
          </thead>
          <tbody>
            {team.map((o) => (
              <tr key={o.id} data-operator={o.id}>
                <td>
                  <div class="who-cell">
                    <Avatar name={o.name} url={o.avatarUrl} size={28} />
                    <div>
                      <strong>{o.name}</strong>
                      <span class="muted small">{o.email}</span>
                    </div>
                  </div>
                </td>
                <td>{t(o.role)}</td>
                <td>
                  <span class={`presence ${o.presence}`}>
                    {o.presence === "offline" ? t("offline") : o.presence === "away" ? t("away") : t("onlineShort")}
                  </span>
                </td>
                <td>
                  {o.load} /{" "}
                  {manager ? (
                    <input
                      class="cap"
                      type="number"
                      min={1}
                      max={50}
                      value={o.maxChats}
                      aria-label={`${t("capacity")}: ${o.name}`}
                      onChange={(e) => save(o.id, { maxChats: Number(e.currentTarget.value) })}
                    />
                  ) : (
                    o.maxChats
                  )}
                </td>
                <td>
                  {manager ? (
                    <input
                      class="skills"
                      value={o.skills.join(", ")}
                      aria-label={`${t("skills")}: ${o.name}`}
                      onChange={(e) => save(o.id, { skills: splitSkills(e.currentTarget.value) })}
                    />
                  ) : (
                    o.skills.join(", ")
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {manager && invitations.length ? (
        <section class="invitations" aria-labelledby="invitations-title">
          <h3 id="invitations-title">{t("invitationsTitle")}</h3>
          <ul class="items">
            {invitations.map((inv) => (
              <li key={inv.id} data-invitation={inv.id}>
                <span>
                  <strong>{inv.email}</strong> <span class="muted small">{t(inv.role)}</span>
                </span>
                <span class="invitation-actions">
                  <span class="muted small">{t("invitationExpires", { date: formatDateTime(inv.expiresAt) })}</span>
                  <button type="button" class="ghost small" onClick={() => resend(inv)}>
                    {t("resendInvitation")}
                  </button>
                  <button type="button" class="ghost small" onClick={() => revoke(inv)}>
                    {t("revoke")}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {manager ? (
        <form class="invite-operator" onSubmit={sendInvite} aria-labelledby="invite-title">
          <h3 id="invite-title">{t("inviteByEmail")}</h3>
          <p class="muted small" id="invite-hint">
            {t("inviteByEmailHint")}
          </p>
          <input
            required
            type="email"
            placeholder={t("email")}
            aria-label={t("email")}
            aria-describedby="invite-hint"
            value={invite.email}
            onInput={(e) => setInvite({ ...invite, email: e.currentTarget.value })}
          />
          <input
            placeholder={t("nameOptional")}
            aria-label={t("nameOptional")}
            value={invite.name}
            onInput={(e) => setInvite({ ...invite, name: e.currentTarget.value })}
          />
          <select
            aria-label={t("role")}
            value={invite.role}
            onChange={(e) => setInvite({ ...invite, role: e.currentTarget.value as MemberRole })}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(r)}
              </option>
            ))}
          </select>
          <button class="primary" type="submit" disabled={busy}>
            {t("sendInvitation")}
          </button>
        </form>
      ) : null}
      {manager ? (
        <form class="add-operator" onSubmit={add}>
          <h3>{t("addOperator")}</h3>
          <input
            required
            type="email"
            placeholder={t("email")}
            aria-label={t("email")}
            value={form.email}
            onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
          <input
            required
            placeholder={t("name")}
            aria-label={t("name")}
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
          <input
            required
            type="password"
            minLength={8}
            autocomplete="new-password"
            placeholder={t("firstPassword")}
            aria-label={t("firstPassword")}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
          <select
            aria-label={t("role")}
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.currentTarget.value as MemberRole })}
          >
            {roles.map((r) => (
              <option key={r} value={r}>
                {t(r)}
              </option>
            ))}
          </select>
          <input
            type="number"
            min={1}
            max={50}
            aria-label={t("capacity")}
            value={form.maxChats}
            onInput={(e) => setForm({ ...form, maxChats: e.currentTarget.value })}
          />
          <input
            placeholder={t("skillsHint")}
            aria-label={t("skills")}
            value={form.skills}
            onInput={(e) => setForm({ ...form, skills: e.currentTarget.value })}
          />
          <button class="primary" type="submit" disabled={busy}>
            {t("add")}
          </button>
          <p class="muted small add-hint">{t("addOperatorHint")}</p>
        </form>
      ) : null}
    </section>
  );
}

const splitSkills = (s: string) =>
  s
    .split(/[,\s]+/)
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
