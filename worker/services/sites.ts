/**
 * Shops as their owners make and set them up: a new shop for a signed-in account (its owner),
 * the shop's name and address, the install check the set-up wizard polls, and the owner's
 * "require two-factor sign-in" switch. Every function names the shop it acts on.
 */
import {
  type CreateSiteBody,
  type InstallStatusResponse,
  MAX_OWNED_SITES,
  type SiteMembership,
  type SiteProfilePatch,
} from "../../protocol";
import {
  createSiteForOwner,
  installStatus,
  ownedSiteCount,
  requiresTwoFactor,
  setRequireTwoFactor,
  updateSiteProfile,
} from "../db/accounts";
import { forgetCachedSite } from "../db/secrets";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { newId, randomToken } from "../lib/crypto";

/** A shop's public key for the snippet: `pk_` and 128 random bits. */
export function newPublicKey(): string {
  return `pk_${randomToken(16)}`;
}

/** The allowed domain a shop's address implies: its https origin (or http for localhost). */
export function originOfShopUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const local = u.hostname === "localhost" || u.hostname === "127.0.0.1";
    return local || u.protocol === "https:" ? u.origin.toLowerCase() : `https://${u.host.toLowerCase()}`;
  } catch {
    return null;
  }
}

export async function createSite(env: Env, ownerId: string, body: CreateSiteBody, now = Date.now()): Promise<SiteMembership> {
  if ((await ownedSiteCount(env.DB, ownerId)) >= MAX_OWNED_SITES) {
    throw new ApiError("conflict", `One account owns at most ${MAX_OWNED_SITES} shops.`);
  }
  const origin = originOfShopUrl(body.url);
  return createSiteForOwner(env.DB, {
    siteId: newId("site"),
    siteName: body.name,
    url: body.url ?? null,
    publicKey: newPublicKey(),
    allowedOrigins: origin ? [origin] : [],
    operatorId: ownerId,
    now,
  });
}

/**
 * The shop's profile and install check. `requestOrigin` is where this request reached the Worker;
 * behind the admin's Pages project that is the admin's origin, so a deployment whose admin and
 * Worker differ names the Worker's public origin in WIDGET_ORIGIN.
 */
export async function siteInstall(env: Env, siteId: string, requestOrigin: string): Promise<InstallStatusResponse> {
  const status = await installStatus(env.DB, siteId);
  if (!status) throw new ApiError("not_found", "No such site among yours.");
  return { ...status, widgetUrl: `${(env.WIDGET_ORIGIN || requestOrigin).replace(/\/+$/, "")}/widget.js` };
}

export async function changeSiteProfile(
  env: Env,
  siteId: string,
  patch: SiteProfilePatch,
  requestOrigin: string,
): Promise<InstallStatusResponse> {
  await updateSiteProfile(env.DB, siteId, patch);
  // The widget's cached site facts (allowed domains, settings) are read again.
  forgetCachedSite(siteId);
  return siteInstall(env, siteId, requestOrigin);
}

export async function siteSecurity(env: Env, siteId: string): Promise<{ requireTwoFactor: boolean }> {
  return { requireTwoFactor: await requiresTwoFactor(env.DB, siteId) };
}

/**
 * Requires two-factor sign-in on the shop. The owner turning it on must have it: otherwise the
 * shop would vanish from their own sites at once.
 */
export async function changeSiteSecurity(env: Env, siteId: string, ownerHasTwoFactor: boolean, on: boolean) {
  if (on && !ownerHasTwoFactor) throw new ApiError("conflict", "Turn on two-factor sign-in for your own account first.");
  await setRequireTwoFactor(env.DB, siteId, on);
  return { requireTwoFactor: on };
}
