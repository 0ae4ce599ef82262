/**
 * Full-text search over a site's messages and notes.
 */
import * as v from "valibot";
import type { MessageKind } from "./models";

/** `GET /api/sites/:siteId/search?q=`: words to find (prefix match, all of them). */
export const SearchQuery = v.object({
  q: v.pipe(v.string(), v.trim(), v.minLength(1, "q must not be empty"), v.maxLength(200)),
  limit: v.optional(v.pipe(v.string(), v.regex(/^\d{1,2}$/), v.transform(Number), v.minValue(1), v.maxValue(50)), "20"),
});

export interface SearchResponse {
  results: {
    conversationId: string;
    seq: number;
    kind: MessageKind;
    createdAt: number;
    /** The matching passage; matched words are wrapped in U+0002 … U+0003 (render as marks). */
    snippet: string;
  }[];
}
