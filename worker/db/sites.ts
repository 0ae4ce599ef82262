/**
 * D1 access to sites. Only the D1 layer touches `env.DB`.
 */
import * as v from "valibot";
import { SiteSettings, type WidgetSettings } from "../../protocol";

export interface SiteRow {
  id: string;
  name: string;
  publicKey: string;
  allowedOrigins: string[];
  settings: WidgetSettings;
}

interface RawSite {
  id: string;
  name: string;
  public_key: string;
  allowed_origins: string;
  settings: string;
}

function toSite(r: RawSite): SiteRow {
  const { accentColor, welcomeText, topics } = readSettings(r.settings);
  return {
    id: r.id,
    name: r.name,
    publicKey: r.public_key,
    allowedOrigins: parseArray(r.allowed_origins),
    settings: { siteName: r.name, accentColor, welcomeText, topics },
  };
}

/** Stored settings through the protocol's schema: defaults fill gaps, a damaged value resets. */
export function readSettings(json: string | null): SiteSettings {
  const parsed = v.safeParse(SiteSettings, parseObject(json ?? "{}"));
  return parsed.success ? parsed.output : v.parse(SiteSettings, {});
}

export async function getSiteSettings(db: D1Database, siteId: string): Promise<SiteSettings> {
  return readSettings(await db.prepare("SELECT settings FROM sites WHERE id = ?").bind(siteId).first<string>("settings"));
}

/** Merges `patch` into the stored settings and returns the result. */
export async function updateSiteSettings(db: D1Database, siteId: string, patch: Partial<SiteSettings>): Promise<SiteSettings> {
  const next = { ...(await getSiteSettings(db, siteId)), ...patch };
  await db.prepare("UPDATE sites SET settings = ? WHERE id = ?").bind(JSON.stringify(next), siteId).run();
  return next;
}

export async function getSiteByPublicKey(db: D1Database, publicKey: string): Promise<SiteRow | null> {
  const r = await db
    .prepare("SELECT id, name, public_key, allowed_origins, settings FROM sites WHERE public_key = ?")
    .bind(publicKey)
    .first<RawSite>();
  return r ? toSite(r) : null;
}

function parseObject(json: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(json);
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function parseArray(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}
