/**
 * The signed-in operator's own name and photo. Every site they belong to shows these, so only
 * they change them (sites change role, capacity and skills). A replaced photo that Gadka stored
 * is deleted from R2; each of their sites' hubs re-reads the roster.
 */
import type { OperatorProfile, SiteMembership } from "../../protocol";
import { updateOwnProfile } from "../db/operators";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { randomToken } from "../lib/crypto";
import { resubscribeOperator } from "./offline";

const FILES_PATH = "/api/files/";

export async function updateProfile(
  env: Env,
  me: { operatorId: string; sites: SiteMembership[] },
  u: { name?: string | undefined; avatarUrl?: string | null | undefined; alertEmails?: boolean | undefined },
): Promise<OperatorProfile> {
  const result = await updateOwnProfile(env.DB, me.operatorId, u);
  if (!result) throw new ApiError("unauthorized", "Your account no longer exists.");
  if (u.alertEmails === true)
    await resubscribeOperator(
      env,
      result.profile.email,
      me.sites.map((s) => s.id),
    );
  if (result.previousAvatarUrl !== result.profile.avatarUrl) await deleteStoredFile(env, result.previousAvatarUrl);
  await Promise.all(me.sites.map((s) => env.SITE_HUB.getByName(s.id).rosterChanged()));
  return result.profile;
}

/** Stores an uploaded photo under a new unguessable key (served with long caching) and makes it the operator's. */
export async function uploadAvatar(
  env: Env,
  me: { operatorId: string; sites: SiteMembership[] },
  image: { bytes: Uint8Array; contentType: string; extension: string },
): Promise<OperatorProfile> {
  const key = `avatars/${randomToken(18)}.${image.extension}`;
  await env.FILES.put(key, image.bytes, { httpMetadata: { contentType: image.contentType } });
  try {
    return await updateProfile(env, me, { avatarUrl: `${FILES_PATH}${key}` });
  } catch (err) {
    await env.FILES.delete(key);
    throw err;
  }
}

/** Deletes a file we stored (its URL is under /api/files/); other URLs are someone else's. */
async function deleteStoredFile(env: Env, url: string | null): Promise<void> {
  if (url?.startsWith(FILES_PATH)) await env.FILES.delete(url.slice(FILES_PATH.length));
}
