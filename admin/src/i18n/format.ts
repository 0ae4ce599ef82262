/**
 * Dates, times, numbers, money, durations and place names in the operator's language, through
 * Intl (24-hour clocks, decimal commas and grouping follow the locale). Dates outside the
 * current year carry the year, so an old visit or order is never ambiguous.
 */
import { currentLang, t } from "./index";

const thisYear = (ms: number, now: number) => new Date(ms).getFullYear() === new Date(now).getFullYear();

export function formatTime(ms: number): string {
  // "numeric", not "2-digit": English gets "1:05 PM", not "01:05 PM"; 24-hour locales are unchanged.
  return new Intl.DateTimeFormat(currentLang(), { hour: "numeric", minute: "2-digit" }).format(ms);
}

/** "now", "5 min ago", "3 Mar" (with the year when it is not this one) for list rows. */
export function formatRelative(ms: number, now = Date.now()): string {
  const rtf = new Intl.RelativeTimeFormat(currentLang(), { numeric: "auto", style: "short" });
  const s = Math.round((ms - now) / 1000);
  if (Math.abs(s) < 60) return rtf.format(0, "second");
  if (Math.abs(s) < 3600) return rtf.format(Math.round(s / 60), "minute");
  if (Math.abs(s) < 86400) return rtf.format(Math.round(s / 3600), "hour");
  return new Intl.DateTimeFormat(currentLang(), {
    day: "numeric",
    month: "short",
    year: thisYear(ms, now) ? undefined : "numeric",
  }).format(ms);
}

/** The timeline's day divider: "Today", "Yesterday", "Monday, 3 March" — capitalised like "Today". */
export function formatDay(ms: number, now = Date.now()): string {
  const day = (x: number) => new Date(x).toDateString();
  if (day(ms) === day(now)) return t("today");
  if (day(ms) === day(now - 86_400_000)) return t("yesterday");
  const text = new Intl.DateTimeFormat(currentLang(), {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: thisYear(ms, now) ? undefined : "numeric",
  }).format(ms);
  return text.charAt(0).toLocaleUpperCase(currentLang()) + text.slice(1);
}

/** "3 Mar, 13:05" (with the year when it is not this one). */
export function formatDateTime(ms: number, now = Date.now()): string {
  return new Intl.DateTimeFormat(currentLang(), {
    day: "numeric",
    month: "short",
    year: thisYear(ms, now) ? undefined : "numeric",
    hour: "numeric",
    minute: "2-digit",
  }).format(ms);
}

/** A ticking duration: "0:42", "12:05", "1:02:09" (language-neutral). */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A total time: "45 s", "12 min", "2 h 5 min". */
export function formatDuration(ms: number): string {
  const unit = (n: number, u: "second" | "minute" | "hour") =>
    new Intl.NumberFormat(currentLang(), { style: "unit", unit: u, unitDisplay: "short" }).format(n);
  const s = Math.round(ms / 1000);
  if (s < 60) return unit(s, "second");
  const m = Math.round(s / 60);
  if (m < 60) return unit(m, "minute");
  return `${unit(Math.floor(m / 60), "hour")} ${m % 60 ? unit(m % 60, "minute") : ""}`.trim();
}

/** A count with the locale's grouping: "12,345", "12 345". */
export function formatNumber(n: number): string {
  return new Intl.NumberFormat(currentLang()).format(n);
}

/** A share from 0 to 1: "45%" (English, Polish), "45 %" (Finnish, Russian). */
export function formatPercent(share: number): string {
  return new Intl.NumberFormat(currentLang(), { style: "percent", maximumFractionDigits: 0 }).format(share);
}

export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(currentLang(), { style: "currency", currency }).format(amount);
  } catch {
    // Not an ISO currency code: the number in the locale's format, then the code as given.
    return `${new Intl.NumberFormat(currentLang(), { minimumFractionDigits: 2 }).format(amount)} ${currency}`;
  }
}

/** "PL" → "Poland" / "Polska" / "Puola" / "Польша"; unknown codes as they are. */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(currentLang(), { type: "region" }).of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** "pl-PL" → "Polish (Poland)" in the operator's language. */
export function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames(currentLang(), { type: "language" }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
