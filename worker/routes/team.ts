/**
 * The site's team: everyone sees the operators with capacity, skills and live presence (for
 * transfers); owners and admins add colleagues (or invite existing accounts), change roles,
 * capacity and skills, and see and withdraw open invitations. Mounted under
 * `/api/sites/:siteId/operators` and `/api/sites/:siteId/invitations` behind `siteMember()`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { AddOperatorBody, TeamInviteBody, UpdateOperatorBody } from "../../protocol";
import { requestLanguage } from "../accounts/account-mail";
import type { AppEnv } from "../app-env";
import { InvitationId, OperatorId } from "../lib/ids";
import { requireRole } from "../middleware/require-role";
import { validate } from "../middleware/validate";
import { inviteByMail, resendInvitation } from "../services/invitations";
import { addOperator, changeMember, revokeInvitation, teamOf } from "../services/team";

const managers = requireRole("admin", "manage the team");
const actorOf = (vars: AppEnv["Variables"]) => ({ id: vars.session.operator.id, role: vars.site.role });

export const teamRoutes = new Hono<AppEnv>()
  .get("/", async (c) => c.json(await teamOf(c.env, c.var.site.id, c.var.site.role)))
  .post("/", managers, validate("json", AddOperatorBody), async (c) => {
    const result = await addOperator(c.env, c.var.site.id, actorOf(c.var), c.req.valid("json"));
    return c.json(result, result.status === "added" ? 201 : 202);
  })
  .patch(
    "/:operatorId",
    managers,
    validate("param", v.object({ operatorId: OperatorId }), { notFound: "No such operator on this site." }),
    validate("json", UpdateOperatorBody),
    async (c) => {
      await changeMember(c.env, c.var.site.id, actorOf(c.var), c.req.valid("param").operatorId, c.req.valid("json"));
      return c.json({ ok: true });
    },
  );

const inviterOf = (vars: AppEnv["Variables"]) => ({ id: vars.session.operator.id, name: vars.session.operator.name, role: vars.site.role });
/** Where the invitee's link points (the admin that sent the request) and the mail's language. */
const mailClientOf = (req: { url: string; header: (n: string) => string | undefined }) => {
  const origin = new URL(req.url).origin;
  let adminUrl = `${origin}/admin/`;
  try {
    const from = new URL(req.header("referer") ?? "");
    if (from.origin === origin) adminUrl = `${origin}${from.pathname}`;
  } catch {
    // no or a malformed Referer
  }
  return { adminUrl, language: requestLanguage(req.header("accept-language")) };
};
const invitationParam = validate("param", v.object({ invitationId: InvitationId }), {
  notFound: "No open invitation with this id on this site.",
});

export const invitationRoutes = new Hono<AppEnv>()
  .post("/", managers, validate("json", TeamInviteBody), async (c) => {
    return c.json(await inviteByMail(c.env, c.var.site.id, inviterOf(c.var), c.req.valid("json"), mailClientOf(c.req)), 201);
  })
  .post("/:invitationId/resend", managers, invitationParam, async (c) => {
    const id = c.req.valid("param").invitationId;
    return c.json(await resendInvitation(c.env, c.var.site.id, inviterOf(c.var), id, mailClientOf(c.req)));
  })
  .delete("/:invitationId", managers, invitationParam, async (c) => {
    await revokeInvitation(c.env, c.var.site.id, actorOf(c.var), c.req.valid("param").invitationId);
    return c.body(null, 204);
  });
