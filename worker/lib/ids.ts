/**
 * Shapes of the ids that reach D1 queries and Durable Object names, for path parameters
 * (`validate("param", …)`). Checked before `getByName`, so a made-up id never creates an object.
 */
import * as v from "valibot";

const prefixed = (prefix: string, what: string) =>
  v.pipe(v.string(), v.regex(new RegExp(`^${prefix}_[A-Za-z0-9_-]{1,60}$`), `not ${what}`));

export const ConversationId = v.pipe(v.string(), v.regex(/^c_[A-Za-z0-9_-]{16,40}$/, "not a conversation id"));
/** Visitor ids are ours (`v_…`) or, from older seeds and tests, any short id of the same alphabet. */
export const VisitorId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "not a visitor id"));
export const OperatorId = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, "not an operator id"));
export const InvitationId = prefixed("inv", "an invitation id");
export const SegmentId = prefixed("sg", "a segment id");
export const SavedReplyId = prefixed("sr", "a saved reply id");

export function isConversationId(id: string | undefined): id is string {
  return id !== undefined && v.is(ConversationId, id);
}
