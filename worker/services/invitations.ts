/**
 * Invitations by email: a manager invites an address with a role; the mail's link (7 days,
 * single use, replaced by a resend, void once revoked) opens `#/invitation?token=`. A new address
 * sets its own name, password (and photo) and is signed in; an address that has an account must
 * be signed in as it and accept explicitly — never joined silently. Wrong account, expired, used
 * and revoked links get their own error codes. The routing hub hears of every new member.
 */
import {
  type AcceptInvitationBody,
  INVITATION_TTL_DAYS,
  type InvitationPreview,
  type MemberRole,
  type OperatorProfile,
  type TeamInviteBody,
  type TeamInviteResponse,
} from "../../protocol";
import { sendAccountMail } from "../accounts/account-mail";
import {
  acceptInvitationAsNewAccount,
  acceptInvitationByLink,
  type InvitationByLink,
  invitationByTokenHash,
  inviteByEmail,
  renewInvitationLink,
} from "../db/invitations";
import { countAttempt } from "../db/login-throttle";
import { siteNameAndKey } from "../db/mail";
import { isMemberByEmail } from "../db/operators";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { hashPassword, newId, randomToken, sha256Hex } from "../lib/crypto";
import { signToken, verifyToken } from "../lib/tokens";
import { limit } from "./accounts";
import { openSession, type SignedIn, whoAmI } from "./auth";

const DAY_MS = 86_400_000;
const WINDOW_MS = 15 * 60_000;
/** Invitation emails one manager may send per 15 minutes (invites and resends together). */
export const INVITES_PER_MANAGER = 30;

export interface Inviter {
  id: string;
  name: string;
  role: MemberRole;
}

async function countInvite(env: Env, actorId: string, now: number) {
  const [count = 0] = await countAttempt(env.DB, [`invite:${actorId}`], now, now - WINDOW_MS);
  if (count > INVITES_PER_MANAGER) {
    throw new ApiError("rate_limited", "Too many invitations sent. Wait 15 minutes and try again.", {
      "Retry-After": String(WINDOW_MS / 1000),
    });
  }
}

/** A fresh link: the signed token and the hash the row keeps. */
async function newLink(env: Env, now: number) {
  const { token } = await signToken(env.TOKEN_SECRET, "invitation", { invitationId: randomToken(18) }, now);
  return { token, tokenHash: await sha256Hex(token) };
}

async function mailInvitation(
  env: Env,
  i: {
    siteId: string;
    email: string;
    role: MemberRole;
    inviterName: string;
    token: string;
    adminUrl: string;
    language: string | null;
    now: number;
  },
) {
  const site = await siteNameAndKey(env.DB, i.siteId);
  const outcome = await sendAccountMail(
    env,
    {
      kind: "invitation",
      to: i.email,
      shopName: site?.name ?? "Gadka",
      inviterName: i.inviterName,
      role: i.role,
      link: `${i.adminUrl}#/invitation?token=${encodeURIComponent(i.token)}`,
      days: INVITATION_TTL_DAYS,
    },
    i.language,
    i.now,
  );
  if (outcome.status === "limited") {
    throw new ApiError(
      "rate_limited",
      "This address got too many emails from Gadka today. The invitation is saved: send it again tomorrow.",
    );
  }
}

export async function inviteByMail(
  env: Env,
  siteId: string,
  actor: Inviter,
  body: TeamInviteBody,
  client: { adminUrl: string; language: string | null },
  now = Date.now(),
): Promise<TeamInviteResponse> {
  if (body.role === "owner" && actor.role !== "owner") throw new ApiError("forbidden", "Only owners can invite owners.");
  if (await isMemberByEmail(env.DB, siteId, body.email)) throw new ApiError("conflict", `${body.email} is already on this site's team.`);
  await countInvite(env, actor.id, now);
  const link = await newLink(env, now);
  const expiresAt = now + INVITATION_TTL_DAYS * DAY_MS;
  const invitationId = await inviteByEmail(env.DB, {
    id: newId("inv"),
    siteId,
    email: body.email,
    role: body.role,
    invitedBy: actor.id,
    name: body.name ?? null,
    tokenHash: link.tokenHash,
    now,
    expiresAt,
  });
  await mailInvitation(env, { siteId, email: body.email, role: body.role, inviterName: actor.name, token: link.token, ...client, now });
  return { invitationId, expiresAt };
}

