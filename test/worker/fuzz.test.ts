// Protocol fuzzing with fast-check, inside workerd: thousands of random and malformed socket
// frames and REST bodies, and paths, queries and strings with NUL, control characters, lone
// surrogates and raw or malformed percent-escapes. The server must never crash, must answer each
// with a coded error, and must leave stored data exactly as it was. FUZZ_RUNS=N scales the run.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import * as v from "valibot";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeClientFrame, ERROR_STATUS, LoginBody, MAX_FRAME_BYTES, StatusBody, VisitorSessionBody } from "../../protocol";
import { api, login, mustOpen, seedSite, startConversation, type TestSocket, visitorSession, visitorSocketPath } from "./helpers";

const RUNS = Number(env.FUZZ_RUNS || 0) || 10_000;
const FRAME_RUNS = Math.round(RUNS * 0.75);
const INPUT_RUNS = Math.round(RUNS * 0.05);
const REST_RUNS = RUNS - FRAME_RUNS - INPUT_RUNS;
const CODES = new Set(Object.keys(ERROR_STATUS));

let cookie: string;
let conversationId: string;
let visitorToken: string;
let apiKey: string;

beforeAll(async () => {
  await seedSite({ id: "site_f", key: "pk_f" }, [{ id: "op_f", email: "f@f.test", name: "Fuzz Op", role: "owner" }]);
  cookie = await login("f@f.test");
  apiKey = ((await (await api("/api/sites/site_f/settings/secrets/api-key", { method: "POST", cookie })).json()) as { apiKey: string })
    .apiKey;
  const visitor = await visitorSession("pk_f");
  visitorToken = visitor.token;
  conversationId = await startConversation(visitor.token);
});

/**
 * Everything a bad input could harm, once it has settled: the site hub answers a new conversation
 * (its queue place) a moment later, and on a busy machine that can land after a first look.
 */
async function snapshot() {
  let last = JSON.stringify(await look());
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = JSON.stringify(await look());
    if (now === last) return JSON.parse(now) as Awaited<ReturnType<typeof look>>;
    last = now;
  }
  throw new Error("stored data kept changing with no input");
}

/** Everything a bad input could harm: the room's history and state, and the D1 rows. */
async function look() {
  const room = env.CONVERSATION.getByName(conversationId);
  await runDurableObjectAlarm(room); // D1 as of now, not as of the last outbox flush
  const [history, summary, d1] = await Promise.all([
    room.history("site_f", null, 1000),
    room.summary("site_f"),
    env.DB.batch([
      env.DB.prepare("SELECT * FROM conversations ORDER BY id"),
      env.DB.prepare("SELECT site_id, id, name, email FROM visitors ORDER BY id"),
      env.DB.prepare("SELECT * FROM sites ORDER BY id"),
      env.DB.prepare("SELECT id, email, name, password_hash FROM operators ORDER BY id"),
      env.DB.prepare("SELECT operator_id, expires_at FROM sessions ORDER BY token_hash"),
    ]),
  ]);
  return { history, summary, d1: d1.map((r) => r.results) };
}

const templates: Record<string, Record<string, unknown>> = {
  "message.send": { type: "message.send", clientId: "c1", text: "hello", kind: "text" },
  typing: { type: "typing", active: true, draft: "hel" },
  read: { type: "read", seq: 1 },
  history: { type: "history", before: 5 },
  status: { type: "status", status: "resolved" },
};

const weird = fc.oneof(
  fc.anything(),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.constantFrom(-1, 1.5, Number.MAX_SAFE_INTEGER + 2, 1e308, "", " ", "\u0000", "x".repeat(5000), null, [], {}, "NaN", true),
);

/** A valid frame with one field replaced, removed or added. */
const mutated = fc
  .tuple(fc.constantFrom(...Object.keys(templates)), fc.string({ maxLength: 12 }), weird, fc.constantFrom("replace", "remove", "add"))
  .map(([type, extraKey, value, how]) => {
    const frame: Record<string, unknown> = { ...templates[type] };
    const keys = Object.keys(frame);
    const key = keys[Math.abs(extraKey.length * 7) % keys.length]!;
    if (how === "replace") frame[key] = value;
    else if (how === "remove") delete frame[key];
    else frame[extraKey || "x"] = value;
    return JSON.stringify(frame);
  });

