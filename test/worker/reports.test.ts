// Reports (issue 13) through the real routes on fixed data in D1 (the events a room's outbox
// writes): known percentiles, missed, CSAT, hours-aware first response, agents seeing only their
// own row, another shop's data never counted, heatmap buckets across DST changes, staffing against
// the Erlang C module, daily rollups by the scheduled handler (idempotent), CSV, and a rating made
// in the widget after resolve reaching the report through the real room.
import { createExecutionContext, createScheduledController, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConcernsReport, DomainEvent, DomainEventData, DomainEventType, HoursReport, TeamReport, TeamReportRow } from "../../protocol";
import { eventStatements } from "../../worker/db/conversation-events";
import worker from "../../worker/index";
import { staffing } from "../../worker/reports/erlang-c";
import { ZoneClock } from "../../worker/reports/time-buckets";
import { REPORT_ROLLUP_CRON } from "../../worker/services/report-rollups";
import { api, login, seedSite } from "./helpers";
import { dashboards, eventually, hubState, settle, visitorWrites } from "./routing-helpers";

const S = 1000;
let owner: string;
let agent: string;

/** Events of one conversation, seq from 1; `at` absolute. */
type Spec = { [T in DomainEventType]: [T, number, string | null, DomainEventData[T]] }[DomainEventType];

async function seedConversation(siteId: string, id: string, specs: Spec[], opts: { messages?: number; tags?: string[] } = {}) {
  const events = specs.map(
    ([type, at, actorId, data], i) =>
      ({
        siteId,
        conversationId: id,
        seq: i + 1,
        type,
        at,
        actorRole: actorId === null ? "system" : actorId.startsWith("v_") ? "visitor" : "operator",
        actorId,
        data,
      }) as DomainEvent,
  );
  const first = specs[0]![1];
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO conversations (id, site_id, visitor_id, created_at, updated_at, message_count, tags) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).bind(id, siteId, `v_${id}`, first, first, opts.messages ?? 2, JSON.stringify(opts.tags ?? [])),
    ...eventStatements(env.DB, events),
  ]);
}

const assigned = (operatorId: string, how: DomainEventData["assigned"]["how"] = "routed", fromId: string | null = null) => ({
  operatorId,
  operatorName: operatorId,
  how,
  byName: null,
  fromId,
  fromName: null,
});
const answer = (ms: number) => ({ operatorName: "", seq: 3, msSinceVisitorFirstMessage: ms });
const resolved = { from: "open", to: "resolved", byName: null, snoozedUntil: null } as const;

/** A conversation: written at `t0`, routed to `op`, answered by `answeredBy` after `answerS`, resolved after `resolveS`. */
function chat(
  t0: number,
  op: string,
  answerS: number | null,
  resolveS: number | null,
  extra: Spec[] = [],
  text = "Where is my parcel?",
): Spec[] {
  const v = "v_x";
  const specs: Spec[] = [
    ["created", t0, v, { skill: null, invited: false }],
    ["visitor_first_message", t0, v, { seq: 1, via: "chat", text }],
    ["assigned", t0, null, assigned(op)],
  ];
  if (answerS !== null) specs.push(["operator_first_answer", t0 + answerS * S, op, answer(answerS * S)]);
  specs.push(...extra);
  if (resolveS !== null) specs.push(["status_changed", t0 + resolveS * S, op, resolved]);
  return specs;
}

const WARSAW_HOURS = {
  timeZone: "Europe/Warsaw",
  mode: "hours",
  weekly: Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, ["sat", "sun"].includes(d) ? [] : [{ start: "09:00", end: "17:00" }]]),
  ),
  exceptions: [],
};

const warsaw = new ZoneClock("Europe/Warsaw");
/** A Monday 1–3 weeks ago (local, Warsaw), so the data stays in the last 30 days. */
const monday = warsaw.lastDays(21, Date.now(), { includeToday: false }).find((d) => warsaw.local(d.start).weekday === 0)!;
const at10 = monday.start + 10 * 3600 * S; // 10:00 local: inside the hours
const at20 = monday.start + 20 * 3600 * S; // 20:00 local: outside

