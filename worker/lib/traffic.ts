/**
 * Where a visit comes from and on what: the traffic source (referrer + utm_* of the landing URL)
 * and the device, browser and OS from the User-Agent. Small hand-written rules, server-side, so
 * the loader sends only the URL and referrer. Pure functions.
 */
import type { DeviceInfo, TrafficSource } from "../../protocol";

const TRACKING_PARAMS = /^(utm_[a-z]+|gclid|gbraid|wbraid|fbclid|msclkid|yclid|dclid|mc_eid|mc_cid|_ga|_gl)$/i;

function parseUrl(raw: string | undefined | null): URL | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === "http:" || u.protocol === "https:" ? u : null;
  } catch {
    return null;
  }
}

/**
 * The page URL as stored: no hash, no tracking parameters, so that the same product page groups
 * across campaigns. Null when it is not an http(s) URL.
 */
export function cleanUrl(raw: string | undefined | null): string | null {
  const u = parseUrl(raw);
  if (!u) return null;
  u.hash = "";
  for (const key of [...u.searchParams.keys()]) if (TRACKING_PARAMS.test(key)) u.searchParams.delete(key);
  return u.toString();
}

const host = (u: URL) => u.hostname.replace(/^www\./, "").toLowerCase();

/**
 * The source of a visit landing on `pageUrl` from `referrer`. A referrer on the shop's own host
 * is internal navigation, not a source.
 */
export function trafficSource(pageUrl: string | undefined, referrer: string | undefined): TrafficSource {
  const page = parseUrl(pageUrl);
  const ref = parseUrl(referrer);
  const external = ref && (!page || host(ref) !== host(page)) ? ref : null;
  const param = (name: string) => {
    const value = page?.searchParams.get(name)?.trim();
    return value ? value.slice(0, 200) : null;
  };
  return {
    referrer: external ? external.toString().slice(0, 2048) : null,
    utmSource: param("utm_source"),
    utmMedium: param("utm_medium"),
    utmCampaign: param("utm_campaign"),
    utmTerm: param("utm_term"),
    utmContent: param("utm_content"),
    landingUrl: cleanUrl(pageUrl),
  };
}

/** One word for filters and the audience page: utm_source, else the referrer's host, else "direct". */
export function sourceLabel(s: TrafficSource): string {
  if (s.utmSource) return s.utmSource.toLowerCase();
  const ref = parseUrl(s.referrer);
  return ref ? host(ref) : "direct";
}

const BOT = /bot\b|bot\/|crawl|spider|slurp|headless|lighthouse|facebookexternalhit|preview|python-requests|curl\/|wget/i;

export function parseUserAgent(ua: string | undefined | null): DeviceInfo | null {
  if (!ua) return null;
  const type: DeviceInfo["type"] = BOT.test(ua)
    ? "bot"
    : /iPad|Tablet|PlayBook|Silk|Kindle/i.test(ua) || (/Android/i.test(ua) && !/Mobile/i.test(ua))
      ? "tablet"
      : /Mobi|iPhone|iPod|Android|Windows Phone|Opera Mini/i.test(ua)
        ? "mobile"
        : "desktop";
  return { type, browser: browserOf(ua), os: osOf(ua) };
}

function browserOf(ua: string): string | null {
  const rules: [RegExp, string][] = [
    [/Edg(e|A|iOS)?\//, "Edge"],
    [/OPR\/|Opera/, "Opera"],
    [/SamsungBrowser\//, "Samsung Internet"],
    [/YaBrowser\//, "Yandex"],
    [/Firefox\/|FxiOS\//, "Firefox"],
    [/CriOS\/|Chrome\/|Chromium\//, "Chrome"],
    [/Version\/[\d.]+.*Safari\/|AppleWebKit.*Mobile\//, "Safari"],
  ];
  if (BOT.test(ua)) return null;
  return rules.find(([re]) => re.test(ua))?.[1] ?? null;
}

function osOf(ua: string): string | null {
  const rules: [RegExp, string][] = [
    [/iPhone|iPad|iPod/, "iOS"],
    [/Android/, "Android"],
    [/Windows Phone/, "Windows Phone"],
    [/Windows/, "Windows"],
    [/CrOS/, "ChromeOS"],
    [/Mac OS X|Macintosh/, "macOS"],
    [/Linux/, "Linux"],
  ];
  return rules.find(([re]) => re.test(ua))?.[1] ?? null;
}
