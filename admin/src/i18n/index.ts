/**
 * The admin's words at run time: `t(key, vars)` fills `{name}` placeholders, `tn(key, count)`
 * picks a plural form with Intl.PluralRules. The language is the operator's saved choice, else
 * the browser's; each language is its own chunk, loaded on demand, so an operator downloads one
 * dictionary, not four. `startI18n()` must finish before the first render.
 */
import { useEffect, useState } from "preact/hooks";
import type { Dictionary, PluralForm, PluralKey, TextKey } from "./dictionary";

export type { PluralKey, TextKey } from "./dictionary";

export const LANGUAGES = { en: "English", pl: "Polski", fi: "Suomi", ru: "Русский" } as const;
export type Lang = keyof typeof LANGUAGES;

/**
 * Every language has at least the forms "one" and "other" (each file is checked against its
 * own forms; English is checked here).
 */
type AnyDictionary = Dictionary<"one" | "other">;
const loaders: Record<Lang, () => Promise<AnyDictionary>> = {
  en: () => import("./en").then((m) => m.default),
  pl: () => import("./pl").then((m) => m.default),
  fi: () => import("./fi").then((m) => m.default),
  ru: () => import("./ru").then((m) => m.default),
};
const LANG_KEY = "gadka:admin:lang";

let current: Lang = "en";
let dict: AnyDictionary | null = null;
let requested: Lang | null = null;
const subscribers = new Set<() => void>();

function isLang(x: string | null | undefined): x is Lang {
  return !!x && Object.hasOwn(LANGUAGES, x);
}

function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (isLang(saved)) return saved;
  return navigator.languages.map((l) => l.slice(0, 2)).find(isLang) ?? "en";
}

/** Loads the operator's language (English if its file cannot be loaded). */
export async function startI18n(): Promise<void> {
  const lang = initialLang();
  await use(lang).catch(() => (lang === "en" ? Promise.reject(new Error("no dictionary")) : use("en")));
}

export function currentLang(): Lang {
  return current;
}

/** Switches language once its dictionary has arrived; the choice is remembered. */
export async function setLang(lang: Lang): Promise<void> {
  localStorage.setItem(LANG_KEY, lang);
  await use(lang);
}

async function use(lang: Lang): Promise<void> {
  requested = lang;
  const loaded = await loaders[lang]();
  // A later choice made while this one was loading wins.
  if (requested !== lang) return;
  dict = loaded;
  current = lang;
  document.documentElement.lang = lang;
  for (const fn of subscribers) fn();
}

/** Re-renders the calling component when the language changes. */
export function useLang(): Lang {
  const [, bump] = useState(0);
  useEffect(() => {
    const fn = () => bump((n) => n + 1);
    subscribers.add(fn);
    return () => void subscribers.delete(fn);
  }, []);
  return current;
}

function words(): AnyDictionary {
  if (!dict) throw new Error("startI18n() has not finished");
  return dict;
}

export function t(key: TextKey, vars: Record<string, string | number> = {}): string {
  return fill(words()[key], vars);
}

export function tn(key: PluralKey, count: number): string {
  const group: Partial<Record<PluralForm, string>> = words()[key];
  return fill(group[new Intl.PluralRules(current).select(count)] ?? group.other ?? "", { count });
}

function fill(text: string, vars: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));
}