beforeAll(async () => {
  await seedSite({ id: "site_rp", key: "pk_rp" }, [
    { id: "op_ro", email: "o@rp.test", name: "Olga", role: "owner" },
    { id: "op_ra", email: "a@rp.test", name: "Artur", role: "agent" },
    { id: "op_rb", email: "b@rp.test", name: "Basia", role: "agent" },
  ]);
  // Another shop where Artur works too: none of its conversations may count on site_rp.
  await seedSite({ id: "site_rx", key: "pk_rx" }, [{ id: "op_ra", email: "a@rp.test", name: "Artur", role: "owner" }]);
  await env.DB.prepare("UPDATE sites SET settings = ? WHERE id = ?")
    .bind(JSON.stringify({ businessHours: WARSAW_HOURS }), "site_rp")
    .run();
  [owner, agent] = await Promise.all([login("o@rp.test"), login("a@rp.test")]);

  const rated = (operatorId: string, scale: "faces3" | "points5", score: number, positive: boolean) =>
    ["rated", 0, "v_x", { scale, score, positive, comment: null, operatorId }] as Spec;
  const later = (spec: Spec, at: number) => [spec[0], at, spec[2], spec[3]] as Spec;
  await seedConversation("site_rp", "c_rp1", [...chat(at10, "op_ra", 10, 100), later(rated("op_ra", "faces3", 3, true), at10 + 200 * S)], {
    messages: 4,
    tags: ["delivery"],
  });
  await seedConversation(
    "site_rp",
    "c_rp2",
    [...chat(at10 + 60 * S, "op_ra", 20, 200), later(rated("op_ra", "points5", 2, false), at10 + 300 * S)],
    {
      messages: 6,
      tags: ["delivery", "refund"],
    },
  );
  await seedConversation("site_rp", "c_rp3", chat(at10 + 120 * S, "op_ra", 30, 300), { messages: 3 });
  // Basia answers, then transfers to Artur, who resolves.
  await seedConversation(
    "site_rp",
    "c_rp4",
    chat(at10 + 180 * S, "op_rb", 40, 400, [
      ["assigned", at10 + 180 * S + 100 * S, "op_rb", assigned("op_ra", "transferred", "op_rb")],
    ]).map((s, i) => (i === 3 ? (["operator_first_answer", s[1], "op_rb", s[3]] as Spec) : s)),
    { messages: 5 },
  );
  await seedConversation("site_rp", "c_rp5", chat(at10 + 240 * S, "op_rb", null, null), { messages: 1 });
  await seedConversation("site_rp", "c_rp6", chat(at20, "op_rb", 60, null, [], "Where is my parcel? Cash on delivery"), { messages: 2 });
  // site_rx: Artur again, the same day, very slow and badly rated.
  await seedConversation("site_rx", "c_rx1", [
    ...chat(at10, "op_ra", 5000, 9000),
    ["rated", at10 + 9100 * S, "v_x", { scale: "faces3", score: 1, positive: false, comment: null, operatorId: "op_ra" }],
  ]);
});

const range = `from=${monday.key}&to=${monday.key}`;

async function team(cookie: string, q = range): Promise<TeamReport> {
  const r = await api(`/api/sites/site_rp/reports/team?${q}`, { cookie });
  expect(r.status).toBe(200);
  return r.json();
}
const rowOf = (r: TeamReport, id: string) => r.operators.find((o) => o.operatorId === id)!;

