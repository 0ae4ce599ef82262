/**
 * Engagement (issue 12), loaded on demand: the site's proactive triggers — each with its enabled
 * switch, priority, conditions in words, control group and its last 30 days' counters (with "not
 * enough data yet" while few visitors were counted) — create, edit, duplicate and delete, and
 * the caps across all triggers. Owners and admins edit; agents see everything read-only (the
 * server refuses their changes with 403 anyway).
 */
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import {
  DEFAULT_BRANDING,
  DEFAULT_TRIGGER_CAPS,
  MAX_TRIGGERS_PER_SITE,
  type Segment,
  type SiteMembership,
  type SiteSettingsResponse,
  TriggerCaps,
  type TriggerDefinition,
} from "../../protocol";
import { api, type TriggerRecord } from "./api";
import { errorText } from "./error-text";
import { t, tn } from "./i18n";
import { formatNumber } from "./i18n/format";
import { definitionOf, newTrigger, type TeamMember, TriggerEditor } from "./trigger-editor";
import { conditionsWords } from "./trigger-summary";

/** Below this many visitors counted (shown + control) in 30 days, the counters say little. */
export const ENOUGH_EXPOSURES = 100;

type Editing = { stored: TriggerRecord | null; initial: TriggerDefinition } | null;

export default function EngagementPage({ site }: { site: SiteMembership }) {
  const readOnly = site.role === "agent";
  const [triggers, setTriggers] = useState<TriggerRecord[] | null | undefined>(undefined);
  const [caps, setCaps] = useState<TriggerCaps>({ ...DEFAULT_TRIGGER_CAPS });
  const [team, setTeam] = useState<TeamMember[]>([]);
  const [segments, setSegments] = useState<Segment[]>([]);
  const [settings, setSettings] = useState<SiteSettingsResponse | null>(null);
  const [editing, setEditing] = useState<Editing>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [capsMessage, setCapsMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = () =>
    api.triggers(site.id).then(
      (r) => setTriggers(r.triggers),
      (err) => {
        setTriggers(null);
        setMessage({ ok: false, text: errorText(err) });
      },
    );
  useEffect(() => {
    load();
    api.triggerCaps(site.id).then(
      (r) => setCaps(r),
      () => {},
    );
    api.team(site.id).then(
      (r) => setTeam(r.operators.map((o) => ({ id: o.id, name: o.name, avatarUrl: o.avatarUrl }))),
      () => {},
    );
    api.segments(site.id).then(
      (r) => setSegments(r.segments),
      () => {},
    );
    api.settings(site.id).then(setSettings, () => {});
  }, [site.id]);

  const segmentName = (id: string) => segments.find((s) => s.id === id)?.name ?? id;

  if (editing)
    return (
      <TriggerEditor
        key={editing.stored?.id ?? "new"}
        siteId={site.id}
        siteName={site.name}
        stored={editing.stored}
        initial={editing.initial}
        readOnly={readOnly}
        team={team}
        segments={segments}
        accent={settings?.accentColor ?? "#4f46e5"}
        branding={settings?.branding ?? DEFAULT_BRANDING}
        onSaved={(r) => {
          setEditing(null);
          setMessage({ ok: true, text: t("saved") });
          setTriggers((list) => {
            const rest = (list ?? []).filter((x) => x.id !== r.id);
            return [...rest, r];
          });
          load();
        }}
        onClose={() => setEditing(null)}
      />
    );

  const toggle = async (r: TriggerRecord, enabled: boolean) => {
    try {
      const saved = await api.saveTrigger(site.id, r.id, { ...definitionOf(r), enabled });
      setTriggers((list) => (list ?? []).map((x) => (x.id === r.id ? { ...saved.trigger, stats: saved.trigger.stats ?? r.stats } : x)));
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  const remove = async (r: TriggerRecord) => {
    if (!confirm(t("eng_confirmDelete", { name: r.name }))) return;
    try {
      await api.deleteTrigger(site.id, r.id);
      setTriggers((list) => (list ?? []).filter((x) => x.id !== r.id));
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  const saveCaps = async (e: Event) => {
    e.preventDefault();
    const checked = v.safeParse(TriggerCaps, caps);
    if (!checked.success) return setCapsMessage({ ok: false, text: t("err_invalidInput") });
    try {
      setCaps(await api.saveTriggerCaps(site.id, checked.output));
      setCapsMessage({ ok: true, text: t("saved") });
    } catch (err) {
      setCapsMessage({ ok: false, text: errorText(err) });
    }
  };

  const sorted = [...(triggers ?? [])].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const full = sorted.length >= MAX_TRIGGERS_PER_SITE;

  return (
    <section class="engagement" aria-busy={triggers === undefined}>
      <div class="eng-head">
        <h2>{t("eng_title")}</h2>
        {readOnly ? null : (
          <button type="button" class="primary" disabled={full} onClick={() => setEditing({ stored: null, initial: newTrigger() })}>
            + {t("eng_new")}
          </button>
        )}
      </div>
      <p class="muted">{t("eng_intro")}</p>
      {readOnly ? <p class="warning small">{t("eng_readOnly")}</p> : null}
      {message ? (
        <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      ) : null}
      {triggers && triggers.length === 0 ? <p class="muted">{t("eng_empty")}</p> : null}
      {sorted.length ? (
        <div class="table-scroll">
          <table class="eng-table">
            <thead>
              <tr>
                <th scope="col">{t("eng_name")}</th>
                <th scope="col">{t("eng_enabled")}</th>
                <th scope="col">{t("eng_priorityShort")}</th>
                <th scope="col">{t("eng_conditions")}</th>
                <th scope="col">{t("eng_holdout")}</th>
                <th scope="col">{t("eng_stats")}</th>
                <th scope="col">
                  <span class="sr-only">{t("eng_edit")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sorted.map((r) => (
                <tr key={r.id} data-trigger={r.id}>
                  <th scope="row">
                    {r.name}
                    <small class="muted eng-frequency">
                      {r.frequencyDays === 0 ? t("eng_oncePerVisit") : tn("eng_everyDays", r.frequencyDays)}
                    </small>
                  </th>
                  <td data-label={t("eng_enabled")}>
                    <input
                      type="checkbox"
                      checked={r.enabled}
                      disabled={readOnly}
                      aria-label={`${t("eng_enabled")}: ${r.name}`}
                      onChange={(e) => toggle(r, e.currentTarget.checked)}
                    />
                  </td>
                  <td data-label={t("eng_priorityShort")}>{r.priority}</td>
                  <td class="eng-conditions" data-label={t("eng_conditions")}>
                    {conditionsWords(r.conditions, segmentName)}
                  </td>
                  <td data-label={t("eng_holdout")}>{r.holdoutPercent}%</td>
                  <td data-label={t("eng_stats")}>
                    <Stats r={r} />
                  </td>
                  <td class="eng-actions">
                    <button type="button" class="ghost small" onClick={() => setEditing({ stored: r, initial: definitionOf(r) })}>
                      {readOnly ? t("eng_preview") : t("eng_edit")}
                      <span class="sr-only">: {r.name}</span>
                    </button>
                    {readOnly ? null : (
                      <>
                        <button
                          type="button"
                          class="ghost small"
                          disabled={full}
                          onClick={() =>
                            setEditing({
                              stored: null,
                              initial: { ...definitionOf(r), name: t("eng_copyOf", { name: r.name }).slice(0, 80) },
                            })
                          }
                        >
                          {t("eng_duplicate")}
                          <span class="sr-only">: {r.name}</span>
                        </button>
                        <button type="button" class="ghost small danger" onClick={() => remove(r)}>
                          {t("delete")}
                          <span class="sr-only">: {r.name}</span>
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}

      <form class="settings eng-caps" onSubmit={saveCaps}>
        <h3>{t("eng_caps")}</h3>
        <p class="muted small">{t("eng_capsHint")}</p>
        <fieldset disabled={readOnly}>
          <div class="trg-row">
            <label>
              {t("eng_perVisit")}
              <input
                type="number"
                min={1}
                max={10}
                value={caps.perVisit}
                onInput={(e) => setCaps({ ...caps, perVisit: Number(e.currentTarget.value) })}
              />
            </label>
            <label>
              {t("eng_perDay")}
              <input
                type="number"
                min={1}
                max={20}
                value={caps.perDay}
                onInput={(e) => setCaps({ ...caps, perDay: Number(e.currentTarget.value) })}
              />
            </label>
          </div>
          {readOnly ? null : (
            <button class="primary" type="submit">
              {t("eng_saveCaps")}
            </button>
          )}
          {capsMessage ? (
            <p class={capsMessage.ok ? "ok" : "error"} role={capsMessage.ok ? "status" : "alert"}>
              {capsMessage.text}
            </p>
          ) : null}
        </fieldset>
      </form>
    </section>
  );
}

function Stats({ r }: { r: TriggerRecord }) {
  const s = r.stats ?? { shown: 0, control: 0, dismissed: 0, clicked: 0, conversations: 0 };
  const few = s.shown + s.control < ENOUGH_EXPOSURES;
  return (
    <div class="eng-stats">
      <dl>
        {(["shown", "control", "dismissed", "clicked", "conversations"] as const).map((k) => (
          <div key={k}>
            <dt>{t(`eng_${k}`)}</dt>
            <dd>{formatNumber(s[k])}</dd>
          </div>
        ))}
      </dl>
      {few ? <p class="muted small">{t("eng_fewData")}</p> : null}
    </div>
  );
}
