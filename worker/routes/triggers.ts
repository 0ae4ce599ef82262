/**
 * Proactive triggers in the admin: `/api/sites/:siteId/triggers…` and `/api/sites/:siteId/trigger-caps`,
 * behind `siteMember()`. Everyone on the site reads; owners and admins create, edit, delete and
 * restart a holdout. Parse → authorise → call services/triggers.ts → respond.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { TriggerCaps, type TriggerCapsResponse, type TriggerListResponse, type TriggerResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { requireRole } from "../middleware/require-role";
import { validate } from "../middleware/validate";
import {
  createTrigger,
  listTriggers,
  readCaps,
  readTrigger,
  removeTrigger,
  replaceTrigger,
  restartHoldout,
  writeCaps,
} from "../services/triggers";

const TriggerParam = v.object({ id: v.pipe(v.string(), v.regex(/^tr_[A-Za-z0-9_-]{1,60}$/, "not a trigger id")) });
const param = validate("param", TriggerParam, { notFound: "No such trigger." });
const editors = requireRole("admin", "edit triggers");

export const triggerRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json((await listTriggers(c.env, c.var.site.id)) satisfies TriggerListResponse))
  .post("/", editors, validate("json", v.unknown()), async (c) => {
    const trigger = await createTrigger(c.env, c.var.site.id, c.var.session.operator.id, c.req.valid("json"));
    return c.json({ trigger } satisfies TriggerResponse, 201);
  })
  .get("/:id", param, async (c) =>
    c.json({ trigger: await readTrigger(c.env, c.var.site.id, c.req.valid("param").id) } satisfies TriggerResponse),
  )
  .put("/:id", editors, param, validate("json", v.unknown()), async (c) => {
    const trigger = await replaceTrigger(c.env, c.var.site.id, c.req.valid("param").id, c.req.valid("json"));
    return c.json({ trigger } satisfies TriggerResponse);
  })
  .delete("/:id", editors, param, async (c) => {
    await removeTrigger(c.env, c.var.site.id, c.req.valid("param").id);
    return c.body(null, 204);
  })
  .post("/:id/restart-holdout", editors, param, async (c) => {
    const trigger = await restartHoldout(c.env, c.var.site.id, c.req.valid("param").id);
    return c.json({ trigger } satisfies TriggerResponse);
  });

export const triggerCapsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json({ caps: await readCaps(c.env, c.var.site.id) } satisfies TriggerCapsResponse))
  .put("/", editors, validate("json", TriggerCaps), async (c) => {
    const caps = await writeCaps(c.env, c.var.site.id, c.req.valid("json"));
    return c.json({ caps } satisfies TriggerCapsResponse);
  });