describe("operator and team report", () => {
  it("gives known percentiles, missed, transfers, messages and CSAT per operator and for the team", async () => {
    const r = await team(owner);
    expect(r.range).toMatchObject({ from: monday.key, to: monday.key, timeZone: "Europe/Warsaw" });
    const t = r.team!;
    expect(t).toMatchObject({ conversations: 6, missed: 1, transfers: 1, messages: 21, ratings: 2, positiveRatings: 1, csat: 0.5 });
    // [10, 20, 30, 40, 60] s: p50 30 s, p90 at rank 3.6 → 40 + 0.6 × 20 = 52 s.
    expect(t.firstResponse).toEqual({ count: 5, p50: 30 * S, p90: 52 * S, approximate: false });
    expect(t.firstResponseInHours).toMatchObject({ count: 4, p50: 25 * S, p90: 37 * S });
    expect(t.firstResponseOutOfHours).toMatchObject({ count: 1, p50: 60 * S, p90: 60 * S });
    // [100, 200, 300, 400] s: p50 250 s, p90 at rank 2.7 → 370 s.
    expect(t.resolution).toMatchObject({ count: 4, p50: 250 * S, p90: 370 * S });

    const artur = rowOf(r, "op_ra");
    expect(artur).toMatchObject({ name: "Artur", conversations: 4, missed: 0, transfers: 0, messages: 18, ratings: 2, csat: 0.5 });
    expect(artur.firstResponse).toMatchObject({ count: 3, p50: 20 * S, p90: 28 * S });
    expect(artur.resolution).toMatchObject({ count: 4, p50: 250 * S, p90: 370 * S });
    const basia = rowOf(r, "op_rb");
    expect(basia).toMatchObject({ conversations: 3, missed: 1, transfers: 1, ratings: 0, csat: null });
    expect(basia.firstResponse).toMatchObject({ count: 2, p50: 50 * S });
    // Olga did nothing that day; she is listed with zeros.
    expect(rowOf(r, "op_ro")).toMatchObject({ conversations: 0, csat: null, firstResponse: { count: 0, p50: null } });
    // Artur held [0, 100], [60, 260], [120, 420] and, after the transfer, [280, 580] s: two at once
    // at most; 900 s held over the 580 s holding any → 1.55 on average.
    expect(artur.peakConcurrent).toBe(2);
    expect(artur.meanConcurrent).toBe(1.55);
  });

  it("shows an agent only their own row, and no team row", async () => {
    const r = await team(agent);
    expect(r.team).toBeNull();
    expect(r.operators.map((o: TeamReportRow) => o.operatorId)).toEqual(["op_ra"]);
    expect(r.operators[0]!.conversations).toBe(4); // site_rp only, not site_rx
    expect((await api(`/api/sites/site_rp/reports/hours?${range}`, { cookie: agent })).status).toBe(403);
    expect((await api(`/api/sites/site_rp/reports/concerns?${range}`, { cookie: agent })).status).toBe(403);
    const csv = await api(`/api/sites/site_rp/reports/csv?table=heatmap&${range}`, { cookie: agent });
    expect(csv.status).toBe(403);
  });

  it("never counts another shop's conversations", async () => {
    const other = await login("a@rp.test"); // Artur is the owner of site_rx
    const r = await api(`/api/sites/site_rx/reports/team?${range}`, { cookie: other });
    const x: TeamReport = await r.json();
    expect(x.team).toMatchObject({ conversations: 1, ratings: 1, csat: 0 });
    const mine = await team(owner);
    expect(rowOf(mine, "op_ra").firstResponse.p90).toBe(28 * S);
  });

  it("answers bad ranges with coded errors, not 500s", async () => {
    for (const q of [
      "from=2026-13-01&to=2026-13-02",
      "from=2026-11-02",
      "from=2026-11-05&to=2026-11-01",
      "from=2020-01-01&to=2026-11-01",
      "from=x&to=y",
    ]) {
      const r = await api(`/api/sites/site_rp/reports/team?${q}`, { cookie: owner });
      expect(r.status, q).toBe(422);
      const body = (await r.json()) as { error: { code: string } };
      expect(body.error.code).toBe("validation_failed");
    }
    expect((await api(`/api/sites/site_rp/reports/csv?table=nope&${range}`, { cookie: owner })).status).toBe(422);
    expect((await api(`/api/sites/site_rp/reports/team?${range}`)).status).toBe(401);
  });

  it("downloads the team table as CSV with the same numbers", async () => {
    const r = await api(`/api/sites/site_rp/reports/csv?table=team&${range}`, { cookie: owner });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toContain("text/csv");
    const lines = (await r.text())
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(lines[0]!.split(",").slice(0, 5)).toEqual([
      "Operator",
      "Conversations",
      "Missed",
      "First response p50 (s)",
      "First response p90 (s)",
    ]);
    expect(lines[1]!.split(",").slice(0, 5)).toEqual(["Team", "6", "1", "30", "52"]);
    expect(
      lines
        .find((l) => l.startsWith("Artur,"))!
        .split(",")
        .slice(0, 5),
    ).toEqual(["Artur", "4", "0", "20", "28"]);
  });
});

