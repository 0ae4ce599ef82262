/**
 * How the admin words a visitor's facts: traffic source, device, place, page path. Shared by the
 * Live view, the visitor sidebar and the audience page. Everything returns plain text.
 */
import { useEffect, useState } from "preact/hooks";
import type { DeviceInfo, TrafficSource } from "../../protocol";
import { visitorLabel } from "./avatar";
import { t } from "./i18n";
import { regionName } from "./i18n/format";

/** "google / cpc · spring", "facebook.com", or "Direct". */
export function sourceLabel(s: TrafficSource | null | undefined): string {
  if (!s) return t("direct");
  if (s.utmSource) return [s.utmMedium ? `${s.utmSource} / ${s.utmMedium}` : s.utmSource, s.utmCampaign].filter(Boolean).join(" · ");
  return s.referrer ? hostOf(s.referrer) : t("direct");
}

export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return url;
  }
}

/** The path and query of a page URL: what an operator recognises ("/demo/kettle.html"). */
export function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}${u.hash}`;
  } catch {
    return url;
  }
}

/** "Desktop · Chrome · Linux" */
export function deviceLabel(d: DeviceInfo | null | undefined): string {
  if (!d) return t("unknown");
  return [t(`device_${d.type}`), d.browser, d.os].filter(Boolean).join(" · ");
}

export function placeLabel(country: string | null | undefined, city?: string | null): string {
  if (!country) return city ?? t("unknown");
  return [city, regionName(country)].filter(Boolean).join(", ");
}

/** A visitor's name, else their email, else the stable anonymous label ("Visitor #4821"). */
export function nameOf(v: { visitorId?: string; id?: string; name: string | null; email: string | null }): string {
  return v.name || v.email || t("visitor", { id: visitorLabel(v.visitorId ?? v.id ?? "") });
}

/** The current time, re-read every `everyMs` (ticking durations). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
