/**
 * Operator sign-in and sign-out (`/api/auth`), and the signed-in operator's own account
 * (`/api/me`): who am I with my sites and pending invitations, my name and photo, and my
 * answer to an invitation. Use cases in services/auth.ts, profile.ts and team.ts.
 */
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import * as v from "valibot";
import { LoginBody, MAX_AVATAR_BYTES, MeUpdateBody, type OwnProfileResponse, type TwoFactorChallengeResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { ApiError } from "../lib/api-error";
import { InvitationId } from "../lib/ids";
import { readBody } from "../lib/request-body";
import { operatorSession, SESSION_COOKIE } from "../middleware/operator-session";
import { sameOrigin } from "../middleware/same-origin";
import { validate } from "../middleware/validate";
import { type SignedIn, signIn, signOut, whoAmI } from "../services/auth";
import { updateProfile, uploadAvatar } from "../services/profile";
import { acceptInvitation, declineInvitation } from "../services/team";

/** Sets the session cookie of a new session (sign-in, setup link, confirmed sign-up, code step). */
export function setSessionCookie(c: Context<AppEnv>, signedIn: SignedIn): void {
  setCookie(c, SESSION_COOKIE, signedIn.token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: new URL(c.req.url).protocol === "https:",
    path: "/",
    maxAge: signedIn.maxAgeSeconds,
  });
}

export const authRoutes = new Hono<AppEnv>()
  .post("/login", validate("json", LoginBody), async (c) => {
    const result = await signIn(c.env, {
      ...c.req.valid("json"),
      address: c.req.header("cf-connecting-ip") ?? null,
      userAgent: c.req.header("user-agent") ?? null,
    });
    if (result.kind === "two_factor") return c.json({ secondStep: result.secondStep } satisfies TwoFactorChallengeResponse);
    setSessionCookie(c, result);
    return c.json(result.me);
  })
  .post("/logout", operatorSession(), async (c) => {
    await signOut(c.env, c.var.session);
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.body(null, 204);
  });

const IMAGE_TYPES: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp" };
const invitation = validate("param", v.object({ invitationId: InvitationId }), { notFound: "No open invitation with this id for you." });
const me = (vars: AppEnv["Variables"]) => ({ operatorId: vars.session.operator.id, sites: vars.session.sites });

export const meRoutes = new Hono<AppEnv>()
  .use(sameOrigin(), operatorSession())
  .get("/", async (c) => c.json(await whoAmI(c.env, c.var.session.operator, c.var.session.sites)))
  .patch("/", validate("json", MeUpdateBody), async (c) => {
    return c.json({ operator: await updateProfile(c.env, me(c.var), c.req.valid("json")) } satisfies OwnProfileResponse);
  })
  .put("/avatar", async (c) => {
    const contentType = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    const extension = IMAGE_TYPES[contentType];
    if (!extension) throw new ApiError("unsupported_media_type", "Upload a PNG, JPEG or WebP image.");
    const bytes = await readBody(c.req.raw, MAX_AVATAR_BYTES);
    if (bytes.byteLength === 0) throw new ApiError("bad_request", "The image is empty.");
    return c.json({ operator: await uploadAvatar(c.env, me(c.var), { bytes, contentType, extension }) } satisfies OwnProfileResponse);
  })
  .post("/invitations/:invitationId/accept", invitation, async (c) => {
    await acceptInvitation(c.env, c.var.session.operator, c.req.valid("param").invitationId);
    // The new site is among the operator's sites from now on.
    return c.json(await whoAmI(c.env, c.var.session.operator));
  })
  .post("/invitations/:invitationId/decline", invitation, async (c) => {
    await declineInvitation(c.env, c.var.session.operator, c.req.valid("param").invitationId);
    return c.body(null, 204);
  });
