/**
 * The signed-in operator's account security: a new password (every other session ends, and
 * their sockets close), a new email (it becomes the account's once the link mailed to it is
 * opened), the list of signed-in sessions, and "sign out everywhere else".
 */
import { CONFIRM_TTL_SECONDS, type SessionInfo, type SiteMembership } from "../../protocol";
import { sendAccountMail } from "../accounts/account-mail";
import { createAccountToken, endOtherSessions, passwordHashOf, sessionsOf, setPassword } from "../db/accounts";
import { countAttempt, forgiveAttempt } from "../db/login-throttle";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { hashPassword, newId, randomToken, sha256Hex, verifyPassword } from "../lib/crypto";
import { signToken } from "../lib/tokens";
import { closeEndedSessions } from "./auth";

export interface Me {
  operatorId: string;
  name: string;
  /** For the "your password was changed" notice. */
  email?: string;
  tokenHash: string;
  sites: SiteMembership[];
}

/** Wrong current passwords per account per 15 minutes (a stolen session must not guess the password). */
export const PASSWORD_CHECK_MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;

async function checkPassword(env: Env, operatorId: string, password: string, now = Date.now()): Promise<void> {
  const key = `password:${operatorId}`;
  const [count = 0] = await countAttempt(env.DB, [key], now, now - WINDOW_MS);
  if (count > PASSWORD_CHECK_MAX_FAILURES) {
    throw new ApiError("too_many_attempts", "Too many wrong passwords. Wait 15 minutes and try again.", {
      "Retry-After": String(WINDOW_MS / 1000),
    });
  }
  const hash = await passwordHashOf(env.DB, operatorId);
  if (!hash || !(await verifyPassword(password, hash))) throw new ApiError("bad_credentials", "Your current password is not right.");
  await forgiveAttempt(env.DB, key, key);
}

export async function changePassword(
  env: Env,
  me: Me,
  body: { currentPassword: string; newPassword: string },
  notice?: { adminUrl: string; language: string | null },
): Promise<void> {
  await checkPassword(env, me.operatorId, body.currentPassword);
  const ended = await setPassword(env.DB, me.operatorId, await hashPassword(body.newPassword), me.tokenHash);
  await closeEndedSessions(env, me.sites, ended);
  if (notice && me.email) {
    await sendAccountMail(env, { kind: "password_changed", to: me.email, signInLink: `${notice.adminUrl}#/login` }, notice.language);
  }
}

export async function requestEmailChange(
  env: Env,
  me: Me,
  body: { password: string; email: string },
  adminUrl: string,
  language: string | null = null,
  now = Date.now(),
) {
  await checkPassword(env, me.operatorId, body.password);
  const id = newId("at");
  const nonce = randomToken(18);
  const link = await signToken(env.TOKEN_SECRET, "confirm", { operatorId: id, nonce }, now);
  await createAccountToken(env.DB, {
    id,
    kind: "email_change",
    email: body.email,
    name: null,
    passwordHash: null,
    operatorId: me.operatorId,
    nonceHash: await sha256Hex(nonce),
    now,
    expiresAt: Math.min(link.expiresAt, now + CONFIRM_TTL_SECONDS * 1000),
  });
  await sendAccountMail(
    env,
    {
      kind: "email_change_confirm",
      to: body.email,
      name: me.name,
      link: `${adminUrl}#/confirm?token=${encodeURIComponent(link.token)}`,
      days: Math.round(CONFIRM_TTL_SECONDS / 86_400),
    },
    language,
    now,
  );
}

export async function listSessions(env: Env, me: Me): Promise<SessionInfo[]> {
  return sessionsOf(env.DB, me.operatorId, me.tokenHash, Date.now());
}

/** Ends every other session of the account; answers how many ended. */
export async function signOutElsewhere(env: Env, me: Me): Promise<number> {
  const ended = await endOtherSessions(env.DB, me.operatorId, me.tokenHash);
  await closeEndedSessions(env, me.sites, ended);
  return ended.length;
}
