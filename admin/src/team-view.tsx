/**
 * The team page: who is on the site, their presence and load, capacity and skills. Owners and
 * admins add colleagues and change capacity and skills (routing follows at once).
 */
import { useEffect, useState } from "preact/hooks";
import type { SiteMembership, TeamResponse } from "../../protocol";
import { ApiFailure, api } from "./api";
import { Avatar } from "./avatar";
import { t } from "./i18n";

type Operator = TeamResponse["operators"][number];

export function TeamView({ site, meId }: { site: SiteMembership; meId: string }) {
  const [team, setTeam] = useState<Operator[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form, setForm] = useState({ email: "", name: "", password: "", maxChats: "5", skills: "" });
  const manager = site.role !== "agent";
  const load = () =>
    api.team(site.id).then(
      (r) => setTeam(r.operators),
      () => {},
    );
  useEffect(() => void load(), [site.id]);

  const save = async (id: string, patch: { maxChats?: number; skills?: string[] }) => {
    setError(null);
    await api.updateOperator(site.id, id, patch).catch((e) => setError(e instanceof ApiFailure ? e.message : t("genericError")));
    await load();
  };
  const add = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.addOperator(site.id, {
        email: form.email,
        name: form.name,
        password: form.password,
        maxChats: Number(form.maxChats),
        skills: splitSkills(form.skills),
      });
      setForm({ email: "", name: "", password: "", maxChats: "5", skills: "" });
      await load();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : t("genericError"));
    }
  };

  return (
    <section class="team">
      <h2>{t("team")}</h2>
      {error ? <p class="error">{error}</p> : null}
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
            <tr key={o.id}>
              <td class="who-cell">
                {manager || o.id === meId ? (
                  <label class="avatar-upload" title={t("uploadPhoto")}>
                    <Avatar name={o.name} url={o.avatarUrl} size={28} />
                    <input
                      type="file"
                      accept="image/png,image/jpeg,image/webp"
                      aria-label={t("uploadPhoto")}
                      onChange={async (e) => {
                        const file = e.currentTarget.files?.[0];
                        if (!file) return;
                        await api
                          .uploadAvatar(site.id, o.id, file)
                          .catch((err) => setError(err instanceof ApiFailure ? err.message : t("genericError")));
                        await load();
                      }}
                    />
                  </label>
                ) : (
                  <Avatar name={o.name} url={o.avatarUrl} size={28} />
                )}
                <div>
                  <strong>{o.name}</strong>
                  <span class="muted small">{o.email}</span>
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
                    aria-label={t("capacity")}
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
                    aria-label={t("skills")}
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
      {manager ? (
        <form class="add-operator" onSubmit={add}>
          <h3>{t("addOperator")}</h3>
          <input
            required
            type="email"
            placeholder={t("email")}
            value={form.email}
            onInput={(e) => setForm({ ...form, email: e.currentTarget.value })}
          />
          <input required placeholder={t("name")} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
          <input
            required
            type="password"
            minLength={8}
            placeholder={t("firstPassword")}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
          />
          <input
            type="number"
            min={1}
            max={50}
            aria-label={t("capacity")}
            value={form.maxChats}
            onInput={(e) => setForm({ ...form, maxChats: e.currentTarget.value })}
          />
          <input placeholder={t("skillsHint")} value={form.skills} onInput={(e) => setForm({ ...form, skills: e.currentTarget.value })} />
          <button class="primary" type="submit">
            {t("add")}
          </button>
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
