/**
 * Operator sign-in and sign-out. Sign-in counts the attempt per email and per client address
 * before the password is hashed (the count is the statement's answer, so parallel guesses are
 * held to the limit too), checks the PBKDF2 hash, and opens a session — or, for an account with
 * two-factor sign-in, answers a short-lived signed challenge for the code step (two-factor.ts). Sign-out ends the
 * session and closes that session's sockets on every site of the operator.
 */
import {
  LOGIN_MAX_FAILURES,
  LOGIN_MAX_FAILURES_PER_ADDRESS,
  LOGIN_WINDOW_SECONDS,
  type MeResponse,
  type OperatorProfile,
  SESSION_TTL_SECONDS,
  type SiteMembership,
  type TwoFactorChallengeResponse,
} from "../../protocol";
import { sitesRequiringTwoFactor, twoFactorOf } from "../db/accounts";
import { invitationsFor } from "../db/invitations";
import { countAttempt, forgiveAttempt } from "../db/login-throttle";
import { createSession, deleteSession, findOperatorForLogin, loadSession, sitesOfOperator } from "../db/operators";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import { burnPasswordCheck, randomToken, sha256Hex, verifyPassword } from "../lib/crypto";
import { signToken } from "../lib/tokens";

export interface SignedIn {
  /** The session cookie's value (only its SHA-256 is stored). */
  token: string;
  maxAgeSeconds: number;
  me: MeResponse;
}

/** The password step's answer: a session, or (two-factor accounts) the challenge for the code step. */
export type SignInResult = ({ kind: "session" } & SignedIn) | ({ kind: "two_factor" } & TwoFactorChallengeResponse);

export async function signIn(
  env: Env,
  login: { email: string; password: string; address: string | null; userAgent?: string | null },
  now = Date.now(),
): Promise<SignInResult> {
  const emailKey = `email:${login.email}`;
  const addressKey = `ip:${login.address ?? "local"}`;
  const [byEmail = 0, byAddress = 0] = await countAttempt(env.DB, [emailKey, addressKey], now, now - LOGIN_WINDOW_SECONDS * 1000);
  if (byEmail > LOGIN_MAX_FAILURES || byAddress > LOGIN_MAX_FAILURES_PER_ADDRESS) {
    throw new ApiError("too_many_attempts", "Too many failed sign-ins. Wait 15 minutes and try again.", {
      "Retry-After": String(LOGIN_WINDOW_SECONDS),
    });
  }

  const operator = await findOperatorForLogin(env.DB, login.email);
  let ok = false;
  if (operator) ok = await verifyPassword(login.password, operator.passwordHash);
  else await burnPasswordCheck(login.password); // same timing whether or not the email exists
  if (!operator || !ok) throw new ApiError("bad_credentials", "That email and password do not match.");

  await forgiveAttempt(env.DB, emailKey, addressKey);
  if (operator.twoFactor) {
    const { token, expiresAt } = await signToken(env.TOKEN_SECRET, "twofactor", { operatorId: operator.id, nonce: randomToken(12) }, now);
    return { kind: "two_factor", secondStep: { challenge: token, expiresAt } };
  }
  return { kind: "session", ...(await openSession(env, operator.id, { now, userAgent: login.userAgent ?? null })) };
}

/** A new session for an account whose credentials were checked; answers its cookie and `MeResponse`. */
export async function openSession(env: Env, operatorId: string, opts: { now: number; userAgent: string | null }): Promise<SignedIn> {
  const token = randomToken();
  const tokenHash = await sha256Hex(token);
  await createSession(env.DB, {
    tokenHash,
    operatorId,
    now: opts.now,
    expiresAt: opts.now + SESSION_TTL_SECONDS * 1000,
    userAgent: opts.userAgent,
  });
  const session = await loadSession(env.DB, tokenHash, opts.now);
  if (!session) throw new ApiError("unauthorized", "Your account no longer exists.");
  return { token, maxAgeSeconds: SESSION_TTL_SECONDS, me: await whoAmI(env, session.operator, session.sites) };
}

/** The signed-in operator, their sites (read again unless given) and the invitations waiting for them. */
export async function whoAmI(env: Env, operator: OperatorProfile, sites?: SiteMembership[]): Promise<MeResponse> {
  const [current, invitations, factor, requiredBy] = await Promise.all([
    sites ?? sitesOfOperator(env.DB, operator.id),
    invitationsFor(env.DB, operator.email, Date.now()),
    twoFactorOf(env.DB, operator.id),
    sitesRequiringTwoFactor(env.DB, operator.id),
  ]);
  return { operator, sites: current, invitations, twoFactor: { enabled: !!factor?.sealed, requiredBy } };
}

/** Ends the session; its dashboard and conversation sockets close on every site (4401). */
export async function signOut(env: Env, session: { tokenHash: string; sites: SiteMembership[] }): Promise<void> {
  await deleteSession(env.DB, session.tokenHash);
  const sessionTag = sessionTagOf(session.tokenHash);
  const closed = await Promise.allSettled(session.sites.map((s) => env.SITE_HUB.getByName(s.id).closeSessions(s.id, { sessionTag })));
  // The session is gone either way: a socket a hub failed to close cannot reconnect with it.
  for (const r of closed) if (r.status === "rejected") console.error("closing a signed-out session's sockets failed", String(r.reason));
}

/** Closes the sockets of ended sessions (by their token hashes) on each of the operator's sites. */
export async function closeEndedSessions(env: Env, sites: SiteMembership[], tokenHashes: string[]): Promise<void> {
  const calls = sites.flatMap((s) =>
    tokenHashes.map((h) => env.SITE_HUB.getByName(s.id).closeSessions(s.id, { sessionTag: sessionTagOf(h) })),
  );
  for (const r of await Promise.allSettled(calls))
    if (r.status === "rejected") console.error("closing an ended session's sockets failed", String(r.reason));
}

/** Names a sign-in session to Durable Objects (not the secret: a prefix of its hash). */
export function sessionTagOf(tokenHash: string): string {
  return tokenHash.slice(0, 16);
}