export async function resendInvitation(
  env: Env,
  siteId: string,
  actor: Inviter,
  invitationId: string,
  client: { adminUrl: string; language: string | null },
  now = Date.now(),
): Promise<TeamInviteResponse> {
  await countInvite(env, actor.id, now);
  const link = await newLink(env, now);
  const renewed = await renewInvitationLink(env.DB, {
    siteId,
    id: invitationId,
    byOwner: actor.role === "owner",
    tokenHash: link.tokenHash,
    now,
    expiresAt: now + INVITATION_TTL_DAYS * DAY_MS,
  });
  if (renewed === "not_found") throw new ApiError("not_found", "No open invitation with this id on this site.");
  if (renewed === "forbidden") throw new ApiError("forbidden", "Only owners send an invitation to become an owner.");
  await mailInvitation(env, {
    siteId,
    email: renewed.email,
    role: renewed.role,
    inviterName: actor.name,
    token: link.token,
    ...client,
    now,
  });
  return { invitationId, expiresAt: renewed.expiresAt };
}

/** The open invitation a link names, or the coded reason it no longer works. */
async function openInvitation(env: Env, token: string, now: number): Promise<InvitationByLink & { tokenHash: string }> {
  const notValid = new ApiError(
    "bad_token",
    "This invitation link is not valid: it was mistyped, or a newer invitation email replaced it.",
  );
  if (!(await verifyToken(env.TOKEN_SECRET, "invitation", token, now))) {
    // A genuine token past its lifetime (its signature checks at its own expiry): say so.
    const expiry = Number.parseInt(token.split(".")[1] ?? "", 36);
    if (Number.isFinite(expiry) && expiry < now && (await verifyToken(env.TOKEN_SECRET, "invitation", token, expiry - 1))) {
      throw new ApiError("invitation_expired", "This invitation has expired. Ask the shop for a new one.");
    }
    throw notValid;
  }
  const tokenHash = await sha256Hex(token);
  const row = await invitationByTokenHash(env.DB, tokenHash);
  if (!row) throw notValid;
  if (row.state === "revoked") throw new ApiError("invitation_revoked", "The shop withdrew this invitation.");
  if (row.state !== "open") throw new ApiError("invitation_used", "This invitation has already been answered. Sign in instead.");
  if (row.expiresAt <= now) throw new ApiError("invitation_expired", "This invitation has expired. Ask the shop for a new one.");
  return { ...row, tokenHash };
}

export async function previewInvitation(env: Env, token: string, address: string | null, now = Date.now()): Promise<InvitationPreview> {
  await limit(env, "invitation", address, [], now);
  const row = await openInvitation(env, token, now);
  return {
    email: row.email,
    siteName: row.siteName,
    role: row.role,
    invitedByName: row.invitedByName,
    suggestedName: row.suggestedName,
    hasAccount: row.hasAccount,
    expiresAt: row.expiresAt,
  };
}

/**
 * The invitee answers yes. A new address: name and password required, an account is made and
 * signed in (`signedIn`). An existing account: only when signed in as exactly that address.
 */
export async function acceptByLink(
  env: Env,
  body: AcceptInvitationBody,
  signedInAs: OperatorProfile | null,
  client: { address: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<{ signedIn: SignedIn } | { me: Awaited<ReturnType<typeof whoAmI>> }> {
  await limit(env, "invitation", client.address, [], now);
  const row = await openInvitation(env, body.token, now);
  if (signedInAs && signedInAs.email.toLowerCase() !== row.email.toLowerCase()) {
    throw new ApiError(
      "wrong_account",
      `You are signed in as ${signedInAs.email}, but this invitation is for ${row.email}. Sign out, then open the link again.`,
    );
  }
  if (row.hasAccount) {
    if (!signedInAs) throw new ApiError("unauthorized", `Sign in as ${row.email} to accept this invitation.`);
    const siteId = await acceptInvitationByLink(env.DB, {
      tokenHash: row.tokenHash,
      operatorId: signedInAs.id,
      email: signedInAs.email,
      now,
    });
    if (!siteId) throw new ApiError("invitation_used", "This invitation has already been answered.");
    await env.SITE_HUB.getByName(siteId).rosterChanged();
    return { me: await whoAmI(env, signedInAs) };
  }
  if (!body.name || !body.password) throw new ApiError("validation_failed", "Give your name and a password to create your account.");
  const operatorId = newId("op");
  const siteId = await acceptInvitationAsNewAccount(env.DB, {
    tokenHash: row.tokenHash,
    operatorId,
    name: body.name,
    passwordHash: await hashPassword(body.password),
    avatarUrl: body.avatarUrl ?? null,
    now,
  });
  if (!siteId) throw new ApiError("invitation_used", "This invitation has already been answered.");
  await env.SITE_HUB.getByName(siteId).rosterChanged();
  return { signedIn: await openSession(env, operatorId, { now, userAgent: client.userAgent }) };
}
