// When nobody is there (issue 11), end to end in workerd with the real migrations, rooms, hub and
// sockets: the widget's availability, the chat's email capture, the room's follow-up, no-answer
// and operator-alert timers, transcripts, limits and unsubscribing. Mail goes to the D1 sent-mail
// log (ENVIRONMENT "development"); one test swaps in production and a fake binding.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ChatMessage, EmailCaptureResponse, SentMailResponse, SiteSettings, VisitorSessionResponse } from "../../protocol";
import type { ConversationRoom } from "../../worker/do/conversation-room";
import type { DurableTimers } from "../../worker/do/durable-timers";
import { api, login, mustOpen, seedSite, startConversation, type TestSocket, visitorSession, visitorSocketPath } from "./helpers";
import { flushDirectories, track, visitorOf, visitPages } from "./tracking-helpers";

const SITE = "site_mail";
const KEY = "pk_mail";
let owner: string;

beforeAll(async () => {
  await seedSite({ id: SITE, key: KEY, name: "Demo & <Co>" }, [
    { id: "op_mail_anna", email: "anna@mail.test", name: "Anna", role: "owner" },
    { id: "op_mail_piotr", email: "piotr@mail.test", name: "Piotr", role: "agent" },
  ]);
  owner = await login("anna@mail.test");
});

async function setSettings(siteId: string, patch: Partial<SiteSettings>): Promise<void> {
  await env.DB.prepare("UPDATE sites SET settings = json_patch(settings, ?) WHERE id = ?").bind(JSON.stringify(patch), siteId).run();
}

interface Chat {
  session: VisitorSessionResponse;
  token: string;
  conversationId: string;
  room: DurableObjectStub<ConversationRoom>;
}

async function newChat(key = KEY): Promise<Chat> {
  const session = await visitorSession(key);
  const conversationId = await startConversation(session.token);
  return { session, token: session.token, conversationId, room: env.CONVERSATION.getByName(conversationId) };
}

function leaveEmail(token: string | null, body: unknown): Promise<Response> {
  return api("/api/widget/email", { method: "POST", headers: token ? { authorization: `Bearer ${token}` } : {}, json: body });
}

async function sentMail(conversationId: string, kind?: string) {
  const { results } = await env.DB.prepare(
    "SELECT * FROM sent_mail WHERE conversation_id = ? AND (?2 IS NULL OR kind = ?2) ORDER BY sent_at, id",
  )
    .bind(conversationId, kind ?? null)
    .all<{ kind: string; to_address: string; subject: string; text: string; html: string; reply_to: string | null }>();
  return results;
}

type Timers = { timers: DurableTimers<string> };
const timer = (room: DurableObjectStub<ConversationRoom>, name: string) =>
  runInDurableObject(room, (i: ConversationRoom) => (i as unknown as Timers).timers.get(name));

/**
 * Waits until the room set `name` (settings are read first), makes its time come now (a mail
 * timer runs only once its `due` has passed; the test cannot wait minutes), and fires alarms
 * until it ran.
 */
async function fire(room: DurableObjectStub<ConversationRoom>, name: string): Promise<void> {
  await vi.waitFor(async () => expect(await timer(room, name)).not.toBeNull(), { timeout: 3000, interval: 20 });
  await runInDurableObject(room, (i: ConversationRoom, state) => {
    // Gone already: a timer due now (the transcript on resolve) may have run by itself.
    const row = state.storage.sql.exec("SELECT payload FROM timers WHERE name = ?", name).toArray()[0];
    if (!row) return;
    const payload = JSON.parse(String(row.payload)) as object;
    (i as unknown as Timers).timers.set(name, Date.now(), { ...payload, due: Date.now() });
  });
  for (let i = 0; i < 20 && (await timer(room, name)) !== null; i++) await runDurableObjectAlarm(room);
  expect(await timer(room, name)).toBeNull();
}

/** Visitor sockets the room itself counts as open (a client close reaches it a moment later). */
async function visitorGone(room: DurableObjectStub<ConversationRoom>): Promise<void> {
  await vi.waitFor(
    async () =>
      expect(
        await runInDurableObject(
          room,
          (i: ConversationRoom) =>
            (i as unknown as { ctx: DurableObjectState }).ctx.getWebSockets("visitor").filter((w) => w.readyState === 1).length,
        ),
      ).toBe(0),
    { timeout: 3000, interval: 20 },
  );
}

