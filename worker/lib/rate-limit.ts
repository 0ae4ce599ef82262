/**
 * Limits on the public writes anyone can make without an account: creating an anonymous visitor
 * (chat session or first beacon) and starting a conversation, per site and client address; and
 * beacons per visitor. Cloudflare's Rate Limiting binding (wrangler.toml `[[ratelimits]]`),
 * counted per location, so an approximate ceiling against floods rather than exact accounting.
 */
import type { Env } from "../env";
import { ApiError } from "./api-error";

/**
 * The client's address as Cloudflare reports it. Absent or loopback means a local request
 * (`wrangler dev`, tests, the benchmark): those are not limited by address.
 */
export function clientIp(request: Request): string | null {
  const ip = request.headers.get("CF-Connecting-IP");
  return !ip || ip === "127.0.0.1" || ip === "::1" ? null : ip;
}

async function within(binding: RateLimit | undefined, key: string): Promise<boolean> {
  if (!binding) return true;
  return (await binding.limit({ key })).success;
}

/** A new anonymous visitor from this address; throws 429 `rate_limited` past the limit. */
export async function limitNewVisitor(env: Env, ip: string | null, siteId: string): Promise<void> {
  if (ip && !(await within(env.NEW_VISITORS, `${siteId}:${ip}`))) {
    throw new ApiError("rate_limited", "Too many new visitors from this address; try again in a minute.");
  }
}

/**
 * A conversation started from this address. Conversations with no message yet used to fill every
 * operator's seats; each one now costs a new visitor and a conversation from the same address.
 */
export async function limitNewConversation(env: Env, ip: string | null, siteId: string): Promise<void> {
  if (ip && !(await within(env.NEW_CONVERSATIONS, `${siteId}:${ip}`))) {
    throw new ApiError("rate_limited", "Too many conversations started from this address; try again in a minute.");
  }
}

/** One more beacon from this visitor; throws 429 `rate_limited` past the limit. */
export async function limitBeacon(env: Env, siteId: string, visitorId: string): Promise<void> {
  if (!(await within(env.BEACONS, `${siteId}:${visitorId}`))) {
    throw new ApiError("rate_limited", "Too many beacons from this visitor; try again in a minute.");
  }
}
