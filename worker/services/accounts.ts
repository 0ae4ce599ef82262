/**
 * Becoming an account holder: the deployment's first owner from the setup link, open sign-up
 * (when the deployment's SIGNUP is "open") with its emailed confirmation, and opening such a
 * link (a sign-up, or a change of email). Every public step is rate limited per client address
 * (and sign-up per email too) with the sign-in counters; tokens expire and work once.
 */
import {
  CONFIRM_TTL_SECONDS,
  type PasswordResetBody,
  type PasswordResetRequestBody,
  RESET_TTL_SECONDS,
  type SetupBody,
  type SignupBody,
} from "../../protocol";
import { sendAccountMail } from "../accounts/account-mail";
import { verifySetupToken } from "../accounts/setup-token";
import { accountExists, createAccountToken, createFirstOwner, setupTokenUsed, useAccountToken } from "../db/accounts";
import { countAttempt } from "../db/login-throttle";
import { sitesOfOperator } from "../db/operators";
import { accountByEmail, createPasswordReset, usePasswordReset } from "../db/password-resets";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { hashPassword, newId, randomToken, sha256Hex } from "../lib/crypto";
import { signToken, verifyToken } from "../lib/tokens";
import { closeEndedSessions, openSession, type SignedIn } from "./auth";
import { newPublicKey } from "./sites";

const WINDOW_MS = 15 * 60_000;
/** Setup attempts, sign-ups and link openings per client address per 15 minutes. */
export const PUBLIC_ACCOUNT_LIMIT_PER_ADDRESS = 20;
/** Sign-ups (confirmation emails) per email address per 15 minutes. */
export const SIGNUPS_PER_EMAIL = 3;
/** Password-reset emails per email address per 15 minutes. */
export const RESETS_PER_EMAIL = 3;

/** Counts one attempt of `what` from this address (and for these extra keys); 429 past a limit. */
export async function limit(env: Env, what: string, address: string | null, extra: { key: string; max: number }[] = [], now = Date.now()) {
  const keys = [{ key: `${what}:ip:${address ?? "local"}`, max: PUBLIC_ACCOUNT_LIMIT_PER_ADDRESS }, ...extra];
  const counts = await countAttempt(
    env.DB,
    keys.map((k) => k.key),
    now,
    now - WINDOW_MS,
  );
  if (keys.some((k, i) => (counts[i] ?? 0) > k.max)) {
    throw new ApiError("rate_limited", "Too many attempts from here. Wait 15 minutes and try again.", {
      "Retry-After": String(WINDOW_MS / 1000),
    });
  }
}

export function signupMode(env: Env): "open" | "invite" {
  return env.SIGNUP === "open" ? "open" : "invite";
}

/** Whether the setup link can still be used (a well-formed, current token not yet used). */
export async function setupUsable(env: Env, token: string): Promise<boolean> {
  if (!(await verifySetupToken(env.SETUP_TOKEN_HASH, token))) return false;
  return !(await setupTokenUsed(env.DB, await sha256Hex(token)));
}

