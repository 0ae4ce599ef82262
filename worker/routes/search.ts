/**
 * Full-text search across a site's conversations (messages and internal notes), for operators.
 * Mounted under `/api/sites/:siteId/search` behind `siteMember()`.
 */
import { Hono } from "hono";
import { SearchQuery, type SearchResponse } from "../../protocol";
import type { AppEnv } from "../app-env";
import { searchMessages, toMatchQuery } from "../db/search";
import { ApiError } from "../lib/api-error";
import { validate } from "../middleware/validate";

export const searchRoutes = new Hono<AppEnv>().get("/", validate("query", SearchQuery), async (c) => {
  const q = c.req.valid("query");
  const match = toMatchQuery(q.q);
  if (!match) throw new ApiError("validation_failed", "q: give at least one word to search for.");
  const results = await searchMessages(c.env.DB, c.var.site.id, match, q.limit);
  return c.json({ results } satisfies SearchResponse);
});