async function history(c: Chat): Promise<ChatMessage[]> {
  return (await c.room.history(SITE, null, 500))!.messages;
}

const operatorSocket = (c: Chat) => mustOpen(`/ws/sites/${SITE}/conversations/${c.conversationId}`, { cookie: owner });

async function say(s: TestSocket, clientId: string, text: string, kind: "text" | "note" = "text"): Promise<void> {
  s.send({ type: "message.send", clientId, text, kind });
  await s.until("ack", (a) => a.clientId === clientId);
}

describe("availability in the session", () => {
  const today = () => new Date().toISOString().slice(0, 10);
  const allDay = { start: "00:00", end: "24:00" };
  const week = (ranges: { start: string; end: string }[]) => ({
    mon: ranges,
    tue: ranges,
    wed: ranges,
    thu: ranges,
    fri: ranges,
    sat: ranges,
    sun: ranges,
  });

  it("closed (default hours: online only when an operator is) asks for an email at once", async () => {
    await seedSite({ id: "site_av1", key: "pk_av1" }, []);
    const s = await visitorSession("pk_av1");
    expect(s.availability).toEqual({ state: "closed", reopensAt: null, operators: [], typicalReply: null, askEmailAfterSeconds: 0 });
    expect(s.email).toBeNull();
  });

  it("closed on an exception date says when it opens again, in the shop's zone", async () => {
    await seedSite({ id: "site_av2", key: "pk_av2" }, []);
    await setSettings("site_av2", {
      businessHours: { timeZone: "UTC", mode: "hours", weekly: week([allDay]), exceptions: [{ date: today(), ranges: [], label: "" }] },
    });
    const s = await visitorSession("pk_av2");
    const tomorrow = Date.parse(`${today()}T00:00:00Z`) + 86_400_000;
    expect(s.availability).toMatchObject({ state: "closed", reopensAt: tomorrow, askEmailAfterSeconds: 0 });
  });

  it("inside hours with nobody online is away; an operator online makes it online with faces, reply time and a delayed prompt", async () => {
    await seedSite({ id: "site_av3", key: "pk_av3" }, [{ id: "op_av3", email: "ewa@av3.test", name: "Ewa", role: "owner" }]);
    await setSettings("site_av3", {
      businessHours: { timeZone: "Europe/Helsinki", mode: "hours", weekly: week([allDay]), exceptions: [] },
      askEmailAfterSeconds: 45,
    });
    const now = Date.now();
    // Five first answers of the last 7 days, 2 minutes each (and an old one that must not count).
    await env.DB.batch(
      [1, 2, 3, 4, 5, 6].map((i) =>
        env.DB.prepare(
          "INSERT INTO conversation_events (site_id, conversation_id, seq, type, at, actor_role, data) VALUES ('site_av3', ?, 1, 'operator_first_answer', ?, 'operator', ?)",
        ).bind(
          `c_av3_${i}`,
          i === 6 ? now - 8 * 86_400_000 : now - i * 3_600_000,
          JSON.stringify({ msSinceVisitorFirstMessage: i === 6 ? 1 : 110_000 }),
        ),
      ),
    );
    expect((await visitorSession("pk_av3")).availability).toMatchObject({ state: "away", operators: [], askEmailAfterSeconds: 0 });
    const inbox = await mustOpen("/ws/sites/site_av3/inbox", { cookie: await login("ewa@av3.test") });
    await vi.waitFor(async () => expect((await visitorSession("pk_av3")).availability.state).toBe("online"));
    const s = await visitorSession("pk_av3");
    expect(s.availability).toEqual({
      state: "online",
      operators: [{ name: "Ewa", avatarUrl: "/avatars/op_av3.svg" }],
      typicalReply: { unit: "minutes", value: 2 },
      askEmailAfterSeconds: 45,
    });
    // With an email on the profile the chat never asks.
    expect((await leaveEmail(s.token, { email: "v@example.com" })).status).toBe(200);
    const again = await visitorSession("pk_av3", s.token);
    expect(again.availability.askEmailAfterSeconds).toBeNull();
    expect(again.email).toBe("v@example.com");
    inbox.close();
  });
});