/** The setup link: the first owner and their shop, signed in. */
export async function setUpFirstOwner(
  env: Env,
  body: SetupBody,
  client: { address: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<SignedIn> {
  await limit(env, "setup", client.address, [], now);
  if (!(await verifySetupToken(env.SETUP_TOKEN_HASH, body.token))) {
    throw new ApiError("bad_token", "This setup link is not valid. Run `npm run deploy -- --new-setup-token` for a new one.");
  }
  const operatorId = newId("op");
  const result = await createFirstOwner(env.DB, {
    tokenHash: await sha256Hex(body.token),
    operatorId,
    email: body.email,
    name: body.name,
    passwordHash: await hashPassword(body.password),
    siteId: newId("site"),
    siteName: body.siteName,
    publicKey: newPublicKey(),
    allowedOrigins: [],
    now,
  });
  if (result === "used") throw new ApiError("bad_token", "This setup link has been used. Sign in with the account it created.");
  if (result === "exists") throw new ApiError("conflict", "That email already has an account: sign in with it instead.");
  return openSession(env, operatorId, { now, userAgent: client.userAgent });
}

/**
 * Open sign-up: a pending sign-up and its confirmation email. The same answer whether or not
 * the email has an account (an existing account is emailed a sign-in link instead), so the
 * form does not reveal who uses Gadka.
 */
export async function signUp(
  env: Env,
  body: SignupBody,
  client: { address: string | null; adminUrl: string; language?: string | null },
  now = Date.now(),
) {
  if (signupMode(env) !== "open") throw new ApiError("signup_closed", "This Gadka takes no sign-ups. Ask its owner for an invitation.");
  await limit(env, "signup", client.address, [{ key: `signup:email:${body.email}`, max: SIGNUPS_PER_EMAIL }], now);
  // Hashed either way, so the answer takes as long for a taken address as for a new one.
  const passwordHash = await hashPassword(body.password);
  if (await accountExists(env.DB, body.email)) {
    // The address's owner learns someone tried; the form's answer is the same as for a new address.
    await sendAccountMail(
      env,
      { kind: "signup_existing", to: body.email, signInLink: `${client.adminUrl}#/login` },
      client.language ?? null,
      now,
    );
    return { status: "confirmation_sent" as const };
  }
  const id = newId("at");
  const nonce = randomToken(18);
  const link = await signToken(env.TOKEN_SECRET, "confirm", { operatorId: id, nonce }, now);
  await createAccountToken(env.DB, {
    id,
    kind: "signup",
    email: body.email,
    name: body.name,
    passwordHash,
    operatorId: null,
    nonceHash: await sha256Hex(nonce),
    now,
    expiresAt: Math.min(link.expiresAt, now + CONFIRM_TTL_SECONDS * 1000),
  });
  await sendAccountMail(
    env,
    {
      kind: "signup_confirm",
      to: body.email,
      name: body.name,
      link: `${client.adminUrl}#/confirm?token=${encodeURIComponent(link.token)}`,
      days: Math.round(CONFIRM_TTL_SECONDS / 86_400),
    },
    client.language ?? null,
    now,
  );
  return { status: "confirmation_sent" as const };
}

/** Opens an emailed link: a sign-up becomes an account (signed in); a new email becomes the account's. */
export async function confirmLink(
  env: Env,
  token: string,
  client: { address: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<SignedIn | { emailChanged: true }> {
  await limit(env, "confirm", client.address, [], now);
  const claims = await verifyToken(env.TOKEN_SECRET, "confirm", token, now);
  const expired = new ApiError("bad_token", "This link has expired or has been used. Sign up again, or sign in.");
  if (!claims) throw expired;
  const result = await useAccountToken(env.DB, {
    id: claims.operatorId,
    nonceHash: await sha256Hex(claims.nonce),
    newOperatorId: newId("op"),
    now,
  });
  if (result.status === "bad_token") throw expired;
  if (result.status === "email_taken") throw new ApiError("conflict", "That email already has an account: sign in with it instead.");
  if (result.status === "email_changed") return { emailChanged: true };
  return openSession(env, result.operatorId, { now, userAgent: client.userAgent });
}

/**
 * "Forgot password?": the same answer whether or not the email has an account (no enumeration);
 * an account's address gets a one-hour, single-use link, and any older open link stops working.
 * Limited per client address and per email (coded 429) before anything is looked up.
 */
export async function requestPasswordReset(
  env: Env,
  body: PasswordResetRequestBody,
  client: { address: string | null; adminUrl: string; language?: string | null },
  now = Date.now(),
): Promise<{ status: "sent" }> {
  await limit(env, "reset", client.address, [{ key: `reset:email:${body.email}`, max: RESETS_PER_EMAIL }], now);
  const account = await accountByEmail(env.DB, body.email);
  if (!account) return { status: "sent" };
  const id = newId("pr");
  const nonce = randomToken(18);
  const link = await signToken(env.TOKEN_SECRET, "reset", { operatorId: id, nonce }, now);
  await createPasswordReset(env.DB, {
    id,
    operatorId: account.id,
    nonceHash: await sha256Hex(nonce),
    now,
    expiresAt: Math.min(link.expiresAt, now + RESET_TTL_SECONDS * 1000),
  });
  await sendAccountMail(
    env,
    { kind: "password_reset", to: account.email, link: `${client.adminUrl}#/reset?token=${encodeURIComponent(link.token)}` },
    client.language ?? null,
    now,
  );
  return { status: "sent" };
}

/**
 * A reset link's new password: the link works once within its hour; every session of the
 * account ends (its sockets close) and nobody is signed in here, so a two-factor account still
 * gives its code at the next sign-in. The address is told its password changed.
 */
export async function resetPassword(
  env: Env,
  body: PasswordResetBody,
  client: { address: string | null; adminUrl: string; language?: string | null },
  now = Date.now(),
): Promise<{ status: "password_changed" }> {
  await limit(env, "reset_use", client.address, [], now);
  const bad = new ApiError("bad_token", "This reset link has expired or has been used. Ask for a new one from the sign-in page.");
  const claims = await verifyToken(env.TOKEN_SECRET, "reset", body.token, now);
  if (!claims) throw bad;
  const result = await usePasswordReset(env.DB, {
    id: claims.operatorId,
    nonceHash: await sha256Hex(claims.nonce),
    marker: `used:${randomToken(18)}`,
    passwordHash: await hashPassword(body.password),
    now,
  });
  if (!result) throw bad;
  await closeEndedSessions(env, await sitesOfOperator(env.DB, result.operatorId), result.endedSessions);
  await sendAccountMail(
    env,
    { kind: "password_changed", to: result.email, signInLink: `${client.adminUrl}#/login` },
    client.language ?? null,
    now,
  );
  return { status: "password_changed" };
}
