/**
 * The site's settings for owners and admins: the widget's colour and welcome, typing preview
 * (privacy), how long an unanswered chat stays with one operator, the topics visitors pick, the
 * websites the widget may run on, and (owners only) consent mode, how long visitor data is kept,
 * and the identity and API secrets.
 */
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import { AllowedOrigin, MAX_ALLOWED_ORIGINS, type SiteMembership, type SiteSettingsResponse } from "../../protocol";
import { api } from "./api";
import { DeveloperSettings } from "./developer-settings";
import { errorText } from "./error-text";
import { t } from "./i18n";

/** The origins typed one per line, checked with the server's own rule; the first bad one named. */
function readOrigins(text: string): { origins: string[] } | { error: string } {
  const lines = text
    .split(/\s+/)
    .map((x) => x.trim())
    .filter(Boolean);
  const origins: string[] = [];
  for (const line of lines) {
    const r = v.safeParse(AllowedOrigin, line.replace(/\/+$/, ""));
    if (!r.success) return { error: t("originInvalid", { origin: line }) };
    if (!origins.includes(r.output)) origins.push(r.output);
  }
  return origins.length > MAX_ALLOWED_ORIGINS ? { error: t("originsFull", { max: MAX_ALLOWED_ORIGINS }) } : { origins };
}

export function SettingsView({ site }: { site: SiteMembership }) {
  const [s, setS] = useState<SiteSettingsResponse | null>(null);
  const [originsText, setOriginsText] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const loaded = (r: SiteSettingsResponse) => {
    setS(r);
    setOriginsText((r.allowedOrigins ?? []).join("\n"));
  };
  useEffect(() => void api.settings(site.id).then(loaded, () => setS(null)), [site.id]);
  if (!s) return <section class="settings" aria-busy="true" />;
  const readOnly = site.role === "agent";
  const owner = site.role === "owner";
  const save = async (e: Event) => {
    e.preventDefault();
    // This form sends only its own fields: business hours and the email settings have their own
    // page (and hours, consent and retention are the owner's call: others never send them).
    const { consentRequired, retentionDays, accentColor, welcomeText, typingPreview, reassignAfterSeconds } = s;
    const origins = readOrigins(originsText);
    if ("error" in origins) return setMessage({ ok: false, text: origins.error });
    try {
      loaded(
        await api.saveSettings(site.id, {
          accentColor,
          welcomeText,
          typingPreview,
          reassignAfterSeconds,
          ...(owner ? { consentRequired, retentionDays } : {}),
          topics: s.topics.filter((x) => x.label && x.skill),
          allowedOrigins: origins.origins,
        }),
      );
      setMessage({ ok: true, text: t("saved") });
    } catch (err) {
      setMessage({ ok: false, text: errorText(err) });
    }
  };
  return (
    <>
      <form class="settings" onSubmit={save}>
        <h2>{t("settings")}</h2>
        <fieldset disabled={readOnly}>
          <label>
            {t("accentColor")}
            <input type="color" value={s.accentColor} onInput={(e) => setS({ ...s, accentColor: e.currentTarget.value })} />
          </label>
          <p class="muted small field-hint">
            {t("brand_moreHint")} <a href="#/branding">{t("brandingNav")}</a>
          </p>
          <label>
            {t("welcomeText")}
            <textarea rows={2} maxLength={500} value={s.welcomeText} onInput={(e) => setS({ ...s, welcomeText: e.currentTarget.value })} />
          </label>
          <label class="check">
            <input type="checkbox" checked={s.typingPreview} onChange={(e) => setS({ ...s, typingPreview: e.currentTarget.checked })} />
            {t("typingPreviewSetting")}
          </label>
          <label>
            {t("reassignAfter")}
            <input
              type="number"
              min={15}
              max={3600}
              value={s.reassignAfterSeconds}
              onInput={(e) => setS({ ...s, reassignAfterSeconds: Number(e.currentTarget.value) })}
            />
          </label>
          <div class="topics-editor">
            <span>{t("visitorTopics")}</span>
            {s.topics.map((tp, i) => (
              <div key={i} class="topic-row">
                <input
                  placeholder={t("topicLabel")}
                  value={tp.label}
                  onInput={(e) => setS({ ...s, topics: s.topics.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)) })}
                />
                <input
                  placeholder={t("topicSkill")}
                  value={tp.skill}
                  onInput={(e) =>
                    setS({
                      ...s,
                      topics: s.topics.map((x, j) => (j === i ? { ...x, skill: e.currentTarget.value.trim().toLowerCase() } : x)),
                    })
                  }
                />
                <button type="button" class="ghost small" onClick={() => setS({ ...s, topics: s.topics.filter((_, j) => j !== i) })}>
                  {t("delete")}
                </button>
              </div>
            ))}
            <button type="button" class="ghost small" onClick={() => setS({ ...s, topics: [...s.topics, { label: "", skill: "" }] })}>
              + {t("addTopic")}
            </button>
          </div>
          <label class="origins">
            {t("allowedOrigins")}
            <textarea
              rows={3}
              spellcheck={false}
              placeholder="https://shop.example"
              aria-describedby="origins-hint"
              value={originsText}
              onInput={(e) => setOriginsText(e.currentTarget.value)}
            />
          </label>
          <p id="origins-hint" class="muted small field-hint">
            {t("allowedOriginsHint")}
          </p>
          {originsText.trim() ? null : (
            <p class="warning small" role="note">
              {t("allowedOriginsEmpty")}
            </p>
          )}
          <fieldset class="privacy-settings" disabled={!owner} title={owner ? undefined : t("ownersOnly")}>
            <legend>{t("privacy")}</legend>
            <label class="check">
              <input
                type="checkbox"
                checked={s.consentRequired}
                onChange={(e) => setS({ ...s, consentRequired: e.currentTarget.checked })}
              />
              {t("consentRequiredSetting")}
            </label>
            <label>
              {t("retentionSetting")}
              <input
                type="number"
                min={1}
                max={3650}
                value={s.retentionDays ?? ""}
                onInput={(e) => setS({ ...s, retentionDays: e.currentTarget.value ? Number(e.currentTarget.value) : null })}
              />
            </label>
            {owner ? null : <p class="muted small">{t("ownersOnly")}</p>}
          </fieldset>
          <button class="primary" type="submit">
            {t("save")}
          </button>
          {message ? (
            <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
              {message.text}
            </p>
          ) : null}
        </fieldset>
      </form>
      {owner ? <DeveloperSettings siteId={site.id} /> : null}
    </>
  );
}
