/**
 * Shapes of the ids that reach Durable Object names. Checked before `getByName`, so a made-up
 * id never creates an object.
 */
import * as v from "valibot";

export const ConversationId = v.pipe(v.string(), v.regex(/^c_[A-Za-z0-9_-]{16,40}$/, "not a conversation id"));

export function isConversationId(id: string | undefined): id is string {
  return id !== undefined && v.is(ConversationId, id);
}
