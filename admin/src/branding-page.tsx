/**
 * Branding (issue 12), loaded on demand: the shop's logo, the accent colour and the text colour
 * on it (with the live contrast ratio: below 4.5:1 the form refuses, as the server does), the
 * launcher's side, offsets and label, hiding it on phones, "my own button opens the chat" (and
 * the line the shop puts on its button), and the chat's forced language — with a live preview of
 * the launcher and the chat header. Saves `{ branding, accentColor }` through the settings API;
 * `branding` is replaced as a whole.
 */
import { useEffect, useState } from "preact/hooks";
import * as v from "valibot";
import { Branding, contrastRatio, MIN_CONTRAST, type SiteMembership, type SiteSettingsResponse } from "../../protocol";
import { ApiFailure, api } from "./api";
import { errorText } from "./error-text";
import { LANGUAGES, t } from "./i18n";

const HEX = /^#[0-9a-fA-F]{6}$/;
/** Rounded down, so 4.497 never reads as an acceptable "4.5". */
const ratioText = (r: number, lang: string) =>
  new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.floor(r * 100) / 100);

function ColourField(props: { id: string; label: string; value: string; onChange: (hex: string) => void }) {
  const [text, setText] = useState(props.value);
  useEffect(() => setText(props.value), [props.value]);
  return (
    <div class="brand-colour">
      <label for={`${props.id}-picker`}>{props.label}</label>
      <div class="trg-row">
        <input
          id={`${props.id}-picker`}
          type="color"
          value={HEX.test(props.value) ? props.value.toLowerCase() : "#000000"}
          onInput={(e) => props.onChange(e.currentTarget.value)}
        />
        <input
          id={`${props.id}-hex`}
          class="brand-hex"
          aria-label={t("brand_hex", { what: props.label })}
          value={text}
          maxLength={7}
          spellcheck={false}
          onInput={(e) => {
            const x = e.currentTarget.value.trim();
            setText(x);
            if (HEX.test(x)) props.onChange(x.toLowerCase());
          }}
        />
      </div>
    </div>
  );
}

