/**
 * The report CSVs' column names and labels in the operator's language (`?lang=` of the CSV link:
 * the admin sends its own). The words are the admin's own dictionaries (admin/src/i18n), so a
 * CSV's header reads like the table it was downloaded from; English when a key or language is
 * missing.
 */
import en from "../../admin/src/i18n/en";
import fi from "../../admin/src/i18n/fi";
import pl from "../../admin/src/i18n/pl";
import ru from "../../admin/src/i18n/ru";

export const CSV_LANGS = ["en", "pl", "fi", "ru"] as const;
export type CsvLang = (typeof CSV_LANGS)[number];

type Key = { [K in keyof typeof en]: (typeof en)[K] extends string ? K : never }[keyof typeof en];
const DICTIONARIES: Record<CsvLang, Record<string, unknown>> = { en, pl, fi, ru };

/** One text of the admin in `lang`, `{name}` placeholders filled. */
export function csvWord(lang: CsvLang, key: Key, vars: Record<string, string | number> = {}): string {
  const found = DICTIONARIES[lang][key];
  const text = typeof found === "string" ? found : en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