describe("CSV in the operator's language", () => {
  it("names the columns and labels as the admin's table does", async () => {
    const text = async (q: string) => {
      const r = await api(`/api/sites/site_rp/reports/csv?${q}&${range}`, { cookie: owner });
      expect(r.status).toBe(200);
      return (await r.text())
        .replace(/^\uFEFF/, "")
        .trimEnd()
        .split("\r\n");
    };
    const pl = await text("table=team&lang=pl");
    expect(pl[0]!.split(",").slice(0, 2)).toEqual(["Konsultant", "Rozmowy"]);
    expect(pl[1]!.split(",")[0]).toBe("Zespół");
    const ru = await text("table=heatmap&lang=ru");
    expect(ru[0]!.split(",")[0]).toBe("День недели");
    expect(ru[1]!.split(",")[0]).toBe("пн");
    expect((await text("table=team"))[0]!.split(",")[0]).toBe("Operator");
    const bad = await api(`/api/sites/site_rp/reports/csv?table=team&lang=xx&${range}`, { cookie: owner });
    expect(bad.status).toBe(422);
  });
});

describe("common concerns", () => {
  it("counts topics and tags per week and the frequent words of first messages", async () => {
    const r = await api(`/api/sites/site_rp/reports/concerns?${range}`, { cookie: owner });
    expect(r.status).toBe(200);
    const c: ConcernsReport = await r.json();
    expect(c.weeks).toEqual([monday.key]);
    expect(c.tags).toEqual([
      { tag: "delivery", counts: [2] },
      { tag: "refund", counts: [1] },
    ]);
    expect(c.topics).toEqual([{ topic: "", counts: [6] }]);
    expect(c.words).toContainEqual({ term: "parcel", count: 6 });
    expect(c.messagesRead).toBe(6);
  });
});

describe("daily rollups", () => {
  it("are written by the scheduled handler, read by the report with the same answers, and idempotent", async () => {
    const before = await team(owner);
    expect(before.range.rawDays).toBe(1);
    const run = async () => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ cron: REPORT_ROLLUP_CRON, scheduledTime: Date.now() }), env, ctx);
      await waitOnExecutionContext(ctx);
      return (
        await env.DB.prepare("SELECT day, data FROM report_days WHERE site_id = 'site_rp' ORDER BY day").all<{
          day: string;
          data: string;
        }>()
      ).results;
    };
    // Each run makes a bounded number of days per site (the newest first); a few runs backfill all.
    let first = await run();
    expect(first.map((r) => r.day)).toContain(monday.key);
    for (let i = 0; i < 5; i++) {
      const next = await run();
      if (next.length === first.length) break;
      first = next;
    }
    expect(first).toHaveLength(92);
    const after = await team(owner);
    expect(after.range).toMatchObject({ rawDays: 0, rolledUpDays: 1 });
    expect({ ...after, range: null }).toEqual({ ...before, range: null });
    // A second run within the refresh time changes nothing; re-rolling a day gives the same data.
    expect(await run()).toEqual(first);
    await env.DB.prepare("UPDATE report_days SET computed_at = 0 WHERE site_id = 'site_rp'").run();
    expect((await run()).map((r) => r.data)).toEqual(first.map((r) => r.data));
    // Another shop's rows are its own.
    const rx = await env.DB.prepare("SELECT COUNT(*) AS n FROM report_days WHERE site_id = 'site_rx'").first<number>("n");
    expect(rx).toBeGreaterThan(0);
  });
});

