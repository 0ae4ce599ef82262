/**
 * Operator REST for one site's conversations: the list (from D1), one conversation with its
 * latest messages, older pages, status, details, take and transfer (through its Durable Object
 * or the site hub, after its D1 row proved it is this site's). Mounted under
 * `/api/sites/:siteId/conversations` behind `operatorSession()` + `siteMember()`.
 */
import { Hono } from "hono";
import * as v from "valibot";
import {
  type ConversationDetailResponse,
  ConversationListQuery,
  type ConversationListResponse,
  type ConversationSummary,
  ConversationUpdateBody,
  HISTORY_PAGE_SIZE,
  HistoryQuery,
  type HistoryResponse,
  StatusBody,
  TransferBody,
} from "../../protocol";
import type { AppEnv } from "../app-env";
import { getConversation, listConversations } from "../db/conversations";
import { siteRoster } from "../db/operators";
import { ApiError } from "../lib/api-error";
import { ConversationId } from "../lib/ids";
import { validate } from "../middleware/validate";
import { sendTranscript } from "../services/offline";

const conversation = validate("param", v.object({ conversationId: ConversationId }), { notFound: "No such conversation on this site." });

export const conversationRoutes = new Hono<AppEnv>()
  .get("/", validate("query", ConversationListQuery), async (c) => {
    const q = c.req.valid("query");
    const conversations = await listConversations(c.env.DB, c.var.site.id, q);
    const last = conversations[conversations.length - 1];
    const nextBefore = conversations.length === q.limit && last ? `${last.updatedAt}~${last.id}` : null;
    return c.json({ conversations, nextBefore } satisfies ConversationListResponse);
  })
  .get("/:conversationId", conversation, async (c) => {
    const { row, room } = await findConversation(c.env, c.var.site.id, c.req.valid("param").conversationId);
    const [summary, page] = await Promise.all([room.summary(row.siteId), room.history(row.siteId, null, HISTORY_PAGE_SIZE)]);
    if (!summary || !page) throw notFound();
    return c.json({ conversation: fresher(row, summary), ...page } satisfies ConversationDetailResponse);
  })
  .get("/:conversationId/messages", conversation, validate("query", HistoryQuery), async (c) => {
    const q = c.req.valid("query");
    const { row, room } = await findConversation(c.env, c.var.site.id, c.req.valid("param").conversationId);
    const page = await room.history(row.siteId, q.before ?? null, q.limit);
    if (!page) throw notFound();
    return c.json(page satisfies HistoryResponse);
  })
  .post("/:conversationId/transcript", conversation, async (c) => {
    return c.json(await sendTranscript(c.env, c.var.site.id, c.req.valid("param").conversationId), 202);
  })
  .post("/:conversationId/status", conversation, validate("json", StatusBody), async (c) => {
    const body = c.req.valid("json");
    const { row, room } = await findConversation(c.env, c.var.site.id, c.req.valid("param").conversationId);
    const { operator } = c.var.session;
    const summary = await room.setStatus(row.siteId, body.status, operator.name, body.snoozeUntil ?? null, operator.id);
    if (!summary) throw notFound();
    return c.json({ conversation: fresher(row, summary) });
  })
  .patch("/:conversationId", conversation, validate("json", ConversationUpdateBody), async (c) => {
    const { row, room } = await findConversation(c.env, c.var.site.id, c.req.valid("param").conversationId);
    const summary = await room.updateDetails(row.siteId, c.req.valid("json"));
    if (!summary) throw notFound();
    return c.json({ conversation: fresher(row, summary) });
  })
  .post("/:conversationId/take", conversation, async (c) => {
    const { row } = await findConversation(c.env, c.var.site.id, c.req.valid("param").conversationId);
    const summary = await c.env.SITE_HUB.getByName(row.siteId).take(row.id, c.var.session.operator.id);
    if (!summary) throw notFound();
    return c.json({ conversation: fresher(row, summary) });
  })
  .post("/:conversationId/transfer", conversation, validate("json", TransferBody), async (c) => {
    const body = c.req.valid("json");
    const { row } = await findConversation(c.env, c.var.site.id, c.req.valid("param").conversationId);
    const { operator } = c.var.session;
    const target = "operatorId" in body ? { operatorId: body.operatorId } : { skill: body.skill };
    if ("skill" in body) {
      const skill = body.skill;
      if (!(await siteRoster(c.env.DB, row.siteId)).some((r) => r.skills.includes(skill))) {
        throw new ApiError("validation_failed", `Nobody on the team has the skill "${skill}".`);
      }
    }
    const summary = await c.env.SITE_HUB.getByName(row.siteId).transfer(
      row.id,
      { operatorId: operator.id, name: operator.name },
      target,
      body.note ?? null,
    );
    if (!summary) throw new ApiError("not_found", "No such conversation or operator on this site.");
    return c.json({ conversation: fresher(row, summary) });
  });

/** The D1 row proves the conversation is this site's before its Durable Object is touched. */
async function findConversation(env: AppEnv["Bindings"], siteId: string, id: string) {
  const row = await getConversation(env.DB, siteId, id);
  if (!row) throw notFound();
  return { row, room: env.CONVERSATION.getByName(id) };
}

/** The room's live summary, with the profile fields only D1 knows. */
function fresher(row: ConversationSummary, live: ConversationSummary): ConversationSummary {
  return { ...live, visitorName: row.visitorName };
}

const notFound = () => new ApiError("not_found", "No such conversation on this site.");
