/**
 * Changing a site's settings: owners' settings (consent mode, retention) only by owners, the
 * patch merged in one statement (concurrent edits of different fields both stay), the cached
 * public site facts dropped, and the site hub told so open conversations apply it at once
 * (the typing-preview switch is a privacy control).
 */
import { type MemberRole, OWNER_ONLY_SETTINGS, type SiteSettingsPatch, type SiteSettingsResponse } from "../../protocol";
import { forgetCachedSite } from "../db/secrets";
import { updateSiteSettings } from "../db/sites";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";

export async function changeSettings(env: Env, siteId: string, role: MemberRole, patch: SiteSettingsPatch): Promise<SiteSettingsResponse> {
  if (role !== "owner" && OWNER_ONLY_SETTINGS.some((k) => k in patch)) {
    throw new ApiError("forbidden", "Only owners change consent mode and data retention.");
  }
  const next = await updateSiteSettings(env.DB, siteId, patch);
  forgetCachedSite(siteId);
  const { allowedOrigins: _, ...settings } = next;
  await env.SITE_HUB.getByName(siteId).settingsChanged(siteId, settings);
  return next;
}
