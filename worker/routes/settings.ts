/**
 * A site's settings: look of the widget, typing preview, re-assignment time, visitor topics,
 * consent mode and data retention. Members read them; owners and admins change them, except
 * consent and retention, which are the owner's (as are the site's secrets: the identify secret
 * and the secret API key, under `/secrets`). Mounted under `/api/sites/:siteId/settings`
 * behind `siteMember()`.
 */
import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import { type ApiKeyResponse, type IdentitySecretResponse, type SiteSecretsResponse, SiteSettingsPatch } from "../../protocol";
import type { AppEnv } from "../app-env";
import { forgetCachedSite, getSecrets, rotateApiKey, setIdentitySecret } from "../db/secrets";
import { getSiteSettings, updateSiteSettings } from "../db/sites";
import { ApiError } from "../lib/api-error";
import { readJson } from "../lib/request-input";

const OWNER_ONLY = ["consentRequired", "retentionDays"] as const;

const owners = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.site.role !== "owner") throw new ApiError("forbidden", "Only the site's owners see and change its secrets.");
  await next();
});

export const settingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await getSiteSettings(c.env.DB, c.var.site.id)))
  .patch("/", async (c) => {
    if (c.var.site.role === "agent") throw new ApiError("forbidden", "Only owners and admins change the site's settings.");
    const patch = await readJson(c, SiteSettingsPatch);
    if (c.var.site.role !== "owner" && OWNER_ONLY.some((k) => k in patch)) {
      throw new ApiError("forbidden", "Only owners change consent mode and data retention.");
    }
    const next = await updateSiteSettings(c.env.DB, c.var.site.id, patch);
    forgetCachedSite(c.var.site.id);
    return c.json(next);
  })
  .get("/secrets", owners, async (c) => {
    const secrets = await getSecrets(c.env.DB, c.var.site.id);
    const identitySecret = secrets.identitySecret ?? (await setIdentitySecret(c.env.DB, c.var.site.id, { onlyIfMissing: true }));
    const apiKey =
      secrets.apiKeyPrefix && secrets.apiKeyCreatedAt ? { prefix: secrets.apiKeyPrefix, createdAt: secrets.apiKeyCreatedAt } : null;
    return c.json({ identitySecret, apiKey } satisfies SiteSecretsResponse);
  })
  .post("/secrets/identity", owners, async (c) => {
    return c.json({ identitySecret: await setIdentitySecret(c.env.DB, c.var.site.id) } satisfies IdentitySecretResponse);
  })
  .post("/secrets/api-key", owners, async (c) => {
    return c.json((await rotateApiKey(c.env.DB, c.var.site.id)) satisfies ApiKeyResponse);
  });
