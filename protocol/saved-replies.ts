/**
 * Saved replies: the body operators save them with, and what the list returns.
 */
import * as v from "valibot";
import { MAX_MESSAGE_CHARS } from "./limits";

/**
 * A saved reply: `/shortcut` in the composer inserts `body`, where {visitor.name},
 * {operator.name} and {operator.firstName} are filled in (and the text stays editable).
 */
export const SavedReplyBody = v.object({
  shortcut: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(/^[\p{L}\p{N}_-]{1,32}$/u, "shortcut is 1–32 letters, digits, - or _")),
  body: v.pipe(v.string(), v.trim(), v.minLength(1, "body must not be empty"), v.maxLength(MAX_MESSAGE_CHARS)),
  /** Personal replies are visible to their author only; shared ones need an owner or admin. */
  personal: v.optional(v.boolean(), false),
});
export type SavedReplyBody = v.InferOutput<typeof SavedReplyBody>;

export interface SavedReply {
  id: string;
  shortcut: string;
  body: string;
  personal: boolean;
  updatedAt: number;
}

export interface SavedRepliesResponse {
  replies: SavedReply[];
}
