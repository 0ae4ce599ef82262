/**
 * Stored files: operators' avatars in R2 under an unguessable key, served with long caching (a
 * new upload gets a new key). Public, as avatars are shown to visitors. Uploading is the
 * operator's own (`PUT /api/me/avatar`). Mounted under `/api/files`.
 */
import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";

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
