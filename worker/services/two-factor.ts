/**
 * Two-factor sign-in with TOTP: enrolment (a sealed pending secret, active once its first code
 * is confirmed, which also issues the ten recovery codes shown once), the sign-in's code step
 * (an app code used at most once, or a recovery code used once), and turning it off (password
 * and a code). Code attempts are counted per account: three codes in a million are valid at any
 * moment, so guesses must stay few.
 */
import type { RecoveryCodesResponse, TwoFactorEnrolResponse } from "../../protocol";
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from "../accounts/recovery-codes";
import { openTotpSecret, sealTotpSecret } from "../accounts/secret-seal";
import { generateTotpSecret, otpauthUri, verifyTotp } from "../accounts/totp";
import { disableTwoFactor, passwordHashOf, setPendingTwoFactor, twoFactorOf, useRecoveryCode, useTotpStep } from "../db/accounts";
import { countAttempt, forgiveAttempt } from "../db/login-throttle";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { verifyPassword } from "../lib/crypto";
import { verifyToken } from "../lib/tokens";
import { openSession, type SignedIn } from "./auth";

/** Wrong codes per account per 15 minutes before the code step refuses for a while. */
export const TWO_FACTOR_MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;

const badCode = () => new ApiError("bad_code", "That code is not right. Use the current code from your app, or a recovery code.");

async function countCodeAttempt(env: Env, operatorId: string, now: number): Promise<string> {
  const key = `2fa:${operatorId}`;
  const [count = 0] = await countAttempt(env.DB, [key], now, now - WINDOW_MS);
  if (count > TWO_FACTOR_MAX_FAILURES) {
    throw new ApiError("too_many_attempts", "Too many wrong codes. Wait 15 minutes and try again.", {
      "Retry-After": String(WINDOW_MS / 1000),
    });
  }
  return key;
}

/**
 * Checks a code (an app code or a recovery code) for an account with two-factor on, and uses
 * it. Throws `bad_code` (counted) otherwise.
 */
async function useSecondFactor(env: Env, operatorId: string, code: string, now: number): Promise<void> {
  const key = await countCodeAttempt(env, operatorId, now);
  const factor = await twoFactorOf(env.DB, operatorId);
  if (!factor?.sealed) throw badCode();
  let ok = false;
  if (normaliseRecoveryCode(code) !== null) {
    const hash = await hashRecoveryCode(env.TOKEN_SECRET, operatorId, code);
    ok = hash !== null && (await useRecoveryCode(env.DB, operatorId, hash));
  } else {
    const secret = await openTotpSecret(env.TOKEN_SECRET, operatorId, factor.sealed);
    if (!secret) throw new ApiError("internal", "The two-factor secret cannot be read. Ask an owner to reset it.");
    const check = await verifyTotp(secret, code, { now, lastStep: factor.lastStep });
    ok = check.ok && (await useTotpStep(env.DB, { operatorId, step: check.step }));
  }
  if (!ok) throw badCode();
  await forgiveAttempt(env.DB, key, key);
}

/** The sign-in's second step: the challenge from the password step and a code. */
export async function signInSecondStep(
  env: Env,
  body: { challenge: string; code: string },
  client: { userAgent: string | null },
  now = Date.now(),
): Promise<SignedIn> {
  const claims = await verifyToken(env.TOKEN_SECRET, "twofactor", body.challenge, now);
  if (!claims) throw new ApiError("bad_token", "This sign-in took too long. Start again with your password.");
  await useSecondFactor(env, claims.operatorId, body.code, now);
  return openSession(env, claims.operatorId, { now, userAgent: client.userAgent });
}

/** A new secret to scan; replaces any enrolment not yet confirmed. Refused while two-factor is on. */
export async function startEnrolment(env: Env, operator: { id: string; email: string }, issuer: string): Promise<TwoFactorEnrolResponse> {
  const factor = await twoFactorOf(env.DB, operator.id);
  if (factor?.sealed) throw new ApiError("conflict", "Two-factor sign-in is already on. Turn it off first to enrol a new app.");
  const secret = generateTotpSecret();
  await setPendingTwoFactor(env.DB, operator.id, await sealTotpSecret(env.TOKEN_SECRET, operator.id, secret));
  return { secret, otpauthUri: otpauthUri({ secret, account: operator.email, issuer }) };
}

/** The first code from the app turns two-factor on and answers the recovery codes (shown once). */
export async function confirmEnrolment(env: Env, operatorId: string, code: string, now = Date.now()): Promise<RecoveryCodesResponse> {
  const key = await countCodeAttempt(env, operatorId, now);
  const factor = await twoFactorOf(env.DB, operatorId);
  if (!factor?.pendingSealed) throw new ApiError("conflict", "Start the enrolment first (scan a new code).");
  const secret = await openTotpSecret(env.TOKEN_SECRET, operatorId, factor.pendingSealed);
  if (!secret) throw new ApiError("conflict", "Start the enrolment again.");
  const check = await verifyTotp(secret, code, { now, lastStep: factor.lastStep });
  if (!check.ok) throw badCode();
  const recoveryCodes = generateRecoveryCodes();
  const hashes = await Promise.all(recoveryCodes.map((c) => hashRecoveryCode(env.TOKEN_SECRET, operatorId, c)));
  const activated = await useTotpStep(env.DB, {
    operatorId,
    step: check.step,
    activate: { pendingSealed: factor.pendingSealed, recoveryHashes: hashes.filter((h): h is string => h !== null) },
  });
  if (!activated) throw badCode();
  await forgiveAttempt(env.DB, key, key);
  return { recoveryCodes };
}

/** Turns two-factor off: the password and a current code (or a recovery code). */
export async function turnOffTwoFactor(env: Env, operatorId: string, body: { password: string; code: string }, now = Date.now()) {
  const hash = await passwordHashOf(env.DB, operatorId);
  if (!hash || !(await verifyPassword(body.password, hash))) throw new ApiError("bad_credentials", "That password is not right.");
  await useSecondFactor(env, operatorId, body.code, now);
  await disableTwoFactor(env.DB, operatorId);
}
