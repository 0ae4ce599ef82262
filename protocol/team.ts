/**
 * The site's team: adding an operator, changing a member, and the team list with presence.
 */
import * as v from "valibot";
import { Email, Skills } from "./fields";
import { MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from "./limits";
import { MEMBER_ROLES, type MemberRole, type OperatorProfile } from "./models";

const MaxChats = v.pipe(v.number(), v.integer(), v.minValue(1, "maxChats is at least 1"), v.maxValue(50));
const AvatarUrl = v.nullable(
  v.pipe(v.string(), v.maxLength(500), v.regex(/^(https:\/\/|\/)[^\s"'<>]*$/, "avatarUrl is an https:// URL or a path on this site")),
);
const Role = v.picklist(MEMBER_ROLES);

/**
 * `POST /api/sites/:siteId/operators` (owners and admins): add a colleague. A new account gets
 * the given first password (201 `{ status: "added", id }`). An email that already has an account
 * is never joined silently: it gets an invitation it must accept (202 `{ status: "invited" }`),
 * and nothing about that account is revealed to the inviting site.
 */
export const AddOperatorBody = v.object({
  email: Email,
  name: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_NAME_CHARS)),
  role: v.optional(Role, "agent"),
  password: v.pipe(
    v.string(),
    v.minLength(MIN_PASSWORD_CHARS, `password is at least ${MIN_PASSWORD_CHARS} characters`),
    v.maxLength(MAX_PASSWORD_CHARS),
  ),
  avatarUrl: v.optional(AvatarUrl, null),
  maxChats: v.optional(MaxChats, 5),
  skills: v.optional(Skills, []),
});
export type AddOperatorBody = v.InferOutput<typeof AddOperatorBody>;

export type AddOperatorResponse = { status: "added"; id: string } | { status: "invited"; invitationId: string };

/**
 * `PATCH /api/sites/:siteId/operators/:operatorId` (owners and admins): the membership on this
 * site. An admin cannot change an owner nor make one; the last owner cannot stop being one.
 * The person's name and photo are theirs (`PATCH /api/me`), never a site's to change.
 */
export const UpdateOperatorBody = v.object({
  role: v.optional(Role),
  maxChats: v.optional(MaxChats),
  skills: v.optional(Skills),
});
export type UpdateOperatorBody = v.InferOutput<typeof UpdateOperatorBody>;

/** `PATCH /api/me`: the signed-in operator's own name and photo (every site shows these). */
export const MeUpdateBody = v.object({
  name: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(MAX_NAME_CHARS))),
  avatarUrl: v.optional(AvatarUrl),
  /** Email me when a visitor of mine (or, unassigned, of my team) waits and I am not online. */
  alertEmails: v.optional(v.boolean()),
});
export type MeUpdateBody = v.InferOutput<typeof MeUpdateBody>;

/** `PATCH /api/me` and `PUT /api/me/avatar` (the image as the body, PNG, JPEG or WebP): the profile as stored now. */
export interface OwnProfileResponse {
  operator: OperatorProfile;
}

/** An invitation to join a site, as the site's managers see it (`TeamResponse.invitations`). */
export interface SiteInvitation {
  id: string;
  email: string;
  role: MemberRole;
  createdAt: number;
  expiresAt: number;
}

/** An invitation as the invited person sees it (`MeResponse.invitations`); accept or decline it. */
export interface PendingInvitation {
  id: string;
  siteName: string;
  role: MemberRole;
  invitedByName: string | null;
  createdAt: number;
  expiresAt: number;
}

/** `GET /api/sites/:siteId/operators`: the team, for transfers and the presence list. */
export interface TeamResponse {
  operators: {
    id: string;
    name: string;
    avatarUrl: string | null;
    maxChats: number;
    skills: string[];
    /** "offline" when no dashboard of theirs is connected. */
    presence: "online" | "away" | "offline";
    load: number;
    role: MemberRole;
    email: string;
  }[];
  /** Pending invitations of this site (owners and admins; empty for agents). */
  invitations: SiteInvitation[];
}