describe("when to staff", () => {
  it("puts conversations in the shop's weekday × hour across both DST changes", async () => {
    await seedSite({ id: "site_rd", key: "pk_rd" }, [{ id: "op_rd", email: "d@rp.test", name: "Dora", role: "owner" }]);
    await env.DB.prepare("UPDATE sites SET settings = ? WHERE id = ?")
      .bind(JSON.stringify({ businessHours: WARSAW_HOURS }), "site_rd")
      .run();
    const cookie = await login("d@rp.test");
    const utc = (iso: string) => Date.parse(iso);
    const points = [
      ["c_rd1", "2026-10-25T00:30:00Z"], // 02:30 CEST, Sunday → bucket 6 × 24 + 2 = 146
      ["c_rd2", "2026-10-25T01:30:00Z"], // 02:30 CET (the repeated hour) → 146 again
      ["c_rd3", "2026-10-25T02:30:00Z"], // 03:30 CET → 147
      ["c_rd4", "2026-10-19T08:00:00Z"], // Monday 10:00 CEST → 10
      ["c_rd5", "2026-10-26T08:00:00Z"], // Monday 09:00 CET → 9
      ["c_rd6", "2026-03-29T01:30:00Z"], // 03:30 CEST, right after the skipped hour → 147
    ] as const;
    for (const [id, iso] of points) await seedConversation("site_rd", id, chat(utc(iso), "op_rd", null, null));
    const get = async (q: string) => (await (await api(`/api/sites/site_rd/reports/hours?${q}`, { cookie })).json()) as HoursReport;
    const autumn = await get("from=2026-10-19&to=2026-10-26");
    const counts = Object.fromEntries(autumn.heatmap.filter((c) => c.conversations).map((c) => [c.hourOfWeek, c.conversations]));
    expect(counts).toEqual({ 146: 2, 147: 1, 10: 1, 9: 1 });
    expect(autumn.heatmap.find((c) => c.hourOfWeek === 146)!.missed).toBe(2);
    const spring = await get("from=2026-03-29&to=2026-03-29");
    expect(spring.heatmap.filter((c) => c.conversations).map((c) => [c.hourOfWeek, c.conversations])).toEqual([[147, 1]]);
  });

  it("advises the operators Erlang C gives for each hour of the last four weeks, next to those online", async () => {
    await seedSite({ id: "site_rs", key: "pk_rs" }, [{ id: "op_rs", email: "s@rp.test", name: "Sam", role: "owner" }]);
    const cookie = await login("s@rp.test");
    const utcClock = new ZoneClock("UTC");
    const weeks = utcClock.lastDays(28, Date.now(), { includeToday: false });
    const mondays = weeks.filter((d) => utcClock.local(d.start).weekday === 0);
    expect(mondays).toHaveLength(4);
    // 30 chats each Monday 10:00–11:00, each handled for 600 s: A = 30 × 600 / 3600 = 5 erlangs.
    for (const [w, day] of mondays.entries()) {
      for (let i = 0; i < 30; i++) {
        const t0 = day.start + 10 * 3600 * S + i * 110 * S;
        await seedConversation("site_rs", `c_rs${w}_${i}`, chat(t0, "op_rs", 5, 600));
      }
    }
    const r = (await (await api("/api/sites/site_rs/reports/hours", { cookie })).json()) as HoursReport;
    expect(r.staffing).toMatchObject({ from: weeks[0]!.key, to: weeks[27]!.key, concurrency: 5, target: { percent: 80, seconds: 20 } });
    expect(r.staffing.meanHandlingSeconds).toBe(600);
    const ten = r.staffing.hours[10]!;
    const expected = staffing({ arrivals: 120, periodSeconds: 4 * 3600, meanHandlingSeconds: 600, concurrency: 5 });
    // 8 seats meet 80% in 20 s at 5 erlangs (7 give 72%): two operators of five chats each.
    expect(expected.seats).toBe(8);
    expect(ten).toEqual({ hourOfWeek: 10, arrivalsPerHour: 30, needed: expected.operators, online: 1, verdict: "under" });
    expect(ten.needed).toBe(2);
    // Resolves run into 11:00 (Sam active, nobody arriving): over-staffed; 12:00 is empty.
    expect(r.staffing.hours[11]).toMatchObject({ needed: 0, online: 1, verdict: "over" });
    expect(r.staffing.hours[12]).toMatchObject({ needed: 0, online: 0, verdict: "ok" });
    // The shop's own target changes the advice: 95% in 20 s needs more seats.
    await env.DB.prepare("UPDATE sites SET settings = ? WHERE id = 'site_rs'")
      .bind(JSON.stringify({ staffingTarget: { percent: 95, seconds: 20 } }))
      .run();
    const strict = (await (await api("/api/sites/site_rs/reports/hours", { cookie })).json()) as HoursReport;
    const seats95 = staffing({
      arrivals: 120,
      periodSeconds: 4 * 3600,
      meanHandlingSeconds: 600,
      concurrency: 5,
      target: { share: 0.95, withinSeconds: 20 },
    });
    expect(strict.staffing.hours[10]!.needed).toBe(seats95.operators);
  });
});

