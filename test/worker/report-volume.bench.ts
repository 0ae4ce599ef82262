// The reports' volume benchmark (issue 13; `npm run bench:reports`, not part of the tests): one
// shop with 100,000 conversations over 90 days (about 560,000 domain events: created, first
// message, assigned, first answer for 95%, resolved for 90%, rated for 30%), 5 operators and
// 300,000 visits, seeded by SQL in the local D1. Times the 90-day reports from raw events, the
// scheduled rollups, then the same reports from rollups, and prints statements and rows read
// next to each time. Page views are not seeded: no report reads them (visitors per hour come
// from visits — see worker/db/report-reads.ts — and later from the visitor shards' rollups).
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { newCounter } from "../../worker/db/report-reads";
import worker from "../../worker/index";
import { REPORT_ROLLUP_CRON } from "../../worker/services/report-rollups";
import { type SalesCounter, salesReport } from "../../worker/services/report-sales";
import { concernsReport, hoursReport, teamReport } from "../../worker/services/reports";
import { seedSite } from "./helpers";

const CONVERSATIONS = 100_000;
const VISITS = 300_000;
const DAYS = 90;
const DAY = 86_400_000;
const SITE = "site_bench";

async function timed<T>(label: string, run: (counter: ReturnType<typeof newCounter>) => Promise<T>): Promise<T> {
  const counter = newCounter();
  const t0 = performance.now();
  const result = await run(counter);
  const ms = performance.now() - t0;
  console.log(
    `${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${String(counter.statements).padStart(3)} statements  ${String(counter.rowsRead).padStart(9)} rows read  ${String(counter.rowsReturned).padStart(8)} rows returned`,
  );
  return result;
}

