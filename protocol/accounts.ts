/**
 * Accounts (issue 14): the first owner from the deploy's setup link, sign-up and its emailed
 * confirmation, more shops, the install check, two-factor sign-in, and the signed-in operator's
 * security (password, email, sessions). Bodies are valibot schemas; answers are types.
 */
import * as v from "valibot";
import { Email } from "./fields";
import { MAX_NAME_CHARS, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS } from "./limits";
import type { SiteMembership } from "./models";

/** A new password: the same rule wherever one is chosen. */
export const NewPassword = v.pipe(
  v.string(),
  v.minLength(MIN_PASSWORD_CHARS, `password is at least ${MIN_PASSWORD_CHARS} characters`),
  v.maxLength(MAX_PASSWORD_CHARS),
);
const CurrentPassword = v.pipe(v.string(), v.minLength(1, "password is required"), v.maxLength(MAX_PASSWORD_CHARS));
const PersonName = v.pipe(v.string(), v.trim(), v.minLength(1, "name is required"), v.maxLength(MAX_NAME_CHARS));
export const ShopName = v.pipe(v.string(), v.trim(), v.minLength(1, "the shop's name is required"), v.maxLength(80));
/** The shop's address as an owner types it ("shop.example.com" or "https://shop.example.com/"). */
export const ShopUrl = v.pipe(
  v.string(),
  v.trim(),
  v.maxLength(300),
  v.transform((s) => (/^https?:\/\//i.test(s) ? s : `https://${s}`)),
  v.url("the shop's address is a web address like shop.example.com"),
);

/**
 * `POST /api/auth/setup`: the deployment's first owner and shop, from the one-time setup link
 * that `npm run deploy` prints. Signs the owner in (the session cookie) and answers `MeResponse`.
 */
export const SetupBody = v.object({
  token: v.pipe(v.string(), v.maxLength(100)),
  email: Email,
  name: PersonName,
  password: NewPassword,
  siteName: ShopName,
});
export type SetupBody = v.InferOutput<typeof SetupBody>;

/** `GET /api/auth/setup?token=`: whether the link still works (before the form is shown). */
export interface SetupStatusResponse {
  usable: boolean;
}

/**
 * `POST /api/auth/signup` (when the deployment's SIGNUP is "open"): always 202
 * `{ status: "confirmation_sent" }`, whether or not the email has an account (nothing is
 * revealed); the account exists once the emailed link is opened.
 */
export const SignupBody = v.object({ email: Email, name: PersonName, password: NewPassword });
export type SignupBody = v.InferOutput<typeof SignupBody>;
export interface SignupResponse {
  status: "confirmation_sent";
}

/** `GET /api/auth/signup`: whether this deployment takes sign-ups. */
export interface SignupModeResponse {
  signup: "open" | "invite";
  /** Development only: where the account emails' log is (`/api/dev/mail`), for the "check your email" screens. */
  devMail?: string;
}

/** `POST /api/auth/confirm`: the token from an emailed link (sign-up, or a change of email). */
export const ConfirmBody = v.object({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(300)) });
export type ConfirmBody = v.InferOutput<typeof ConfirmBody>;

/** How long an emailed confirmation link works. */
export const CONFIRM_TTL_SECONDS = 2 * 86_400;

/** `POST /api/sites` (any signed-in operator): a new shop whose owner they are. */
export const CreateSiteBody = v.object({ name: ShopName, url: v.optional(ShopUrl) });
export type CreateSiteBody = v.InferOutput<typeof CreateSiteBody>;
export interface CreateSiteResponse {
  site: SiteMembership;
}
/** Shops one account may create; a deployment with more needs them made by another owner. */
export const MAX_OWNED_SITES = 20;

/** `PATCH /api/sites/:siteId` (owners and admins): the shop's name and address. */
export const SiteProfilePatch = v.partial(v.object({ name: ShopName, url: v.nullable(ShopUrl) }));
export type SiteProfilePatch = v.InferOutput<typeof SiteProfilePatch>;

/**
 * `GET /api/sites/:siteId/install` (and the answer of the PATCH above): the shop's name, address,
 * public key, and the install check — the first page view from the shop's own domain.
 */
export interface InstallStatusResponse {
  name: string;
  url: string | null;
  publicKey: string;
  /** The loader's address for the snippet (the Worker's origin, or WIDGET_ORIGIN when set). */
  widgetUrl: string;
  installed: { at: number; origin: string; url: string } | null;
}

/**
 * `POST /api/auth/login` answers `MeResponse` and sets the cookie, or — for an account with
 * two-factor sign-in — this challenge, to be answered at `POST /api/auth/login/two-factor`.
 */
export interface TwoFactorChallengeResponse {
  secondStep: { challenge: string; expiresAt: number };
}
export const TwoFactorLoginBody = v.object({
  challenge: v.pipe(v.string(), v.minLength(1), v.maxLength(300)),
  /** A 6-digit code from the app, or a recovery code (`xxxxx-xxxxx`). */
  code: v.pipe(v.string(), v.trim(), v.minLength(1, "code is required"), v.maxLength(20)),
});
export type TwoFactorLoginBody = v.InferOutput<typeof TwoFactorLoginBody>;
/** How long the password step's challenge may wait for the second step. */
export const TWO_FACTOR_CHALLENGE_SECONDS = 5 * 60;

/** `POST /api/me/two-factor/enrol`: a new secret to scan (not active until confirmed). */
export interface TwoFactorEnrolResponse {
  secret: string;
  otpauthUri: string;
}
/** `POST /api/me/two-factor/confirm`: the first code; answers the recovery codes, shown once. */
export const TwoFactorCodeBody = v.object({ code: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(20)) });
export type TwoFactorCodeBody = v.InferOutput<typeof TwoFactorCodeBody>;
export interface RecoveryCodesResponse {
  recoveryCodes: string[];
}
/** `POST /api/me/two-factor/disable`: the password and a current code (or a recovery code). */
export const TwoFactorDisableBody = v.object({ password: CurrentPassword, code: TwoFactorCodeBody.entries.code });
export type TwoFactorDisableBody = v.InferOutput<typeof TwoFactorDisableBody>;

