/**
 * Uploaded files: operators' avatars, stored in R2 under an unguessable key and served with
 * long caching (a new upload gets a new key). Upload is mounted under
 * `/api/sites/:siteId/operators/:operatorId/avatar`; reading under `/api/files/*` (public, as
 * avatars are shown to visitors).
 */
import { Hono } from "hono";
import { MAX_AVATAR_BYTES } from "../../protocol";
import type { AppEnv } from "../app-env";
import { updateMember } from "../db/operators";
import { ApiError } from "../lib/api-error";
import { randomToken } from "../lib/crypto";

const IMAGE_TYPES: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };

export const avatarUpload = new Hono<AppEnv>().put("/", async (c) => {
  const operatorId = c.req.param("operatorId") ?? "";
  const self = operatorId === c.var.session.operator.id;
  if (!self && c.var.site.role === "agent") throw new ApiError("forbidden", "You can change only your own avatar.");
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim();
  const ext = IMAGE_TYPES[type];
  if (!ext) throw new ApiError("unsupported_media_type", "Upload a PNG, JPEG or WebP image.");
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > MAX_AVATAR_BYTES) throw new ApiError("too_large", `Avatars are at most ${MAX_AVATAR_BYTES / 1024} KB.`);
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength === 0) throw new ApiError("bad_request", "The image is empty.");
  if (bytes.byteLength > MAX_AVATAR_BYTES) throw new ApiError("too_large", `Avatars are at most ${MAX_AVATAR_BYTES / 1024} KB.`);
  const key = `avatars/${randomToken(18)}.${ext}`;
  await c.env.FILES.put(key, bytes, { httpMetadata: { contentType: type } });
  const avatarUrl = `/api/files/${key}`;
  if (!(await updateMember(c.env.DB, c.var.site.id, operatorId, { avatarUrl }))) {
    await c.env.FILES.delete(key);
    throw new ApiError("not_found", "No such operator on this site.");
  }
  await c.env.SITE_HUB.getByName(c.var.site.id).rosterChanged();
  return c.json({ avatarUrl });
});

export const fileRoutes = new Hono<AppEnv>().get("/avatars/:name{[A-Za-z0-9_-]+\\.(png|jpg|webp)}", async (c) => {
  const object = await c.env.FILES.get(`avatars/${c.req.param("name")}`);
  if (!object) throw new ApiError("not_found", "No such file.");
  return new Response(object.body, {
    headers: {
      "content-type": object.httpMetadata?.contentType ?? "application/octet-stream",
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "cross-origin-resource-policy": "cross-origin",
    },
  });
});
