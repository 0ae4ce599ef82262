/**
 * Transfer a conversation: to a colleague (with their presence and load) or to anyone with a
 * skill, with an optional note only operators see.
 */
import { useEffect, useState } from "preact/hooks";
import type { TeamResponse } from "../../protocol";
import { api } from "./api";
import { Avatar } from "./avatar";
import { t } from "./i18n";

export function TransferMenu({
  siteId,
  conversationId,
  meId,
  onDone,
}: {
  siteId: string;
  conversationId: string;
  meId: string;
  onDone: () => void;
}) {
  const [team, setTeam] = useState<TeamResponse["operators"] | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.team(siteId).then(
      (r) => setTeam(r.operators),
      () => setTeam([]),
    );
  }, [siteId]);
  const skills = [...new Set((team ?? []).flatMap((o) => o.skills))].sort();
  const go = async (target: { operatorId: string } | { skill: string }) => {
    setBusy(true);
    await api.transfer(siteId, conversationId, { ...target, note: note.trim() || null }).catch(() => {});
    setBusy(false);
    onDone();
  };
  return (
    <div class="menu" role="dialog" aria-label={t("transferTo")}>
      <strong>{t("transferTo")}</strong>
      <ul>
        {(team ?? [])
          .filter((o) => o.id !== meId)
          .map((o) => (
            <li key={o.id}>
              <button type="button" class="menu-item" disabled={busy} onClick={() => go({ operatorId: o.id })}>
                <Avatar name={o.name} url={o.avatarUrl} size={24} />
                <span>{o.name}</span>
                <span class={`presence ${o.presence}`}>{o.presence === "offline" ? "—" : `${o.load}/${o.maxChats}`}</span>
              </button>
            </li>
          ))}
        {skills.map((skill) => (
          <li key={skill}>
            <button type="button" class="menu-item" disabled={busy} onClick={() => go({ skill })}>
              <span class="skill">#</span>
              <span>{t("toSkill", { skill })}</span>
            </button>
          </li>
        ))}
      </ul>
      <textarea rows={2} placeholder={t("transferNote")} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <button type="button" class="ghost small" onClick={onDone}>
        {t("cancel")}
      </button>
    </div>
  );
}