describe("email capture", () => {
  it("refuses a missing token and bad addresses with coded errors", async () => {
    const c = await newChat();
    expect((await leaveEmail(null, { email: "a@b.com" })).status).toBe(401);
    for (const bad of [{}, { email: "" }, { email: "no-at-sign" }, { email: "Jan <jan@x.pl>" }, { email: "a@localhost" }, { email: 5 }]) {
      const r = await leaveEmail(c.token, bad);
      expect(r.status).toBe(422);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("validation_failed");
    }
    const r = await api("/api/widget/email", { method: "POST", headers: { authorization: `Bearer ${c.token}` }, body: "{nope" });
    expect(r.status).toBe(400);
  });

  it("stores it on the profile (unverified, editable), tells operators in the history and the profile", async () => {
    const c = await newChat();
    const o = await operatorSocket(c);
    const r = await leaveEmail(c.token, { email: "  Jan.Kowalski@Example.COM " });
    expect(r.status).toBe(200);
    expect((await r.json()) satisfies EmailCaptureResponse).toEqual({ email: "jan.kowalski@example.com", verified: false });
    const notice = await o.until("message", (f) => f.message.event?.type === "email_captured");
    expect(notice.message).toMatchObject({ kind: "note", event: { type: "email_captured", email: "jan.kowalski@example.com" } });
    // Edited: the new one counts.
    expect(await (await leaveEmail(c.token, { email: "jan@żółw.pl" })).json()).toEqual({ email: "jan@xn--w-uga1v8h.pl", verified: false });
    const profile = await api(`/api/sites/${SITE}/visitors/${c.session.visitorId}`, { cookie: owner });
    expect(((await profile.json()) as { profile: { email: string } }).profile.email).toBe("jan@xn--w-uga1v8h.pl");
    // Visitors never see the note.
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    const hello = await v.next("hello");
    expect(hello.messages.some((m) => m.event?.type === "email_captured")).toBe(false);
    o.close();
    v.close();
  });

  it("is limited per visitor: 429 rate_limited past 10 a minute, other visitors unaffected", async () => {
    const c = await newChat();
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await leaveEmail(c.token, { email: `typo${i}@example.com` })).status);
    expect(codes.slice(0, 10).every((x) => x === 200)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
    const other = await newChat();
    expect((await leaveEmail(other.token, { email: "fine@example.com" })).status).toBe(200);
  });

  it("never overwrites an email a verified identify gave", async () => {
    const c = await newChat();
    await env.DB.prepare(
      "UPDATE visitors SET verified = 1, external_id = 'cust-9', email = 'real@shop-customer.com' WHERE site_id = ? AND id = ?",
    )
      .bind(SITE, c.session.visitorId)
      .run();
    const r = await leaveEmail(c.token, { email: "other@example.com" });
    expect(await r.json()).toEqual({ email: "real@shop-customer.com", verified: true });
    const row = await env.DB.prepare("SELECT email FROM visitors WHERE site_id = ? AND id = ?")
      .bind(SITE, c.session.visitorId)
      .first("email");
    expect(row).toBe("real@shop-customer.com");
  });
});

describe("email capture for a visitor whose pages live in a shard", () => {
  it("keeps the email through the directory's write-behind and writes the follow-up in the chat's language", async () => {
    // The shop page tracked the visitor first (their trail is in a shard; no language sent), then
    // the chat adopted them; the chat is Polish.
    const t = await visitPages(KEY, ["/lamp"]);
    const session = await visitorSession(KEY, undefined, t);
    expect(session.visitorId).toBe(visitorOf(t));
    const conversationId = await startConversation(session.token);
    const c: Chat = { session, token: session.token, conversationId, room: env.CONVERSATION.getByName(conversationId) };
    expect((await leaveEmail(c.token, { email: "lena@example.com", language: "pl" })).status).toBe(200);
    // More pages: the shard marks the profile dirty and writes it behind to D1.
    await track({ k: KEY, t, e: "view", u: "https://shop.example/lamp/red", ti: "Red" });
    await flushDirectories();
    const row = await env.DB.prepare("SELECT email, language FROM visitors WHERE site_id = ? AND id = ?")
      .bind(SITE, session.visitorId)
      .first<{ email: string | null; language: string | null }>();
    expect(row).toEqual({ email: "lena@example.com", language: "pl" });
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "lv1", "Czy ta lampa jest dostępna?");
    v.close();
    await visitorGone(c.room);
    const o = await operatorSocket(c);
    await say(o, "lr1", "Tak, mamy dwie.");
    await fire(c.room, "followUp");
    const [mail] = await sentMail(c.conversationId, "follow_up");
    expect(mail?.to_address).toBe("lena@example.com");
    expect(mail?.subject).toBe("Nowa odpowiedź ze sklepu Demo & <Co>");
    o.close();
  });

  it("refuses a language that is not a 2-letter code", async () => {
    const c = await newChat();
    const r = await leaveEmail(c.token, { email: "x@example.com", language: "polish" });
    expect(r.status).toBe(422);
  });
});

