/**
 * D1 access to sites. Only the D1 layer touches `env.DB`.
 */
import type { WidgetSettings } from "../protocol";

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

const DEFAULT_ACCENT = "#4f46e5";

function toSite(r: RawSite): SiteRow {
  const settings = parseObject(r.settings);
  return {
    id: r.id,
    name: r.name,
    publicKey: r.public_key,
    allowedOrigins: parseArray(r.allowed_origins),
    settings: {
      siteName: r.name,
      accentColor: typeof settings.accentColor === "string" ? settings.accentColor : DEFAULT_ACCENT,
      welcomeText: typeof settings.welcomeText === "string" ? settings.welcomeText : "",
    },
  };
}

/** What a conversation needs to know of its site's settings. */
export interface SitePolicy {
  /** Operators see what visitors type before they send it (default on; off for privacy). */
  typingPreview: boolean;
  /** An assigned conversation nobody answers within this many seconds goes to someone else. */
  reassignAfterSeconds: number;
}

export const DEFAULT_REASSIGN_AFTER_SECONDS = 60;

export async function getSitePolicy(db: D1Database, siteId: string): Promise<SitePolicy> {
  const raw = await db.prepare("SELECT settings FROM sites WHERE id = ?").bind(siteId).first<string>("settings");
  const settings = parseObject(raw ?? "{}");
  const reassign = settings.reassignAfterSeconds;
  return {
    typingPreview: settings.typingPreview !== false,
    reassignAfterSeconds: typeof reassign === "number" && reassign > 0 ? reassign : DEFAULT_REASSIGN_AFTER_SECONDS,
  };
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