const frames = fc.oneof(
  { weight: 3, arbitrary: mutated },
  { weight: 2, arbitrary: fc.json().map(String) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 100 }) },
  { weight: 1, arbitrary: fc.constantFrom("{", "[", '{"type":', "null", "0", '"ping"', "ping ", "PONG", "{}".repeat(3)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 3 })
      .map((n) => JSON.stringify({ type: "message.send", clientId: "big", text: "é".repeat((MAX_FRAME_BYTES / 2) * n) })),
  },
);

/** Whether any string (or key) in a parsed JSON value holds half of a surrogate pair. */
function loneSurrogateIn(value: unknown): boolean {
  if (typeof value === "string") return /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
  if (value === null || typeof value !== "object") return false;
  return Object.entries(value).some(([k, v]) => loneSurrogateIn(k) || loneSurrogateIn(v));
}

/** Only inputs the protocol refuses: a random input that happens to be valid is not "bad". */
const invalid = (raw: string) => raw !== "ping" && !decodeClientFrame(raw).ok;

async function expectErrors(socket: TestSocket, sent: number) {
  for (let i = 0; i < sent; i++) {
    const err = await socket.next("error", 5000);
    expect(CODES.has(err.code), `unknown code ${err.code}`).toBe(true);
    expect(err.message.length).toBeGreaterThan(0);
    expect(err.message).not.toMatch(/\bat \S+:\d+|stack|TypeError|undefined is not/);
  }
}

