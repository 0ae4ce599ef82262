/**
 * The deployment operator's token for the deployment jobs (`/api/deploy/*`: the D1 → shard
 * migration, resharding). Only its SHA-256 (hex) is a Worker secret, DEPLOY_TOKEN_HASH
 * (`wrangler secret put DEPLOY_TOKEN_HASH`); unset, the jobs are off. Never a shop owner's:
 * no session or site role opens these routes.
 */
import { sha256Hex } from "./crypto";

const encoder = new TextEncoder();

export async function verifyDeployToken(expectedHash: string | undefined, token: string | undefined): Promise<boolean> {
  if (!expectedHash || !/^[0-9a-f]{64}$/.test(expectedHash) || !token || token.length < 32 || token.length > 200) return false;
  return crypto.subtle.timingSafeEqual(encoder.encode(await sha256Hex(token)), encoder.encode(expectedHash));
}
