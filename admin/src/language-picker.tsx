/**
 * The language switch (English, Polish, Finnish, Russian); the choice is remembered.
 */
import { LANGUAGES, type Lang, setLang, t, useLang } from "./i18n";

export function LanguagePicker() {
  const lang = useLang();
  return (
    <label class="lang">
      <span class="sr-only">{t("language")}</span>
      <select value={lang} aria-label={t("language")} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
        {Object.entries(LANGUAGES).map(([code, name]) => (
          <option key={code} value={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}
