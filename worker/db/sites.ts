/**
 * D1 access to sites: the public face a widget sees (by public key), and the settings owners and
 * admins edit. Only the D1 layer touches `env.DB`.
 */
import * as v from "valibot";
import { SiteSettings, type SiteSettingsPatch, type SiteSettingsResponse, type WidgetSettings } from "../../protocol";

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
  const { accentColor, welcomeText, topics, branding } = readSettings(r.settings);
  return {
    id: r.id,
    name: r.name,
    publicKey: r.public_key,
    allowedOrigins: parseOrigins(r.allowed_origins),
    settings: { siteName: r.name, accentColor, welcomeText, topics, logoUrl: branding.logoUrl, textColor: branding.textColor },
  };
}

const DEFAULTS = v.parse(SiteSettings, {});

/** Stored settings through the protocol's schema: defaults fill gaps, a damaged value resets. */
export function readSettings(json: string | null): SiteSettings {
  const parsed = v.safeParse(SiteSettings, parseObject(json ?? "{}"));
  return parsed.success ? parsed.output : v.parse(SiteSettings, {});
}

export async function getSiteSettings(db: D1Database, siteId: string): Promise<SiteSettings> {
  return readSettings(await db.prepare("SELECT settings FROM sites WHERE id = ?").bind(siteId).first<string>("settings"));
}

export async function getSiteSettingsResponse(db: D1Database, siteId: string): Promise<SiteSettingsResponse> {
  const r = await db
    .prepare("SELECT settings, allowed_origins FROM sites WHERE id = ?")
    .bind(siteId)
    .first<Pick<RawSite, "settings" | "allowed_origins">>();
  return { ...readSettings(r?.settings ?? null), allowedOrigins: parseOrigins(r?.allowed_origins ?? "[]") };
}

/**
 * Merges `patch` into the stored settings inside one statement (`json_patch`), so two managers
 * saving different fields at once both keep their change; a read-modify-write lost one of them.
 * `json_patch` deletes a key whose patch value is null (RFC 7396), which would read back as the
 * default (askEmailAfterSeconds: 60 instead of "only when away or closed"), so null fields are
 * written as a JSON null by `json_set` in the same statement instead.
 */
/**
 * `ifColours`: the accent and text colours the caller checked the patch against; the update happens
 * only if they are still the stored ones (null when they changed meanwhile: check again).
 */
export async function updateSiteSettings(
  db: D1Database,
  siteId: string,
  patch: SiteSettingsPatch,
  ifColours?: { accentColor: string; textColor: string },
): Promise<SiteSettingsResponse | null> {
  const { allowedOrigins, ...settings } = patch;
  const values: Record<string, unknown> = {};
  const nulls: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === null) nulls.push(`$.${key}`);
    else if (value !== undefined) values[key] = value;
  }
  // Keys are the schema's own field names (valibot drops others); the paths are bound anyway.
  const stored = "CASE WHEN json_valid(settings) THEN settings ELSE '{}' END";
  const merged = `json_patch(${stored}, ?2)`;
  const next = nulls.length ? `json_set(${merged}, ${nulls.map((_, i) => `?${i + 4}, NULL`).join(", ")})` : merged;
  const r = await db
    .prepare(
      `UPDATE sites SET settings = ${next},
         allowed_origins = COALESCE(?3, allowed_origins)
       WHERE id = ?1${
         ifColours
           ? ` AND COALESCE(json_extract(${stored}, '$.accentColor'), ?${nulls.length + 4}) = ?${nulls.length + 6}
               AND COALESCE(json_extract(${stored}, '$.branding.textColor'), ?${nulls.length + 5}) = ?${nulls.length + 7}`
           : ""
       } RETURNING settings, allowed_origins`,
    )
    .bind(
      siteId,
      JSON.stringify(values),
      allowedOrigins ? JSON.stringify([...new Set(allowedOrigins)]) : null,
      ...nulls,
      ...(ifColours ? [DEFAULTS.accentColor, DEFAULTS.branding.textColor, ifColours.accentColor, ifColours.textColor] : []),
    )
    .first<Pick<RawSite, "settings" | "allowed_origins">>();
  if (ifColours && !r) return null;
  return { ...readSettings(r?.settings ?? null), allowedOrigins: parseOrigins(r?.allowed_origins ?? "[]") };
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

/** A stored JSON list of origins; anything damaged reads as none (any origin). */
export function parseOrigins(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** How many visitor shards hold the site's visitors (1 for most shops; 1 for an unknown site). */
export async function getVisitorShards(db: D1Database, siteId: string): Promise<number> {
  return (await db.prepare("SELECT visitor_shards FROM sites WHERE id = ?").bind(siteId).first<number>("visitor_shards")) ?? 1;
}
