/**
 * Operators' REST over a site's conversations: the list, one conversation, older messages,
 * status, priority and tags, transfer. Bodies that do what a socket frame does are derived from
 * that frame's schema, so the two never drift.
 */
import * as v from "valibot";
import { Skill } from "./fields";
import { StatusFrame, UpdateFrame } from "./frames";
import { HISTORY_PAGE_SIZE, MAX_LIST_LIMIT } from "./limits";
import { type ChatMessage, CONVERSATION_STATUSES, type ConversationSummary } from "./models";

/** `POST …/conversations/:id/status`: the `status` frame's fields. */
export const StatusBody = v.omit(StatusFrame, ["type"]);
/** `PATCH …/conversations/:id`: the `update` frame's fields (priority and/or tags). */
export const ConversationUpdateBody = v.omit(UpdateFrame, ["type"]);

/** Query of `GET /api/sites/:siteId/conversations`. Numbers arrive as strings. */
export const ConversationListQuery = v.object({
  status: v.optional(v.picklist([...CONVERSATION_STATUSES, "all"]), "all"),
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,3}$/, "limit must be a whole number"),
      v.transform(Number),
      v.minValue(1),
      v.maxValue(MAX_LIST_LIMIT),
    ),
    "50",
  ),
  /**
   * Cursor: `nextBefore` of the previous page (`<updatedAt>~<id>`): conversations after that one
   * in the list's order (last activity, newest first; the id orders those active in the same
   * millisecond, so none is skipped or repeated). A bare timestamp: older than it.
   */
  before: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d{1,15}(?:~[A-Za-z0-9_-]{1,64})?$/, "before must be a cursor this API gave"),
      v.transform((s) => {
        const [at, id] = s.split("~");
        return { at: Number(at), id: id ?? null };
      }),
    ),
  ),
});

export const HistoryQuery = v.object({
  before: v.optional(v.pipe(v.string(), v.regex(/^\d{1,12}$/, "before must be a seq"), v.transform(Number))),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d{1,3}$/), v.transform(Number), v.minValue(1), v.maxValue(200)),
    String(HISTORY_PAGE_SIZE),
  ),
});

const Note = v.optional(v.nullable(v.pipe(v.string(), v.trim(), v.maxLength(1000))));

/** `POST …/conversations/:id/transfer`: to a colleague, or to whoever has a skill. */
export const TransferBody = v.union([
  v.object({ operatorId: v.pipe(v.string(), v.minLength(1), v.maxLength(64)), note: Note }),
  v.object({ skill: Skill, note: Note }),
]);
export type TransferBody = v.InferOutput<typeof TransferBody>;

export interface ConversationListResponse {
  conversations: ConversationSummary[];
  /** Pass as `before` for the next page; null when this is the last one. */
  nextBefore: string | null;
}

export interface ConversationDetailResponse {
  conversation: ConversationSummary;
  messages: ChatMessage[];
  hasMore: boolean;
}

export interface HistoryResponse {
  messages: ChatMessage[];
  hasMore: boolean;
}
