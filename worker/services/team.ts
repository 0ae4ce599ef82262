/**
 * A site's team: adding colleagues (a new account, or an invitation for an email that already has
 * one — its owner decides, and the inviting site learns nothing about that account), changing a
 * membership (role, capacity, skills; owners' rules enforced by the writing statement), the
 * team list, and answering or withdrawing invitations. The routing hub hears of every change.
 */
import type { AddOperatorBody, AddOperatorResponse, MemberRole, OperatorProfile, TeamResponse, UpdateOperatorBody } from "../../protocol";
import {
  acceptInvitation as acceptRow,
  declineInvitation as declineRow,
  inviteToSite,
  revokeInvitation as revokeRow,
  siteInvitations,
} from "../db/invitations";
import { createOperatorOnSite, isMemberByEmail, siteRoster, updateMember } from "../db/operators";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { hashPassword, newId } from "../lib/crypto";
import { atLeast } from "../lib/roles";
import { TOKEN_KINDS } from "../lib/tokens";

/** An invitation stays open as long as its emailed link will (the `invitation` token kind). */
const INVITATION_TTL_MS = TOKEN_KINDS.invitation.ttlMs;

export interface Actor {
  id: string;
  role: MemberRole;
}

export async function teamOf(env: Env, siteId: string, viewer: MemberRole): Promise<TeamResponse> {
  const now = Date.now();
  const [roster, online, invitations] = await Promise.all([
    siteRoster(env.DB, siteId),
    env.SITE_HUB.getByName(siteId).operatorsOnline(),
    atLeast(viewer, "admin") ? siteInvitations(env.DB, siteId, now) : [],
  ]);
  const live = new Map(online.map((o) => [o.id, o]));
  return {
    invitations,
    operators: roster.map((r) => ({ ...r, presence: live.get(r.id)?.status ?? "offline", load: live.get(r.id)?.load ?? 0 })),
  };
}

export async function addOperator(env: Env, siteId: string, actor: Actor, body: AddOperatorBody): Promise<AddOperatorResponse> {
  if (body.role === "owner" && actor.role !== "owner") throw new ApiError("forbidden", "Only owners can add owners.");
  if (await isMemberByEmail(env.DB, siteId, body.email)) throw new ApiError("conflict", `${body.email} is already on this site's team.`);
  const now = Date.now();
  const id = newId("op");
  const result = await createOperatorOnSite(env.DB, {
    siteId,
    newId: id,
    email: body.email,
    name: body.name,
    passwordHash: await hashPassword(body.password),
    avatarUrl: body.avatarUrl,
    role: body.role,
    maxChats: body.maxChats,
    skills: body.skills,
    now,
  });
  if (result === "added") {
    await env.SITE_HUB.getByName(siteId).rosterChanged();
    return { status: "added", id };
  }
  // The email has an account (on another site): its owner must accept. Name, password, photo,
  // capacity and skills given here are not applied to someone else's account.
  const invitationId = await inviteToSite(env.DB, {
    id: newId("inv"),
    siteId,
    email: body.email,
    role: body.role,
    invitedBy: actor.id,
    now,
    expiresAt: now + INVITATION_TTL_MS,
  });
  return { status: "invited", invitationId };
}

export async function changeMember(env: Env, siteId: string, actor: Actor, operatorId: string, body: UpdateOperatorBody): Promise<void> {
  const result = await updateMember(env.DB, { siteId, actorId: actor.id, operatorId, ...body });
  if (result === "not_found") throw new ApiError("not_found", "No such operator on this site.");
  if (result === "owners_only") throw new ApiError("forbidden", "Only owners change an owner's membership or make someone an owner.");
  if (result === "last_owner") throw new ApiError("conflict", "The site's last owner stays an owner; make someone else an owner first.");
  await env.SITE_HUB.getByName(siteId).rosterChanged();
}

export async function revokeInvitation(env: Env, siteId: string, actor: Actor, invitationId: string): Promise<void> {
  const result = await revokeRow(env.DB, { siteId, id: invitationId, byOwner: actor.role === "owner", now: Date.now() });
  if (result === "not_found") throw new ApiError("not_found", "No open invitation with this id on this site.");
  if (result === "forbidden") throw new ApiError("forbidden", "Only owners withdraw an invitation to become an owner.");
}

/** The invited person (signed in with the invited email) joins the site. */
export async function acceptInvitation(env: Env, operator: OperatorProfile, invitationId: string): Promise<void> {
  const siteId = await acceptRow(env.DB, { id: invitationId, operatorId: operator.id, email: operator.email, now: Date.now() });
  if (!siteId) throw new ApiError("not_found", "No open invitation with this id for you (it may have expired or been withdrawn).");
  await env.SITE_HUB.getByName(siteId).rosterChanged();
}

export async function declineInvitation(env: Env, operator: OperatorProfile, invitationId: string): Promise<void> {
  if (!(await declineRow(env.DB, { id: invitationId, email: operator.email, now: Date.now() }))) {
    throw new ApiError("not_found", "No open invitation with this id for you.");
  }
}
