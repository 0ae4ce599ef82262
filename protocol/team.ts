/**
 * The site's team: adding an operator, changing a member, and the team list with presence.
 */
import * as v from "valibot";
import { Email, Skills } from "./fields";
import { MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from "./limits";
import { MEMBER_ROLES, type MemberRole } from "./models";

const MaxChats = v.pipe(v.number(), v.integer(), v.minValue(1, "maxChats is at least 1"), v.maxValue(50));
const AvatarUrl = v.nullable(
  v.pipe(v.string(), v.maxLength(500), v.regex(/^(https:\/\/|\/)[^\s"'<>]*$/, "avatarUrl is an https:// URL or a path on this site")),
);
const Role = v.picklist(MEMBER_ROLES);

/**
 * `POST /api/sites/:siteId/operators` (owners and admins): add a colleague. A new account gets
 * the given first password; an existing account (same email) just joins the site.
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

/** `PATCH /api/sites/:siteId/operators/:operatorId`: any of these. */
export const UpdateOperatorBody = v.object({
  role: v.optional(Role),
  maxChats: v.optional(MaxChats),
  skills: v.optional(Skills),
  avatarUrl: v.optional(AvatarUrl),
});
export type UpdateOperatorBody = v.InferOutput<typeof UpdateOperatorBody>;

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
}
