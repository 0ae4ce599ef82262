/**
 * Satisfaction (issue 13): the visitor's rating of their resolved conversation goes to its room,
 * which records the `rated` event and
 * shows operators a note with the score and comment.
 */
import type { RatingBody } from "../../protocol";
import { findVisitorConversation } from "../db/conversations";
import type { Env } from "../env";
import { ApiError } from "../lib/api-error";
import type { VisitorIdentity } from "./visitor-tokens";

export async function rateConversation(env: Env, who: VisitorIdentity, body: RatingBody): Promise<void> {
  const id = await findVisitorConversation(env.DB, who.siteId, who.visitorId);
  if (!id) throw new ApiError("not_found", "You have no conversation to rate.");
  const result = await env.CONVERSATION.getByName(id).rate(who.siteId, who.visitorId, {
    scale: body.scale,
    score: body.score,
    comment: body.comment ? body.comment : null,
  });
  if (result === "not_found") throw new ApiError("not_found", "You have no conversation to rate.");
  if (result === "not_resolved") throw new ApiError("conflict", "A conversation is rated once it is resolved.");
}
