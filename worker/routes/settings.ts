/**
 * A site's settings: look of the widget, typing preview, re-assignment time, visitor topics,
 * consent mode, data retention and the allowed origins. Members read them; owners and admins
 * change them, except consent and retention, which are the owner's (as are the site's secrets:
 * the identify secret and the secret API key, under `/secrets`). Mounted under
 * `/api/sites/:siteId/settings` behind `siteMember()`.
 */
import { Hono } from "hono";
import { type ApiKeyResponse, type IdentitySecretResponse, type SiteSecretsResponse, SiteSettingsPatch } from "../../protocol";
import type { AppEnv } from "../app-env";
import { getSecrets, rotateApiKey, setIdentitySecret } from "../db/secrets";
import { getSiteSettingsResponse } from "../db/sites";
import { requireRole } from "../middleware/require-role";
import { validate } from "../middleware/validate";
import { changeSettings } from "../services/settings";

const owners = requireRole("owner", "see and change the site's secrets");

export const settingsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await getSiteSettingsResponse(c.env.DB, c.var.site.id)))
  .patch("/", requireRole("admin", "change the site's settings"), validate("json", SiteSettingsPatch), async (c) => {
    return c.json(await changeSettings(c.env, c.var.site.id, c.var.site.role, c.req.valid("json")));
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