it("answers 90-day reports over 100,000 conversations", async () => {
  const operators = ["op_b1", "op_b2", "op_b3", "op_b4", "op_b5"];
  await seedSite(
    { id: SITE, key: "pk_bench" },
    operators.map((id, i) => ({ id, email: `${id}@bench.test`, name: `Operator ${i + 1}`, role: i === 0 ? "owner" : "agent" })),
  );
  await env.DB.prepare("UPDATE sites SET settings = ? WHERE id = ?")
    .bind(
      JSON.stringify({
        businessHours: {
          timeZone: "Europe/Warsaw",
          mode: "hours",
          weekly: Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [{ start: "08:00", end: "20:00" }]])),
          exceptions: [],
        },
      }),
      SITE,
    )
    .run();
  const now = Date.now();
  const start = now - DAYS * DAY;
  const step = Math.floor((DAYS * DAY) / CONVERSATIONS);
  const t0 = performance.now();
  // One statement per table and event type; conversation i starts at start + i·step.
  const n = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${CONVERSATIONS - 1})`;
  const at = `(${start} + i * ${step})`;
  const op = `'op_b' || (1 + i % 5)`;
  await env.DB.prepare(
    `${n} INSERT INTO conversations (id, site_id, visitor_id, created_at, updated_at, message_count, tags, status)
     SELECT 'c_bench' || i, '${SITE}', 'v' || i, ${at}, ${at}, 2 + i % 9, CASE i % 4 WHEN 0 THEN '["delivery"]' WHEN 1 THEN '["refund","payment"]' ELSE '[]' END,
       CASE WHEN i % 10 = 9 THEN 'open' ELSE 'resolved' END FROM n`,
  ).run();
  const events: [number, string, string, string, string][] = [
    [
      1,
      "created",
      "'visitor'",
      "'v' || i",
      "json_object('skill', CASE i % 3 WHEN 0 THEN 'orders' ELSE NULL END, 'invited', json('false'))",
    ],
    [
      2,
      "visitor_first_message",
      "'visitor'",
      "'v' || i",
      `json_object('seq', 1, 'via', 'chat', 'text', CASE i % 5 WHEN 0 THEN 'Where is my parcel? Order ' || i WHEN 1 THEN 'Can I get a refund for order ' || i WHEN 2 THEN 'Czy mogę zapłacić przy odbiorze?' WHEN 3 THEN 'Is the grinder good for espresso' ELSE 'Delivery time to Tampere please' END)`,
    ],
    [
      3,
      "assigned",
      "'system'",
      "NULL",
      `json_object('operatorId', ${op}, 'operatorName', 'x', 'how', 'routed', 'byName', NULL, 'fromId', NULL, 'fromName', NULL)`,
    ],
  ];
  for (const [seq, type, role, actor, data] of events) {
    await env.DB.prepare(
      `${n} INSERT INTO conversation_events (site_id, conversation_id, seq, type, at, actor_role, actor_id, data)
       SELECT '${SITE}', 'c_bench' || i, ${seq}, '${type}', ${at} + ${seq}, ${role}, ${actor}, ${data} FROM n`,
    ).run();
  }
  // 95% answered after 5–300 s; 90% resolved after 2–40 min; 30% rated.
  await env.DB.prepare(
    `${n} INSERT INTO conversation_events (site_id, conversation_id, seq, type, at, actor_role, actor_id, data)
     SELECT '${SITE}', 'c_bench' || i, 4, 'operator_first_answer', ${at} + 5000 + (i * 7919) % 295000, 'operator', ${op},
       json_object('operatorName', 'x', 'seq', 3, 'msSinceVisitorFirstMessage', 5000 + (i * 7919) % 295000) FROM n WHERE i % 20 <> 7`,
  ).run();
  await env.DB.prepare(
    `${n} INSERT INTO conversation_events (site_id, conversation_id, seq, type, at, actor_role, actor_id, data)
     SELECT '${SITE}', 'c_bench' || i, 5, 'status_changed', ${at} + 120000 + (i * 104729) % 2280000, 'operator', ${op},
       json_object('from', 'open', 'to', 'resolved', 'byName', 'x', 'snoozedUntil', NULL) FROM n WHERE i % 10 <> 9`,
  ).run();
  await env.DB.prepare(
    `${n} INSERT INTO conversation_events (site_id, conversation_id, seq, type, at, actor_role, actor_id, data)
     SELECT '${SITE}', 'c_bench' || i, 6, 'rated', ${at} + 2500000, 'visitor', 'v' || i,
       json_object('scale', 'faces3', 'score', 1 + i % 3, 'positive', json(CASE i % 3 WHEN 2 THEN 'true' ELSE 'false' END), 'comment', NULL, 'operatorId', ${op})
     FROM n WHERE i % 10 < 3`,
  ).run();
  const v = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${VISITS - 1})`;
  await env.DB.prepare(
    `${v} INSERT INTO visits (id, site_id, visitor_id, started_at, last_at, source_label)
     SELECT 'vis' || i, '${SITE}', 'v' || (i % 150000), ${start} + i * ${Math.floor((DAYS * DAY) / VISITS)}, ${start} + i * ${Math.floor((DAYS * DAY) / VISITS)} + 60000, 'direct' FROM n`,
  ).run();
  const counts = await env.DB.prepare(
    `SELECT (SELECT COUNT(*) FROM conversations WHERE site_id = ?1) AS conversations,
            (SELECT COUNT(*) FROM conversation_events WHERE site_id = ?1) AS events,
            (SELECT COUNT(*) FROM visits WHERE site_id = ?1) AS visits`,
  )
    .bind(SITE)
    .first<{ conversations: number; events: number; visits: number }>();
  console.log(
    `seeded ${counts!.conversations} conversations, ${counts!.events} events, ${counts!.visits} visits in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const owner = { id: "op_b1", role: "owner" as const };
  const q = { days: DAYS };

  const raw = await timed("team report, 90 days, raw events", (c) => teamReport(env, SITE, owner, q, now, c));
  expect(raw.team!.conversations).toBeGreaterThan(95_000);
  await timed("hours report (heatmap + staffing), raw", (c) => hoursReport(env, SITE, q, now, c));

  for (let run = 1; run <= 3; run++) {
    const t = performance.now();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: REPORT_ROLLUP_CRON, scheduledTime: now }), env, ctx);
    await waitOnExecutionContext(ctx);
    const days = await env.DB.prepare("SELECT COUNT(*) AS n FROM report_days WHERE site_id = ?").bind(SITE).first<number>("n");
    console.log(
      `${`scheduled rollup run ${run}`.padEnd(44)} ${(performance.now() - t).toFixed(0).padStart(7)} ms  ${days} days rolled up so far`,
    );
  }

  const samples: number[] = [];
  let rolled = raw;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    rolled = await timed(`team report, 90 days, rollups (run ${i + 1})`, (c) => teamReport(env, SITE, owner, q, now, c));
    samples.push(performance.now() - t);
  }
  expect(rolled.range.rolledUpDays).toBeGreaterThanOrEqual(DAYS - 1);
  expect(rolled.team!.conversations).toBe(raw.team!.conversations);
  expect(rolled.team!.firstResponse.p50).toBeCloseTo(raw.team!.firstResponse.p50!, -3);
  await timed("hours report, rollups", (c) => hoursReport(env, SITE, q, now, c));
  await timed("concerns report, rollups (+5,000 first messages)", (c) => concernsReport(env, SITE, q, now, c));
  const median = [...samples].sort((a, b) => a - b)[2]!;
  console.log(`team report from rollups: median of 5 = ${median.toFixed(0)} ms (target ≤ 300 ms)`);

  // Sales attribution: 30,000 API orders of chatting visitors 2 h after their chat, 30,000 of
  // visitors who never chatted (never read). Not rolled up: the report reads the range's touches.
  const orders = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 29999)`;
  await env.DB.prepare(
    `${orders} INSERT INTO orders (site_id, order_id, visitor_id, customer_id, total, currency, items, created_at, recorded_at, source)
     SELECT '${SITE}', 'o_chat' || i, 'v' || (i * 3), NULL, 10 + i % 90, CASE i % 4 WHEN 0 THEN 'EUR' ELSE 'PLN' END, '[]',
       ${start} + i * 3 * ${step} + 7200000, ${now}, 'api' FROM n
     UNION ALL
     SELECT '${SITE}', 'o_quiet' || i, 'q' || i, NULL, 20, 'PLN', '[]', ${start} + i * 3 * ${step}, ${now}, 'api' FROM n`,
  ).run();
  for (let run = 1; run <= 3; run++) {
    const counter: SalesCounter = { d1: newCounter(), shardCalls: 0, upliftShardCalls: 0 };
    const t = performance.now();
    const sales = await salesReport(env, SITE, owner, q, now, counter);
    const ms = performance.now() - t;
    console.log(
      `${`sales report, 90 days (run ${run})`.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms  ${String(counter.d1.statements).padStart(3)} statements  ${String(counter.d1.rowsRead).padStart(9)} rows read  ${String(counter.d1.rowsReturned).padStart(8)} rows returned  ${counter.shardCalls} shard calls (orders) + ${counter.upliftShardCalls} (uplift); ${sales.ordersRead} orders attributed`,
    );
    expect(sales.shop.reduce((n, r) => n + r.influencedOrders, 0)).toBeGreaterThan(25_000);
  }
  expect(median).toBeLessThan(300);
});