describe("follow-up email", () => {
  async function visitorWritesAndLeaves(c: Chat, text = "Is the blue one in stock?"): Promise<void> {
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, `v-${crypto.randomUUID()}`, text);
    v.close();
    await visitorGone(c.room);
  }

  it("the visitor left and operators replied twice: exactly one email with both replies, threaded to the conversation", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "follow@example.com" });
    await visitorWritesAndLeaves(c);
    const o = await operatorSocket(c);
    await say(o, "r1", "Yes, we have 3 left.");
    await say(o, "n1", "internal: check the warehouse", "note");
    await say(o, "r2", "Shall I reserve one for you?");
    await fire(c.room, "followUp");
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(c.room);
    const mails = await sentMail(c.conversationId, "follow_up");
    expect(mails).toHaveLength(1);
    const m = mails[0]!;
    expect(m.to_address).toBe("follow@example.com");
    expect(m.text).toContain("Yes, we have 3 left.");
    expect(m.text).toContain("Shall I reserve one for you?");
    expect(m.text).not.toContain("warehouse");
    expect(m.text).toContain("/api/email/unsubscribe?t=");
    expect(m.reply_to).toMatch(/^c-[a-z2-7]+\.[a-z2-7]{4}\.[a-z2-7]{16}@reply\.gadka\.example$/);
    // The shop's name is escaped in the HTML, plain in the text.
    expect(m.html).toContain("Demo &#38; &#60;Co&#62;");
    expect(m.html).not.toContain("<Co>");
    const notes = (await history(c)).filter((x) => x.event?.type === "email_sent");
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ kind: "note", event: { kind: "follow_up", to: "follow@example.com" } });
    // A later reply makes a second email with only the new reply.
    await say(o, "r3", "Reserved until Friday.");
    await fire(c.room, "followUp");
    const after = await sentMail(c.conversationId, "follow_up");
    expect(after).toHaveLength(2);
    expect(after[1]!.text).toContain("Reserved until Friday.");
    expect(after[1]!.text).not.toContain("3 left");
    o.close();
  });

  it("replies due while the visitor had no email go out once they leave one", async () => {
    const c = await newChat();
    await visitorWritesAndLeaves(c);
    const o = await operatorSocket(c);
    await say(o, "r1", "We can deliver on Saturday.");
    await fire(c.room, "followUp");
    expect(await sentMail(c.conversationId, "follow_up")).toHaveLength(0);
    expect(await timer(c.room, "followUp")).toBeNull();
    // The email arrives later, with no chat open: the reply that had nowhere to go goes now.
    expect((await leaveEmail(c.token, { email: "late@example.com" })).status).toBe(200);
    await fire(c.room, "followUp");
    const mails = await sentMail(c.conversationId, "follow_up");
    expect(mails.map((m) => m.to_address)).toEqual(["late@example.com"]);
    expect(mails[0]!.text).toContain("We can deliver on Saturday.");
    o.close();
  });

  it("the visitor comes back before the delay: no email", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "back@example.com" });
    await visitorWritesAndLeaves(c);
    const o = await operatorSocket(c);
    await say(o, "r1", "Here is the answer.");
    await vi.waitFor(async () => expect(await timer(c.room, "followUp")).not.toBeNull());
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await v.next("hello");
    expect(await timer(c.room, "followUp")).toBeNull();
    for (let i = 0; i < 5; i++) await runDurableObjectAlarm(c.room);
    expect(await sentMail(c.conversationId)).toHaveLength(0);
    v.close();
    o.close();
  });

  it("the timer survives the room's eviction and still sends exactly one email", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "evicted@example.com" });
    await visitorWritesAndLeaves(c);
    const o = await operatorSocket(c);
    await say(o, "r1", "Answer before a restart");
    await vi.waitFor(async () => expect(await timer(c.room, "followUp")).not.toBeNull());
    o.close();
    await evictDurableObject(c.room);
    await fire(c.room, "followUp");
    for (let i = 0; i < 3; i++) await runDurableObjectAlarm(c.room);
    const mails = await sentMail(c.conversationId, "follow_up");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain("Answer before a restart");
  });

  it("a reply while the visitor is on the chat sends nothing", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "here@example.com" });
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Hello");
    const o = await operatorSocket(c);
    await say(o, "r1", "Hi there");
    await v.until("message", (f) => f.message.text === "Hi there");
    await new Promise((r) => setTimeout(r, 100));
    expect(await timer(c.room, "followUp")).toBeNull();
    v.close();
    o.close();
  });

  it("in production it goes through the binding in its structured form, threaded with In-Reply-To and References", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "prod@example.com" });
    const sent: EmailMessageBuilder[] = [];
    await runInDurableObject(c.room, (i: ConversationRoom) => {
      const o = i as unknown as { env: Cloudflare.Env };
      let n = 0;
      o.env = {
        ...o.env,
        ENVIRONMENT: "production",
        EMAIL: {
          send: async (m: EmailMessageBuilder) => {
            sent.push(m);
            return { messageId: `<sent-${++n}@gadka.example>` };
          },
        } as unknown as SendEmail,
      } as unknown as Cloudflare.Env;
    });
    await visitorWritesAndLeaves(c);
    const o = await operatorSocket(c);
    await say(o, "r1", "First answer");
    await fire(c.room, "followUp");
    await say(o, "r2", "Second answer");
    await fire(c.room, "followUp");
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatchObject({ to: "prod@example.com", from: { email: "chat@gadka.example" } });
    expect(sent[0]!.headers?.["In-Reply-To"]).toBeUndefined();
    expect(sent[1]!.headers).toMatchObject({ "In-Reply-To": "<sent-1@gadka.example>", References: "<sent-1@gadka.example>" });
    // Production keeps the thread ids, not the texts.
    const rows = await sentMail(c.conversationId);
    expect(rows.map((r) => r.text)).toEqual(["", ""]);
    o.close();
  });
});