describe("satisfaction", () => {
  it("lets the visitor rate after resolve; the rating reaches the report and the operators' history", async () => {
    await seedSite({ id: "site_rr", key: "pk_rr" }, [{ id: "op_rr", email: "r@rp.test", name: "Rita", role: "owner" }]);
    const rita = await login("r@rp.test");
    const online = await dashboards("site_rr", [rita]);
    const w = await visitorWrites("pk_rr", "Do you ship to Finland?");
    await eventually(
      () => hubState("site_rr"),
      (s) => s.assignments.some((a) => a.conversation_id === w.id),
      "routed to Rita",
    );
    const rate = (json: unknown, token = w.token) =>
      api("/api/widget/rating", { method: "POST", headers: { authorization: `Bearer ${token}` }, json });
    // Not before it is resolved; bad input is coded.
    expect((await rate({ scale: "faces3", score: 3 })).status).toBe(409);
    expect((await rate({ scale: "faces3", score: 5 })).status).toBe(422);
    expect((await rate({ scale: "stars", score: 1 })).status).toBe(422);
    expect((await rate({ scale: "faces3", score: 3 }, "forged")).status).toBe(401);
    const resolve = await api(`/api/sites/site_rr/conversations/${w.id}/status`, {
      method: "POST",
      cookie: rita,
      json: { status: "resolved" },
    });
    expect(resolve.status).toBe(200);
    expect((await rate({ scale: "points5", score: 2, comment: "Slow" })).status).toBe(200);
    expect((await rate({ scale: "faces3", score: 3, comment: "Thanks, <b>great</b>" })).status).toBe(200);
    const room = env.CONVERSATION.getByName(w.id);
    for (let i = 0; i < 10 && (await runDurableObjectAlarm(room)); i++);
    const rated = await env.DB.prepare("SELECT data FROM conversation_events WHERE conversation_id = ? AND type = 'rated' ORDER BY seq")
      .bind(w.id)
      .all<{ data: string }>();
    expect(rated.results.map((r) => JSON.parse(r.data))).toEqual([
      { scale: "points5", score: 2, positive: false, comment: "Slow", operatorId: "op_rr" },
      { scale: "faces3", score: 3, positive: true, comment: "Thanks, <b>great</b>", operatorId: "op_rr" },
    ]);
    // The latest rating counts: one rating, positive.
    const report = (await (await api("/api/sites/site_rr/reports/team", { cookie: rita })).json()) as TeamReport;
    expect(rowOf(report, "op_rr")).toMatchObject({ conversations: 1, ratings: 1, positiveRatings: 1, csat: 1 });
    // Operators see it in the history as a note; it is never sent to the visitor.
    const detail = await (await api(`/api/sites/site_rr/conversations/${w.id}`, { cookie: rita })).json();
    const notes = (detail as { messages: { kind: string; text: string; event?: { type: string; score: number } }[] }).messages.filter(
      (m) => m.event?.type === "rated",
    );
    expect(notes.map((m) => [m.kind, m.event!.score, m.text])).toEqual([
      ["note", 2, "Slow"],
      ["note", 3, "Thanks, <b>great</b>"],
    ]);
    for (const s of online) s.close();
    await settle();
  });
});