describe("fuzzing", () => {
  it(`answers ${FRAME_RUNS} malformed socket frames with coded errors and changes nothing`, async () => {
    const before = await snapshot();
    const visitor = await mustOpen(visitorSocketPath(conversationId, visitorToken));
    const operator = await mustOpen(`/ws/sites/site_f/conversations/${conversationId}`, { cookie });
    await Promise.all([visitor.next("hello"), operator.next("hello")]);

    const samples = fc.sample(frames.filter(invalid), { numRuns: FRAME_RUNS, seed: 20261123 });
    const BATCH = 250;
    for (let i = 0; i < samples.length; i += BATCH) {
      const batch = samples.slice(i, i + BATCH);
      // Alternate the two roles, and now and then a binary frame.
      for (const [j, raw] of batch.entries()) {
        const s = j % 2 ? operator : visitor;
        if (j % 97 === 0) s.ws.send(new TextEncoder().encode(raw));
        else s.ws.send(raw);
      }
      const forVisitor = batch.filter((_, j) => j % 2 === 0).length;
      await Promise.all([expectErrors(visitor, forVisitor), expectErrors(operator, batch.length - forVisitor)]);
    }
    expect(visitor.closed).toBeNull();
    expect(operator.closed).toBeNull();
    expect(await snapshot()).toEqual(before);

    // Still fully working afterwards.
    visitor.send({ type: "message.send", clientId: "after-fuzz", text: "still alive" });
    expect((await visitor.next("ack")).message.text).toBe("still alive");
    expect((await operator.next("message")).message.text).toBe("still alive");
    visitor.close();
    operator.close();
  }, 240_000);

  it(`answers ${REST_RUNS} malformed REST bodies with coded 4xx errors and changes nothing`, async () => {
    const before = await snapshot();
    const routes: { path: string; valid: (x: unknown) => boolean; headers?: Record<string, string> }[] = [
      { path: "/api/auth/login", valid: (x) => v.is(LoginBody, x) },
      { path: "/api/widget/session", valid: (x) => v.is(VisitorSessionBody, x) },
      { path: "/api/widget/conversations", valid: () => false, headers: { authorization: "Bearer not-a-token" } },
      { path: `/api/sites/site_f/conversations/${conversationId}/status`, valid: (x) => v.is(StatusBody, x) },
    ];
    const bodies = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 300 }),
      fc.record({ email: weird, password: weird }, { requiredKeys: [] }).map((x) => JSON.stringify(x)),
      fc.record({ siteKey: weird, token: weird }, { requiredKeys: [] }).map((x) => JSON.stringify(x)),
      fc.record({ status: weird }, { requiredKeys: [] }).map((x) => JSON.stringify(x)),
    );
    const samples = fc.sample(fc.tuple(fc.nat(routes.length - 1), bodies), { numRuns: REST_RUNS, seed: 42 });
    let checked = 0;
    for (const [r, body] of samples) {
      const route = routes[r]!;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      if (route.valid(parsed)) continue;
      const res = await api(route.path, {
        method: "POST",
        body,
        cookie,
        headers: { "content-type": "application/json", ...route.headers },
      });
      expect(res.status, `${route.path} ${body.slice(0, 80)}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${route.path} ${body.slice(0, 80)}`).toBeLessThan(500);
      const json = (await res.json()) as { error: { code: string; message: string } };
      expect(CODES.has(json.error.code)).toBe(true);
      expect(JSON.stringify(json)).not.toMatch(/\bat \S+:\d+|stack/);
      checked++;
    }
    expect(checked).toBeGreaterThan(REST_RUNS * 0.9);
    expect(await snapshot()).toEqual(before);
  }, 240_000);

  it(`answers ${INPUT_RUNS} paths, queries and strings with NUL, control characters, lone surrogates and bad escapes without a 500`, async () => {
    const hex = (b: number) => `%${b.toString(16).padStart(2, "0")}`;
    // Raw path and query pieces: escapes of any byte (so invalid UTF-8 and NUL), `%` alone, ids.
    const piece = fc.oneof(
      fc.constantFrom("%", "%25", "%ff", "%00", "%ED%A0%80", "%c3%28", "%E0%A4%A", "%2F", "..", "%0A", "+"),
      fc.stringMatching(/^[A-Za-z0-9_.~-]{0,6}$/),
      fc.integer({ min: 0, max: 255 }).map(hex),
    );
    const raw = fc.array(piece, { minLength: 1, maxLength: 8 }).map((p) => p.join(""));
    // JSON text whose strings hold control characters and lone surrogates (as JSON escapes).
    const nasty = fc
      .array(
        fc.oneof(
          fc.constantFrom("\\u0000", "\\ud800", "\\udfff", "\\ud83d", "\\u0007", "\\u001f", "\\u202e", "%ff", "\\\\"),
          fc.stringMatching(/^[a-z ]{0,5}$/),
        ),
        { maxLength: 6 },
      )
      .map((p) => p.join(""));
    const cases = fc.oneof(
      raw.map((q) => ({ method: "GET", path: `/api/sites/site_f/search?q=${q}` })),
      raw.map((id) => ({ method: "GET", path: `/api/v1/customers/${id}`, key: true })),
      raw.map((id) => ({ method: "GET", path: `/api/v1/orders/${id}`, key: true })),
      raw.map((id) => ({ method: "GET", path: `/api/sites/site_f/visitors/${id}` })),
      raw.map((id) => ({ method: "GET", path: `/api/sites/site_f/conversations/${id}` })),
      nasty.map((t) => ({
        method: "PUT",
        path: "/api/v1/customers/fuzz",
        key: true,
        body: `{"name":"${t}","attributes":{"${t}":"${t}"}}`,
      })),
      nasty.map((t) => ({
        method: "POST",
        path: "/api/sites/site_f/saved-replies",
        body: `{"shortcut":"f","body":"${t}","personal":true}`,
      })),
      raw.map((q) => ({ method: "GET", path: `/api/sites/site_f/visitors?q=${q}` })),
    );
    const samples = fc.sample(cases, { numRuns: INPUT_RUNS, seed: 14 });
    for (const c of samples) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if ("key" in c) headers.authorization = `Bearer ${apiKey}`;
      const res = await api(c.path, { method: c.method, cookie, headers, ...("body" in c ? { body: c.body } : {}) });
      const label = `${c.method} ${c.path} ${"body" in c ? c.body : ""}`;
      expect(res.status, label).toBeLessThan(500);
      const text = await res.text();
      if (res.status >= 400) expect(CODES.has((JSON.parse(text) as { error: { code: string } }).error.code), label).toBe(true);
      // Whatever was accepted came back well-formed: no lone surrogate survives into an answer.
      expect(loneSurrogateIn(JSON.parse(text)), label).toBe(false);
    }
  }, 120_000);
});