describe("no answer and operator alerts", () => {
  let nadia: string;
  let inbox: TestSocket;
  beforeAll(async () => {
    await seedSite({ id: "site_na", key: "pk_na" }, [{ id: "op_na", email: "na@na.test", name: "Nadia", role: "owner" }]);
    nadia = await login("na@na.test");
    expect((await api("/api/me", { method: "PATCH", cookie: nadia, json: { alertEmails: true } })).status).toBe(200);
  });
  const naOperator = (c: Chat) => mustOpen(`/ws/sites/site_na/conversations/${c.conversationId}`, { cookie: nadia });

  it("nobody online or nobody opted in: neither timer is set (the widget already says away or closed)", async () => {
    const c = await newChat();
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Anyone there?");
    await new Promise((r) => setTimeout(r, 300));
    expect(await timer(c.room, "noAnswer")).toBeNull();
    expect(await timer(c.room, "operatorAlert")).toBeNull();
    v.close();
  });

  it("nobody answers within noAnswerMinutes during hours: one no_answer notice everyone sees; the conversation stays open", async () => {
    inbox = await mustOpen("/ws/sites/site_na/inbox", { cookie: nadia });
    await vi.waitFor(async () => expect((await visitorSession("pk_na")).availability.state).toBe("online"));
    const c = await newChat("pk_na");
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Anyone there?");
    await fire(c.room, "noAnswer");
    const notice = await v.until("message", (f) => f.message.event?.type === "no_answer");
    expect(notice.message).toMatchObject({ kind: "event", event: { type: "no_answer", afterMinutes: 3 } });
    // Still unanswered: a second message of the same wait makes no second notice.
    await say(v, "v2", "Hello?");
    await vi.waitFor(async () => expect(await timer(c.room, "noAnswer")).not.toBeNull());
    await fire(c.room, "noAnswer");
    expect((await c.room.history("site_na", null, 100))!.messages.filter((m) => m.event?.type === "no_answer")).toHaveLength(1);
    expect((await c.room.summary("site_na"))!.status).toBe("open");
    v.close();
  });

  it("an answer in time cancels both timers", async () => {
    const c = await newChat("pk_na");
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Question");
    await vi.waitFor(async () => expect(await timer(c.room, "operatorAlert")).not.toBeNull());
    await vi.waitFor(async () => expect(await timer(c.room, "noAnswer")).not.toBeNull());
    const o = await naOperator(c);
    await say(o, "r1", "Answer");
    expect(await timer(c.room, "noAnswer")).toBeNull();
    expect(await timer(c.room, "operatorAlert")).toBeNull();
    v.close();
    o.close();
  });

  it("put aside (pending) ends the wait: no notice, no alert", async () => {
    const c = await newChat("pk_na");
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Question");
    await vi.waitFor(async () => expect(await timer(c.room, "operatorAlert")).not.toBeNull());
    await vi.waitFor(async () => expect(await timer(c.room, "noAnswer")).not.toBeNull());
    const status = await api(`/api/sites/site_na/conversations/${c.conversationId}/status`, {
      method: "POST",
      cookie: nadia,
      json: { status: "pending" },
    });
    expect(status.status).toBe(200);
    expect(await timer(c.room, "noAnswer")).toBeNull();
    expect(await timer(c.room, "operatorAlert")).toBeNull();
    v.close();
    inbox.close();
  });

  it("unanswered: the team members who opted in and are not online get one alert each", async () => {
    await seedSite({ id: "site_al", key: "pk_al" }, [
      { id: "op_al1", email: "al1@al.test", name: "Ala", role: "owner" },
      { id: "op_al2", email: "al2@al.test", name: "Bo", role: "agent" },
      { id: "op_al3", email: "al3@al.test", name: "Cy", role: "agent" },
    ]);
    const me = (cookie: string, alertEmails: boolean) => api("/api/me", { method: "PATCH", cookie, json: { alertEmails } });
    const [c1, c2] = [await login("al1@al.test"), await login("al2@al.test")];
    const r = await me(c1, true);
    expect(((await r.json()) as { operator: { alertEmails: boolean } }).operator.alertEmails).toBe(true);
    await me(c2, true);
    // Nobody online, unassigned: everyone who opted in (Cy did not).
    const c = await newChat("pk_al");
    // A hostile name (the shop page's identify can set anything) stays out of the headers' structure.
    await env.DB.prepare("UPDATE visitors SET name = ? WHERE site_id = 'site_al' AND id = ?")
      .bind("Jan\r\nBcc: victim@evil.example\r\n", c.session.visitorId)
      .run();
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Where is my <b>order</b>?");
    v.close();
    await fire(c.room, "operatorAlert");
    const alerts = await sentMail(c.conversationId, "operator_alert");
    expect(alerts.map((a) => a.to_address).sort()).toEqual(["al1@al.test", "al2@al.test"]);
    expect(alerts[0]!.reply_to).toBeNull();
    expect(alerts[0]!.html).toContain("&#60;b&#62;order&#60;/b&#62;");
    expect(alerts[0]!.text).toContain("/admin/#/inbox/");
    expect(alerts[0]!.subject).toContain("Jan Bcc: victim@evil.example");
    expect(alerts[0]!.subject).not.toMatch(/[\r\n]/);
    expect((await c.room.history("site_al", null, 100))!.messages.filter((m) => m.event?.type === "email_sent")).toHaveLength(2);

    // Bo is online and routing gives Bo the next conversation: Bo is its only recipient, and online.
    const inbox = await mustOpen("/ws/sites/site_al/inbox", { cookie: c2 });
    const d = await newChat("pk_al");
    const w = await mustOpen(visitorSocketPath(d.conversationId, d.token));
    await say(w, "v1", "Hello?");
    await vi.waitFor(async () => expect((await d.room.summary("site_al"))!.assigneeId).toBe("op_al2"));
    await fire(d.room, "operatorAlert");
    expect(await sentMail(d.conversationId, "operator_alert")).toHaveLength(0);
    w.close();
    inbox.close();
  });
});

