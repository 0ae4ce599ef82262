/**
 * `Gadka('identify', { id, email, name, hash })` from the beacon. With a valid hash the visitor
 * is the shop's verified customer `id`: if another profile already is, this anonymous one is
 * merged into it and the beacon continues as that profile (new token). Without one (missing or
 * wrong hash), the claim is stored as unverified and never merges into anything; the page is not
 * broken. A name given reaches the inbox rows of the visitor's conversations at once.
 */
import type { TrackBody } from "../../protocol";
import type { PublicSite } from "../db/secrets";
import {
  createVerifiedVisitor,
  findVerifiedCustomer,
  loadTrackRow,
  mergeVisitor,
  type RequestFacts,
  type TrackRow,
  TrackWriter,
} from "../db/tracking";
import type { Env } from "../env";
import { hmacHexVerify, newId } from "../lib/crypto";

export type IdentifyData = NonNullable<TrackBody["id"]>;

/** `writer` continues the beacon (another profile after a merge); `forgotten`: ids that left the Live view. */
export async function identify(
  env: Env,
  site: PublicSite,
  w: TrackWriter,
  d: IdentifyData,
  facts: RequestFacts,
): Promise<{ writer: TrackWriter; forgotten: string[] }> {
  const result = await identifyProfile(env, site, w, d, facts);
  if (d.name) await nameVisitors(env, site.id, [result.writer.visitorId, ...result.merged], d.name);
  return { writer: result.writer, forgotten: result.forgotten };
}

/** Tells the site hub, which renames the visitors' conversations in every inbox. */
export async function nameVisitors(env: Env, siteId: string, visitorIds: string[], name: string): Promise<void> {
  const hub = env.SITE_HUB.getByName(siteId);
  await Promise.all([...new Set(visitorIds)].map((id) => hub.visitorNamed(siteId, id, name)));
}

async function identifyProfile(
  env: Env,
  site: PublicSite,
  w: TrackWriter,
  d: IdentifyData,
  facts: RequestFacts,
): Promise<{ writer: TrackWriter; forgotten: string[]; merged: string[] }> {
  const verified =
    site.identitySecret !== null && d.hash !== undefined && (await hmacHexVerify(site.identitySecret, d.id, d.hash.toLowerCase()));
  w.touch();
  const stay = { writer: w, forgotten: [], merged: [] };
  if (!verified) {
    w.identify(d, false);
    return stay;
  }
  const row = w.row;
  if (row.verified && row.external_id === d.id) {
    w.identify(d, true);
    return stay;
  }
  const target = await findVerifiedCustomer(env.DB, site.id, d.id);
  if (target && target !== row.id) {
    if (row.verified) {
      // Another customer signed in on this device: continue as their profile, nothing moves.
      await w.commit();
      return { writer: await switchTo(env, site, target, w.now, facts), forgotten: [row.id], merged: [] };
    }
    // Merge this anonymous visitor into the customer's verified profile.
    await w.commit();
    await mergeVisitor(env.DB, site.id, await reread(env, site.id, row), target, d);
    return { writer: await switchTo(env, site, target, w.now, facts), forgotten: [row.id], merged: [row.id] };
  }
  if (row.verified) {
    // Signed in as a different customer who has no profile yet: a fresh verified profile.
    await w.commit();
    const id = newId("v");
    await createVerifiedVisitor(env.DB, {
      siteId: site.id,
      id,
      externalId: d.id,
      email: d.email ?? null,
      name: d.name ?? null,
      now: w.now,
    });
    return { writer: await switchTo(env, site, id, w.now, facts), forgotten: [row.id], merged: [] };
  }
  w.identify(d, true);
  try {
    await w.commit();
  } catch (err) {
    // Another device of the same customer became verified a moment ago (unique index): merge.
    const winner = await findVerifiedCustomer(env.DB, site.id, d.id);
    if (!winner || !String(err).includes("UNIQUE")) throw err;
    const fresh = await reread(env, site.id, row);
    await mergeVisitor(env.DB, site.id, fresh, winner, d);
    return { writer: await switchTo(env, site, winner, w.now, facts), forgotten: [row.id], merged: [row.id] };
  }
  return { writer: new TrackWriter(env.DB, site.id, row.id, w.row, w.now, facts), forgotten: [], merged: [] };
}

async function reread(env: Env, siteId: string, row: TrackRow): Promise<TrackRow> {
  return (await loadTrackRow(env.DB, siteId, row.id)) ?? row;
}

async function switchTo(env: Env, site: PublicSite, visitorId: string, now: number, facts: RequestFacts): Promise<TrackWriter> {
  const row = await loadTrackRow(env.DB, site.id, visitorId);
  if (!row) throw new Error("verified profile vanished");
  return new TrackWriter(env.DB, site.id, visitorId, row, now, facts);
}
