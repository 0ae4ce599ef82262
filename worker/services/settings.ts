/**
 * Changing a site's settings: owners' settings (consent mode, retention) only by owners, the
 * patch merged in one statement (concurrent edits of different fields both stay), the cached
 * public site facts dropped, and the site hub told so open conversations apply it at once
 * (the typing-preview switch is a privacy control).
 */
import {
  contrastRatio,
  type MemberRole,
  MIN_CONTRAST,
  OWNER_ONLY_SETTINGS,
  type SiteSettingsPatch,
  type SiteSettingsResponse,
} from "../../protocol";
import { forgetCachedSite } from "../db/secrets";
import { getSiteSettings, updateSiteSettings } from "../db/sites";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";

export async function changeSettings(env: Env, siteId: string, role: MemberRole, patch: SiteSettingsPatch): Promise<SiteSettingsResponse> {
  if (role !== "owner" && OWNER_ONLY_SETTINGS.some((k) => k in patch)) {
    throw new ApiError("forbidden", "Only owners change consent mode and data retention.");
  }
  const next = await saveChecked(env.DB, siteId, patch);
  forgetCachedSite(siteId);
  const { allowedOrigins: _, ...settings } = next;
  await env.SITE_HUB.getByName(siteId).settingsChanged(siteId, settings);
  return next;
}

/**
 * A patch that changes the accent or the text colour is checked against the other as stored, and
 * saved only if that one is still stored (a concurrent edit of the other colour cannot slip a
 * low-contrast pair past the check): a few tries, then a conflict.
 */
async function saveChecked(db: D1Database, siteId: string, patch: SiteSettingsPatch): Promise<SiteSettingsResponse> {
  if (patch.accentColor === undefined && patch.branding === undefined) return (await updateSiteSettings(db, siteId, patch))!;
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await getSiteSettings(db, siteId);
    const accent = patch.accentColor ?? stored.accentColor;
    const text = patch.branding?.textColor ?? stored.branding.textColor;
    const ratio = contrastRatio(accent, text);
    if (ratio < MIN_CONTRAST) {
      throw new ApiError(
        "validation_failed",
        `branding.textColor: low contrast: ${text} on ${accent} has a contrast of ${ratio.toFixed(2)}:1; at least ${MIN_CONTRAST}:1 is needed to be readable.`,
      );
    }
    const next = await updateSiteSettings(db, siteId, patch, { accentColor: stored.accentColor, textColor: stored.branding.textColor });
    if (next) return next;
  }
  throw new ApiError("conflict", "The colours were changed at the same time by someone else. Try again.");
}