describe("transcripts", () => {
  it("409 without an email; 202 with one: visible messages only, escaped, in the visitor's language", async () => {
    const c = await newChat();
    const transcript = () => api("/api/widget/transcript", { method: "POST", headers: { authorization: `Bearer ${c.token}` } });
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "<script>alert(1)</script> & more");
    const o = await operatorSocket(c);
    await say(o, "n1", "secret note about the customer", "note");
    await say(o, "r1", "Answer with a link https://shop.example/x?a=1&b=2");
    const none = await transcript();
    expect(none.status).toBe(409);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("conflict");
    await env.DB.prepare("UPDATE visitors SET language = 'pl' WHERE site_id = ? AND id = ?").bind(SITE, c.session.visitorId).run();
    await leaveEmail(c.token, { email: "tr@example.com" });
    const r = await transcript();
    expect(r.status).toBe(202);
    expect(await r.json()).toEqual({ status: "sent", to: "tr@example.com" });
    const [m] = await sentMail(c.conversationId, "transcript");
    expect(m!.subject).toBe("Twoja rozmowa ze sklepem Demo & <Co>");
    expect(m!.text).toContain("<script>alert(1)</script> & more");
    expect(m!.text).toContain("Answer with a link");
    expect(m!.text).not.toContain("secret note");
    expect(m!.html).not.toContain("secret note");
    expect(m!.html).not.toContain("<script>");
    expect(m!.html).toContain("&#60;script&#62;alert(1)&#60;/script&#62; &#38; more");
    v.close();
    o.close();
  });

  it("carries the shop's logo from its branding, escaped; none without one", async () => {
    const plain = await newChat();
    await leaveEmail(plain.token, { email: "logo0@example.com" });
    expect((await api("/api/widget/transcript", { method: "POST", headers: { authorization: `Bearer ${plain.token}` } })).status).toBe(202);
    expect((await sentMail(plain.conversationId, "transcript"))[0]!.html).not.toContain("<img");
    await setSettings(SITE, { branding: { logoUrl: 'https://cdn.example/logo.png?a=1&b="2"' } as SiteSettings["branding"] });
    try {
      const c = await newChat();
      await leaveEmail(c.token, { email: "logo@example.com" });
      expect((await api("/api/widget/transcript", { method: "POST", headers: { authorization: `Bearer ${c.token}` } })).status).toBe(202);
      const [m] = await sentMail(c.conversationId, "transcript");
      expect(m!.html).toContain('<img src="https://cdn.example/logo.png?a=1&#38;b=%222%22"');
    } finally {
      await env.DB.prepare("UPDATE sites SET settings = json_remove(settings, '$.branding') WHERE id = ?").bind(SITE).run();
    }
  });

  it("an operator sends one (members only); resolve sends one when the shop enables it", async () => {
    await seedSite({ id: "site_tr", key: "pk_tr" }, [{ id: "op_tr", email: "tr@tr.test", name: "Tru", role: "owner" }]);
    const cookie = await login("tr@tr.test");
    const c = await newChat("pk_tr");
    await leaveEmail(c.token, { email: "visitor@tr.example" });
    const path = `/api/sites/site_tr/conversations/${c.conversationId}/transcript`;
    // Not a member of that site: it does not exist for them.
    expect((await api(path, { method: "POST", cookie: owner })).status).toBe(404);
    expect((await api(`/api/sites/site_tr/conversations/c_nonexistent00000000/transcript`, { method: "POST", cookie })).status).toBe(404);
    const r = await api(path, { method: "POST", cookie });
    expect(r.status).toBe(202);
    await setSettings("site_tr", { transcriptOnResolve: true });
    expect(
      (await api(`/api/sites/site_tr/conversations/${c.conversationId}/status`, { method: "POST", cookie, json: { status: "resolved" } }))
        .status,
    ).toBe(200);
    // Due at once: the room's own alarm sends it.
    await vi.waitFor(async () => expect(await sentMail(c.conversationId, "transcript")).toHaveLength(2), { timeout: 5000 });
    expect(await timer(c.room, "transcript")).toBeNull();
  });

  it("429 past the conversation's daily limit, and nothing sent", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "limit@example.com" });
    const day = Math.floor(Date.now() / 86_400_000);
    await env.DB.prepare("INSERT INTO mail_counters (scope, day, count) VALUES (?, ?, 10)").bind(`c:${c.conversationId}`, day).run();
    const r = await api("/api/widget/transcript", { method: "POST", headers: { authorization: `Bearer ${c.token}` } });
    expect(r.status).toBe(429);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
    expect(await sentMail(c.conversationId)).toHaveLength(0);
  });

  it("429 past the shop's daily limit, counted for no conversation", async () => {
    await seedSite({ id: "site_lim", key: "pk_lim" }, []);
    const c = await newChat("pk_lim");
    await leaveEmail(c.token, { email: "limit@example.com" });
    const day = Math.floor(Date.now() / 86_400_000);
    await env.DB.prepare("INSERT INTO mail_counters (scope, day, count) VALUES ('s:site_lim', ?, 1000)").bind(day).run();
    const r = await api("/api/widget/transcript", { method: "POST", headers: { authorization: `Bearer ${c.token}` } });
    expect(r.status).toBe(429);
    const conv = await env.DB.prepare("SELECT count FROM mail_counters WHERE scope = ?").bind(`c:${c.conversationId}`).first("count");
    expect(conv).toBeNull();
  });
});

