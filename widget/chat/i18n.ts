/**
 * The chat UI's words in English, Polish, Finnish and Russian (widget/chat/words/), chosen from
 * the browser's languages; English is built in, the others are chunks loaded before the first
 * render (`loadWords`), so a visitor downloads one language. `t(key, vars)` fills `{name}`-style placeholders; `tn(key, n)` picks a plural form
 * with Intl.PluralRules (`{n}` is the count); `days` are "on Monday" as each language says it
 * after "we are back" (Sunday first, as `Date.getDay()` counts), since Intl's weekday names are
 * nominative and Polish, Finnish and Russian need another case there.
 */
import { chatLang } from "./host";
import en, { type Dict } from "./words/en";

const LANGUAGES = ["en", "pl", "fi", "ru"];
// The loader's choice first (the shop's forced language or Gadka('setLocale')), else the browser's.
export let lang =
  [chatLang ?? "", ...(navigator.languages ?? [navigator.language])]
    .map((l) => l.slice(0, 2).toLowerCase())
    .find((l) => LANGUAGES.includes(l)) ?? "en";
let dict: Dict = en;

/** Loads the visitor's language (English is built in); falls back to English if the chunk fails. */
export async function loadWords(): Promise<void> {
  const chunks: Record<string, () => Promise<{ default: Dict }>> = {
    pl: () => import("./words/pl"),
    fi: () => import("./words/fi"),
    ru: () => import("./words/ru"),
  };
  const load = chunks[lang];
  if (!load) return;
  try {
    dict = (await load()).default;
  } catch {
    lang = "en";
  }
}

const fill = (text: string, vars: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? "");
export type Key = { [K in keyof Dict]: Dict[K] extends string ? K : never }[keyof Dict];
export function t(key: Key, vars: Record<string, string> = {}): string {
  return fill(dict[key], vars);
}
export function tn(key: "replyMinutes" | "replyHours", n: number): string {
  const forms = dict[key];
  return fill(forms[new Intl.PluralRules(lang).select(n)] ?? forms.other, { n: String(n) });
}
/** "on Monday" (Sunday first), as "we are back …" needs it in this language. */
export const dayPhrase = (weekday: number): string => dict.days[weekday]!;