export default function BrandingPage({ site }: { site: SiteMembership }) {
  const [accent, setAccent] = useState<string | null>(null);
  const [b, setB] = useState<Branding | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const loaded = (r: SiteSettingsResponse) => {
    setAccent(r.accentColor);
    setB(r.branding);
  };
  useEffect(() => void api.settings(site.id).then(loaded, (err) => setMessage({ ok: false, text: errorText(err) })), [site.id]);
  if (!b || !accent)
    return (
      <section class="settings branding" aria-busy="true">
        {message ? <p class="error">{message.text}</p> : null}
      </section>
    );

  const readOnly = site.role === "agent";
  const ratio = contrastRatio(accent, b.textColor);
  const readable = ratio >= MIN_CONTRAST;
  const lang = document.documentElement.lang || "en";
  const logoOk = !b.logoUrl || /^https:\/\//i.test(b.logoUrl);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!readable || !logoOk) return;
    const checked = v.safeParse(Branding, { ...b, logoUrl: b.logoUrl || null });
    if (!checked.success) return setMessage({ ok: false, text: `${t("err_invalidInput")} ${checked.issues[0].message}` });
    try {
      loaded(await api.saveSettings(site.id, { accentColor: accent, branding: checked.output }));
      setMessage({ ok: true, text: t("saved") });
    } catch (err) {
      // The server's refusal names its reason (a contrast it measured differently, a logo URL): shown with ours.
      const why = err instanceof ApiFailure && err.code === "validation_failed" ? ` (${err.message})` : "";
      setMessage({ ok: false, text: errorText(err) + why });
    }
  };
  const offset = (key: "offsetX" | "offsetY") => (
    <label>
      {t(key === "offsetX" ? "brand_offsetX" : "brand_offsetY")}
      <input
        type="number"
        min={0}
        max={200}
        value={b[key]}
        onInput={(e) => setB({ ...b, [key]: Math.max(0, Math.min(200, Math.round(Number(e.currentTarget.value) || 0))) })}
      />
    </label>
  );

  return (
    <div class="brand-layout">
      <form class="settings branding" onSubmit={save} noValidate>
        <h2>{t("brand_title")}</h2>
        <fieldset disabled={readOnly}>
          <label>
            {t("brand_logo")}
            <input
              type="url"
              value={b.logoUrl ?? ""}
              placeholder="https://shop.example/logo.png"
              aria-invalid={logoOk ? undefined : "true"}
              aria-describedby={logoOk ? undefined : "brand-logo-problem"}
              onInput={(e) => setB({ ...b, logoUrl: e.currentTarget.value.trim() || null })}
            />
          </label>
          {logoOk ? null : (
            <p id="brand-logo-problem" class="error small field-problem">
              {t("brand_logoBad")}
            </p>
          )}
          <ColourField id="brand-accent" label={t("brand_accent")} value={accent} onChange={setAccent} />
          <ColourField id="brand-text" label={t("brand_text")} value={b.textColor} onChange={(textColor) => setB({ ...b, textColor })} />
          <p class={`brand-contrast ${readable ? "ok" : "error"}`} role="status" id="brand-contrast" data-testid="contrast">
            <span class="brand-swatch" style={{ background: accent, color: b.textColor }} aria-hidden="true">
              Aa
            </span>
            <strong>{t("brand_contrast", { ratio: ratioText(ratio, lang) })}</strong>{" "}
            {readable ? t("brand_contrastOk") : t("brand_contrastLow", { ratio: ratioText(ratio, lang) })}
          </p>
          <fieldset class="brand-position">
            <legend>{t("brand_position")}</legend>
            {(["right", "left"] as const).map((p) => (
              <label key={p} class="check">
                <input type="radio" name="brand-position" checked={b.position === p} onChange={() => setB({ ...b, position: p })} />
                {t(p === "right" ? "brand_right" : "brand_left")}
              </label>
            ))}
          </fieldset>
          <div class="trg-row">
            {offset("offsetX")}
            {offset("offsetY")}
          </div>
          <label>
            {t("brand_label")}
            <input value={b.label} maxLength={40} onInput={(e) => setB({ ...b, label: e.currentTarget.value })} />
          </label>
          <label class="check">
            <input type="checkbox" checked={b.hideOnMobile} onChange={(e) => setB({ ...b, hideOnMobile: e.currentTarget.checked })} />
            {t("brand_hideOnMobile")}
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={b.launcher === "hidden"}
              onChange={(e) => setB({ ...b, launcher: e.currentTarget.checked ? "hidden" : "default" })}
            />
            {t("brand_ownButton")}
          </label>
          {b.launcher === "hidden" ? (
            <div class="brand-snippet">
              <span>{t("brand_snippet")}</span>
              <code>{`<button type="button" data-gadka-open>${b.label || t("brand_chatSample")}</button>`}</code>
            </div>
          ) : null}
          <label>
            {t("brand_locale")}
            <select value={b.locale} onChange={(e) => setB({ ...b, locale: e.currentTarget.value as Branding["locale"] })}>
              <option value="auto">{t("brand_localeAuto")}</option>
              {(Object.keys(LANGUAGES) as (keyof typeof LANGUAGES)[]).map((l) => (
                <option key={l} value={l}>
                  {LANGUAGES[l]}
                </option>
              ))}
            </select>
          </label>
          {readOnly ? null : (
            <button
              class="primary"
              type="submit"
              disabled={!readable || !logoOk}
              aria-describedby={readable ? undefined : "brand-contrast"}
            >
              {t("save")}
            </button>
          )}
          {message ? (
            <p class={message.ok ? "ok" : "error"} role={message.ok ? "status" : "alert"}>
              {message.text}
            </p>
          ) : null}
        </fieldset>
      </form>
      <figure class="brand-preview" aria-label={t("brand_preview")}>
        <figcaption>{t("brand_preview")}</figcaption>
        <div class="brand-stage">
          <div class="brand-window" style={{ [b.position]: `${Math.min(b.offsetX, 40)}px` }}>
            <div class="brand-header" style={{ background: accent, color: b.textColor }}>
              {b.logoUrl && logoOk ? <img src={b.logoUrl} alt="" /> : <span class="brand-initial">{site.name.slice(0, 1)}</span>}
              <div>
                <strong>{site.name}</strong>
                <small>{t("brand_headerSample")}</small>
              </div>
            </div>
            <div class="brand-body" />
          </div>
          {b.launcher === "hidden" ? (
            <span class="brand-own" style={{ [b.position]: `${Math.min(b.offsetX, 40)}px`, bottom: `${Math.min(b.offsetY, 40)}px` }}>
              {b.label || t("brand_chatSample")}
            </span>
          ) : (
            <span
              class="brand-launcher"
              style={{
                background: accent,
                color: b.textColor,
                [b.position]: `${Math.min(b.offsetX, 40)}px`,
                bottom: `${Math.min(b.offsetY, 40)}px`,
              }}
            >
              <svg viewBox="0 0 24 24" aria-hidden="true">
                <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20l1-4.6A8 8 0 1 1 21 12z" />
              </svg>
              {b.label ? <span>{b.label}</span> : null}
            </span>
          )}
        </div>
      </figure>
    </div>
  );
}
