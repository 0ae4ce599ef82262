// Durable timers on real Durable Object storage: several named timers on one alarm, eviction in
// between (the timers live in SQLite, the mirror is rebuilt), a failing handler retried with
// capped back-off and its attempts counted, removal only after success, and a timer already due
// earlier costing no write. Then the same module at work in a conversation room (outbox flush
// and snooze on one alarm, a D1 outage retried).
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationRoom } from "../../worker/do/conversation-room";
import { DurableTimers, TIMERS_SCHEMA, type TimerHandler } from "../../worker/do/durable-timers";
import type { Env } from "../../worker/env";
import { api, login, mustOpen, seedSite, startConversation, visitorSession, visitorSocketPath } from "./helpers";

const HOUR = 3_600_000;

/**
 * A Durable Object that was never created (a room with no schema) lends its storage: only the
 * timers table is made, and every time lies an hour or more ahead, so the real alarm these
 * timers set never fires during the test (the room's own alarm would not know these names).
 */
const host = (name: string) => env.CONVERSATION.getByName(`c_timers_${name}_0123456789`);

/** Storage whose `sql.exec` calls are counted (the alarm calls are the real ones). */
function counted(storage: DurableObjectStorage) {
  const calls = { exec: 0 };
  const sql = new Proxy(storage.sql, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== "exec") return typeof value === "function" ? value.bind(target) : value;
      return (...args: unknown[]) => {
        calls.exec++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const wrapped = new Proxy(storage, {
    get(target, key) {
      if (key === "sql") return sql;
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { storage: wrapped as DurableObjectStorage, calls };
}

const rows = (storage: DurableObjectStorage) =>
  storage.sql.exec("SELECT name, at, payload, attempts FROM timers ORDER BY at").toArray() as {
    name: string;
    at: number;
    payload: string | null;
    attempts: number;
  }[];

describe("durable timers", () => {
  it("multiplexes several timers onto one alarm, in time order, across an eviction", async () => {
    const stub = host("many");
    const t0 = Date.now() + HOUR;
    await runInDurableObject(stub, async (_: ConversationRoom, state) => {
      state.storage.sql.exec(TIMERS_SCHEMA);
      const timers = new DurableTimers<"a" | "b" | "c">(state.storage, { a: { run() {} }, b: { run() {} }, c: { run() {} } });
      timers.set("b", t0 + 2000, { n: 2 });
      timers.set("a", t0, { n: 1 });
      timers.set("c", t0 + 1000);
      expect(await state.storage.getAlarm()).toBe(t0); // one alarm, at the earliest
    });
    await evictDurableObject(stub);
    const ran: string[] = [];
    await runInDurableObject(stub, async (_: ConversationRoom, state) => {
      // A new instance after the eviction: everything comes back from SQLite.
      const log = (name: string): TimerHandler => ({ run: (payload) => void ran.push(`${name}:${JSON.stringify(payload)}`) });
      const timers = new DurableTimers<"a" | "b" | "c">(state.storage, { a: log("a"), b: log("b"), c: log("c") });
      expect(timers.get("b")).toEqual({ at: t0 + 2000, attempts: 0 });
      // The alarm fired (a test runs it early): what was due at its time runs, the next is armed.
      await timers.run();
      expect(ran).toEqual(['a:{"n":1}']);
      expect(await state.storage.getAlarm()).toBe(t0 + 1000);
      await timers.run();
      await timers.run();
      expect(ran).toEqual(['a:{"n":1}', "c:null", 'b:{"n":2}']);
      expect(rows(state.storage)).toEqual([]);
    });
  });

  it("retries a failing handler with capped exponential back-off, counting attempts, and removes it only after success", async () => {
    const stub = host("retry");
    let failures = 3;
    const seen: number[] = [];
    await runInDurableObject(stub, async (_: ConversationRoom, state) => {
      state.storage.sql.exec(TIMERS_SCHEMA);
      const timers = new DurableTimers<"flaky">(state.storage, {
        flaky: {
          run(_payload, attempts) {
            seen.push(attempts);
            // Still stored while it runs: a crash here would run it again, never lose it.
            expect(rows(state.storage).map((r) => r.name)).toEqual(["flaky"]);
            if (failures-- > 0) throw new Error("the work failed");
          },
          retry: { firstMs: HOUR, maxMs: 2 * HOUR },
        },
      });
      timers.set("flaky", Date.now() + HOUR, { id: 7 });
      const delays: number[] = [];
      for (let i = 0; i < 3; i++) {
        const before = Date.now();
        await timers.run();
        const [row] = rows(state.storage);
        expect(row).toMatchObject({ name: "flaky", attempts: i + 1, payload: '{"id":7}' });
        delays.push(Math.round((row!.at - before) / HOUR));
        expect(await state.storage.getAlarm()).toBe(row!.at);
      }
      expect(delays).toEqual([1, 2, 2]); // 1 h, 2 h, then capped at 2 h
      await timers.run();
      expect(seen).toEqual([0, 1, 2, 3]);
      expect(rows(state.storage)).toEqual([]);
    });
  });

  it("keeps a timer its own handler set again, and writes nothing for a timer already due earlier", async () => {
    const stub = host("idem");
    await runInDurableObject(stub, async (_: ConversationRoom, state) => {
      state.storage.sql.exec(TIMERS_SCHEMA);
      const { storage, calls } = counted(state.storage);
      const later = Date.now() + 3 * HOUR;
      const timers: DurableTimers<"tick"> = new DurableTimers<"tick">(storage, {
        tick: { run: () => void timers.setIfEarlier("tick", later) },
      });
      timers.set("tick", Date.now() + HOUR);
      const at = timers.get("tick")!.at;
      // The hot path: asked again and again for a later time, it is already due: no write, same alarm.
      const writes = calls.exec;
      for (let i = 0; i < 100; i++) expect(timers.setIfEarlier("tick", Date.now() + 2 * HOUR)).toBe(false);
      expect(calls.exec).toBe(writes);
      expect(await state.storage.getAlarm()).toBe(at);
      // An earlier time does move it (one write).
      expect(timers.setIfEarlier("tick", at - 1000)).toBe(true);
      expect(await state.storage.getAlarm()).toBe(at - 1000);
      // The handler set it again while running: that one stays.
      await timers.run();
      expect(rows(state.storage)).toEqual([{ name: "tick", at: later, payload: null, attempts: 0 }]);
      timers.clear("tick");
      expect(rows(state.storage)).toEqual([]);
    });
  });
});

describe("durable timers while a handler runs", () => {
  it("keeps work that arrives during the run with one write, however often it is asked for", async () => {
    const stub = host("during");
    await runInDurableObject(stub, async (_: ConversationRoom, state) => {
      state.storage.sql.exec(TIMERS_SCHEMA);
      const { storage, calls } = counted(state.storage);
      let release = () => {};
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let runs = 0;
      const timers = new DurableTimers<"flush">(storage, {
        flush: {
          run: async () => {
            runs++;
            await gate;
          },
        },
      });
      timers.set("flush", Date.now() + HOUR);
      const running = timers.run();
      await new Promise((r) => setTimeout(r, 10));
      // The message path asks on every message while the flush is on its way (D1 is slow).
      const writes = calls.exec;
      const next = Date.now() + 2 * HOUR;
      for (let i = 0; i < 100; i++) timers.setIfEarlier("flush", next + i);
      expect(calls.exec - writes).toBe(1);
      release();
      await running;
      // The run's own entry is gone; the one set meanwhile waits for its time.
      expect(rows(state.storage)).toEqual([{ name: "flush", at: next, payload: null, attempts: 0 }]);
      expect(runs).toBe(1);
    });
  });
});

describe("durable timers in a conversation room", () => {
  let cookie: string;

  beforeAll(async () => {
    await seedSite({ id: "site_dt", key: "pk_dt" }, [{ id: "op_dt", email: "dt@dt.test", name: "Dora", role: "owner" }]);
    cookie = await login("dt@dt.test");
  });

  it("runs the outbox flush and the snooze wake-up on one alarm, across an eviction, and retries a D1 outage", async () => {
    const visitor = await visitorSession("pk_dt");
    const id = await startConversation(visitor.token);
    const room = env.CONVERSATION.getByName(id);
    const v = await mustOpen(visitorSocketPath(id, visitor.token));
    await v.next("hello");
    v.send({ type: "message.send", clientId: "m1", text: "Is the red one back in stock?" });
    await v.next("ack");
    const snoozeUntil = Date.now() + HOUR;
    const r = await api(`/api/sites/site_dt/conversations/${id}/status`, {
      method: "POST",
      cookie,
      json: { status: "snoozed", snoozeUntil },
    });
    expect(r.status).toBe(200);
    const timers = () =>
      runInDurableObject(room, (_: ConversationRoom, state) =>
        state.storage.sql.exec("SELECT name, at, attempts FROM timers ORDER BY name").toArray(),
      );
    const both = await timers();
    expect(both.map((t) => t.name)).toEqual(["outbox", "snooze"]);
    expect(both[1]!.at).toBe(snoozeUntil);
    await evictDurableObject(room);

    // D1 is down when the flush comes due: the timer stays, with a back-off and a counted attempt.
    await runInDurableObject(room, async (instance: ConversationRoom) => {
      const o = instance as unknown as { env: Env };
      const down = { prepare: env.DB.prepare.bind(env.DB), batch: () => Promise.reject(new Error("D1 is down")) };
      o.env = { ...o.env, DB: down as unknown as D1Database };
      await instance.alarm();
      o.env = env as unknown as Env;
    });
    const retried = (await timers()).find((t) => t.name === "outbox")!;
    expect(retried.attempts).toBe(1);
    expect(Number(retried.at) - Date.now()).toBeGreaterThan(1000);
    expect(await env.DB.prepare("SELECT message_count FROM conversations WHERE id = ?").bind(id).first("message_count")).toBe(0);

    // D1 is back: the retry flushes, the outbox timer is gone, the snooze still waits.
    expect(await runDurableObjectAlarm(room)).toBe(true);
    expect(await env.DB.prepare("SELECT message_count FROM conversations WHERE id = ?").bind(id).first("message_count")).toBe(1);
    expect((await timers()).map((t) => t.name)).toEqual(["snooze"]);
    // The snooze's time comes (the alarm is set for it): the conversation opens by itself.
    expect(await runDurableObjectAlarm(room)).toBe(true);
    expect((await room.summary("site_dt"))!).toMatchObject({ status: "open", snoozedUntil: null });
    v.close();
  });
});