describe("unsubscribe and the sent-mail list", () => {
  it("the link's page asks, its POST unsubscribes; that address gets nothing more", async () => {
    const c = await newChat();
    await leaveEmail(c.token, { email: "unsub@example.com" });
    const send = () => api("/api/widget/transcript", { method: "POST", headers: { authorization: `Bearer ${c.token}` } });
    expect((await send()).status).toBe(202);
    const [m] = await sentMail(c.conversationId);
    const link = new URL(/https?:\/\/\S+\/api\/email\/unsubscribe\?t=\S+/.exec(m!.text)![0]);
    const path = `${link.pathname}${link.search}`;
    const page = await api(path, { headers: { "accept-language": "fi-FI,fi;q=0.9" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Peru tilaus");
    // A visit alone changes nothing.
    expect((await send()).status).toBe(202);
    const done = await api(path, { method: "POST", body: "List-Unsubscribe=One-Click" });
    expect(done.status).toBe(200);
    const after = await send();
    expect(after.status).toBe(409);
    expect(await sentMail(c.conversationId)).toHaveLength(2);
    // A forged or tampered token does nothing.
    expect((await api(`${link.pathname}?t=${link.searchParams.get("t")!.slice(0, -2)}xx`, { method: "POST" })).status).toBe(404);
  });

  it("an operator unsubscribing from an alert unticks their alert choice; ticking it again sends alerts again", async () => {
    await seedSite({ id: "site_alu", key: "pk_alu" }, [{ id: "op_alu", email: "Alu@alu.test", name: "Alu", role: "owner" }]);
    const cookie = await login("alu@alu.test");
    const choice = async (alertEmails?: boolean) => {
      const r = await api("/api/me", alertEmails === undefined ? { cookie } : { method: "PATCH", cookie, json: { alertEmails } });
      return ((await r.json()) as { operator: { alertEmails: boolean } }).operator.alertEmails;
    };
    expect(await choice(true)).toBe(true);
    const c = await newChat("pk_alu");
    const v = await mustOpen(visitorSocketPath(c.conversationId, c.token));
    await say(v, "v1", "Anyone?");
    v.close();
    await fire(c.room, "operatorAlert");
    const [alert] = await sentMail(c.conversationId, "operator_alert");
    const link = new URL(/https?:\/\/\S+\/api\/email\/unsubscribe\?t=\S+/.exec(alert!.text)![0]);
    expect((await api(`${link.pathname}${link.search}`, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(200);
    expect(await choice()).toBe(false);
    // Ticked again from the profile: the earlier unsubscribe no longer silences the next alert.
    expect(await choice(true)).toBe(true);
    const d = await newChat("pk_alu");
    const w = await mustOpen(visitorSocketPath(d.conversationId, d.token));
    await say(w, "v1", "Still there?");
    w.close();
    await fire(d.room, "operatorAlert");
    expect((await sentMail(d.conversationId, "operator_alert")).map((m) => m.to_address.toLowerCase())).toEqual(["alu@alu.test"]);
  });

  it("members page through what was sent, newest first; others are refused", async () => {
    const r = await api(`/api/sites/${SITE}/sent-mail`, { cookie: owner });
    expect(r.status).toBe(200);
    const body = (await r.json()) as SentMailResponse;
    expect(body.mails.length).toBeGreaterThan(0);
    expect(body.mails.every((m, i) => i === 0 || m.sentAt <= body.mails[i - 1]!.sentAt)).toBe(true);
    expect(body.mails[0]).toHaveProperty("html");
    expect((await api(`/api/sites/${SITE}/sent-mail?cursor=bad`, { cookie: owner })).status).toBe(422);
    expect((await api("/api/sites/site_al/sent-mail", { cookie: owner })).status).toBe(404);
    expect((await api(`/api/sites/${SITE}/sent-mail`)).status).toBe(401);
  });
});
