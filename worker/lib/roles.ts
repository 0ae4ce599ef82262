/**
 * The one rule for who outranks whom on a site: owner > admin > agent (the order of
 * MEMBER_ROLES). `requireRole()` guards routes with it; services use it for checks that depend
 * on the request (a shared saved reply, deleting someone else's segment).
 */
import { MEMBER_ROLES, type MemberRole } from "../../protocol";

const rank = (role: MemberRole) => MEMBER_ROLES.length - MEMBER_ROLES.indexOf(role);

/** Whether `role` is `min` or a more powerful one. */
export function atLeast(role: MemberRole, min: MemberRole): boolean {
  return rank(role) >= rank(min);
}

/** "owners", "owners and admins", "members": who holds at least `min`, for error messages. */
export function holdersOf(min: MemberRole): string {
  return min === "owner" ? "owners" : min === "admin" ? "owners and admins" : "members";
}
