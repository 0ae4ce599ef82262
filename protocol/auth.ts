/**
 * Operator sign-in: the login body and "who am I".
 */
import * as v from "valibot";
import type { TwoFactorState } from "./accounts";
import { Email } from "./fields";
import { MAX_PASSWORD_CHARS } from "./limits";
import type { OperatorProfile, SiteMembership } from "./models";
import type { PendingInvitation } from "./team";

export const LoginBody = v.object({
  email: Email,
  password: v.pipe(v.string(), v.minLength(1, "password is required"), v.maxLength(MAX_PASSWORD_CHARS)),
});
export type LoginBody = v.InferOutput<typeof LoginBody>;

export interface MeResponse {
  operator: OperatorProfile;
  sites: SiteMembership[];
  /** Invitations to other sites waiting for this operator's answer (`POST /api/me/invitations/:id/accept|decline`). */
  invitations: PendingInvitation[];
  /** Two-factor sign-in: on or off, and the shops that require it. */
  twoFactor: TwoFactorState;
}