/** `PUT /api/sites/:siteId/security` (owners): require two-factor sign-in of every member. */
export const SiteSecurityBody = v.object({ requireTwoFactor: v.boolean() });
export type SiteSecurityBody = v.InferOutput<typeof SiteSecurityBody>;
export interface SiteSecurityResponse {
  requireTwoFactor: boolean;
}

/** `POST /api/me/password`: ends every other session of the account. */
export const PasswordChangeBody = v.object({ currentPassword: CurrentPassword, newPassword: NewPassword });
export type PasswordChangeBody = v.InferOutput<typeof PasswordChangeBody>;

/** `POST /api/me/email`: 202; the new address becomes the account's once its emailed link is opened. */
export const EmailChangeBody = v.object({ password: CurrentPassword, email: Email });
export type EmailChangeBody = v.InferOutput<typeof EmailChangeBody>;

/** `GET /api/me/sessions`: the account's signed-in browsers; `DELETE /api/me/sessions` ends all but this one. */
export interface SessionInfo {
  id: string;
  createdAt: number;
  expiresAt: number;
  userAgent: string | null;
  current: boolean;
}
export interface SessionsResponse {
  sessions: SessionInfo[];
}

/** The signed-in operator's two-factor state, in `MeResponse`. */
export interface TwoFactorState {
  enabled: boolean;
  /** Shops that require two-factor sign-in: withheld from `sites` until the operator enrols. */
  requiredBy: string[];
}

// ── Password reset and invitations by email (issue 14, account mail) ─────────────────────────

const LinkToken = v.pipe(v.string(), v.minLength(1), v.maxLength(300));

/**
 * `POST /api/auth/password-reset`: always 202 `{ status: "sent" }`, whether or not the email has
 * an account; an account's address gets a link (one hour, single use) to `#/reset?token=`.
 */
export const PasswordResetRequestBody = v.object({ email: Email });
export type PasswordResetRequestBody = v.InferOutput<typeof PasswordResetRequestBody>;

/** `POST /api/auth/password-reset/confirm`: the new password; every session of the account ends. */
export const PasswordResetBody = v.object({ token: LinkToken, password: NewPassword });
export type PasswordResetBody = v.InferOutput<typeof PasswordResetBody>;

/** How long a password-reset link works. */
export const RESET_TTL_SECONDS = 3600;
/** How long an emailed invitation works. */
export const INVITATION_TTL_DAYS = 7;

/**
 * `GET /api/auth/invitation?token=`: what the link offers, before the invitee answers. Refused
 * with `invitation_expired`, `invitation_used`, `invitation_revoked` or `bad_token` (410).
 */
export interface InvitationPreview {
  email: string;
  siteName: string;
  role: "owner" | "admin" | "agent";
  invitedByName: string | null;
  /** The name the inviter typed, a suggestion for a new account. */
  suggestedName: string | null;
  /** Whether the email already has an account (then it signs in and accepts; else it sets a password). */
  hasAccount: boolean;
  expiresAt: number;
}

/**
 * `POST /api/auth/invitation/accept`: a new account gives `name` and `password` (and may give
 * `avatarUrl`) and is signed in; an existing account must be signed in as the invited email
 * (else `wrong_account`, 403, or `unauthorized`) and gives nothing. Answers `MeResponse`.
 */
export const AcceptInvitationBody = v.object({
  token: LinkToken,
  name: v.optional(PersonName),
  password: v.optional(NewPassword),
  avatarUrl: v.optional(
    v.pipe(v.string(), v.maxLength(500), v.regex(/^(https:\/\/|\/)[^\s"'<>]*$/, "avatarUrl is an https:// URL or a path on this site")),
  ),
});
export type AcceptInvitationBody = v.InferOutput<typeof AcceptInvitationBody>;

/** `POST /api/sites/:siteId/invitations` (owners and admins): invite an email by mail. */
export const TeamInviteBody = v.object({
  email: Email,
  role: v.optional(v.picklist(["owner", "admin", "agent"] as const), "agent"),
  name: v.optional(PersonName),
});
export type TeamInviteBody = v.InferOutput<typeof TeamInviteBody>;
export interface TeamInviteResponse {
  invitationId: string;
  expiresAt: number;
}
