/**
 * Counting instrumentation for the benchmark (issue 10): per request kind, D1 round trips,
 * statements and rows written; Durable Object calls by class and method; HMAC sign/verify
 * operations; and the Durable Objects' own SQLite statements and rows written.
 *
 * Off unless the `GADKA_METRICS` var is "1" (`npm run bench` passes it to its own `wrangler dev`
 * with `--var`); the only cost when off is one property check per request and per object
 * construction. Nothing is edited at call sites: the Worker's `env` is wrapped once per request
 * (a Proxy around D1 and the Durable Object namespaces), each Durable Object's `env` and
 * `ctx.storage.sql.exec` once in its constructor (worker/index.ts exports instrumented subclasses), and
 * `crypto.subtle.sign/verify` once per isolate. The counters live in the isolate's memory: under
 * `wrangler dev` and the Workers pool the Worker and every Durable Object share one isolate, so
 * one reading covers all of them (in production they would not — and the route is refused there).
 *
 * Read and reset with `GET` / `DELETE /api/dev/metrics` (only when ENVIRONMENT is "development"
 * and the var is set; a 404 like any unknown route otherwise). Who may import: worker/index.ts
 * and tests.
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface Counts {
  /** Worker requests (Worker kinds) or Durable Object constructions (object kinds). */
  events: number;
  d1: { roundTrips: number; statements: number; rowsWritten: number; rowsRead: number };
  /** Calls on Durable Object stubs, by `Class.method` (`fetch` included). */
  doCalls: Record<string, number>;
  hmac: { sign: number; verify: number };
  /** `ctx.storage.sql.exec` by the objects of each class: statements and `cursor.rowsWritten`. */
  doSql: Record<string, { statements: number; rowsWritten: number }>;
}

export interface MetricsSnapshot {
  total: Counts;
  /** `POST /api/track ping`, `GET /api/sites/:id/visitors`, … for Worker requests; `DO SiteHub` for the objects' own work. */
  byKind: Record<string, Counts>;
}

export const METRICS_PATH = "/api/dev/metrics";

const empty = (): Counts => ({
  events: 0,
  d1: { roundTrips: 0, statements: 0, rowsWritten: 0, rowsRead: 0 },
  doCalls: {},
  hmac: { sign: 0, verify: 0 },
  doSql: {},
});

let total = empty();
let byKind = new Map<string, Counts>();
/** Tests switch counting on without the var (the pool's objects get the runtime's env). */
let forced = false;

/** Where a count goes: its kind's bucket and the total. */
type Sink = (f: (c: Counts) => void) => void;

function sinkFor(kind: string): Sink {
  return (f) => {
    let bucket = byKind.get(kind);
    if (!bucket) {
      bucket = empty();
      byKind.set(kind, bucket);
    }
    f(bucket);
    f(total);
  };
}

const context = new AsyncLocalStorage<Sink>();
const unattributed = sinkFor("unattributed");

export function metricsEnabled(env: unknown): boolean {
  return forced || (env as { GADKA_METRICS?: string } | undefined)?.GADKA_METRICS === "1";
}

/** For tests: count without the var, or stop. */
export function forceMetrics(on: boolean): void {
  forced = on;
  if (on) patchSubtle();
}

export function resetMetrics(): void {
  total = empty();
  byKind = new Map();
}

export function metricsSnapshot(): MetricsSnapshot {
  return structuredClone({ total, byKind: Object.fromEntries(byKind) });
}

// ---- D1 ---------------------------------------------------------------------------------------

const realStatement = new WeakMap<object, D1PreparedStatement>();

function countResult(sink: Sink, statements: number, results: D1Result[]) {
  sink((c) => {
    c.d1.roundTrips++;
    c.d1.statements += statements;
    for (const r of results) {
      c.d1.rowsWritten += r.meta?.rows_written ?? 0;
      c.d1.rowsRead += r.meta?.rows_read ?? 0;
    }
  });
}

function wrapStatement(sink: Sink, stmt: D1PreparedStatement): D1PreparedStatement {
  const wrapped: D1PreparedStatement = {
    bind: (...values: unknown[]) => wrapStatement(sink, stmt.bind(...values)),
    run: async <T>() => {
      const r = await stmt.run<T>();
      countResult(sink, 1, [r]);
      return r;
    },
    all: async <T>() => {
      const r = await stmt.all<T>();
      countResult(sink, 1, [r]);
      return r;
    },
    // `first` answers no meta (rows written), so it runs as `all` and takes the first row, as D1 does.
    first: (async (column?: string) => {
      const r = await stmt.all<Record<string, unknown>>();
      countResult(sink, 1, [r]);
      const row = r.results[0];
      if (!row) return null;
      if (column === undefined) return row;
      if (!(column in row)) throw new Error("D1_COLUMN_NOTFOUND: Column not found");
      return row[column];
    }) as D1PreparedStatement["first"],
    raw: (async (options?: { columnNames?: boolean }) => {
      sink((c) => {
        c.d1.roundTrips++;
        c.d1.statements++;
      });
      return stmt.raw(options as { columnNames: true });
    }) as D1PreparedStatement["raw"],
  } as D1PreparedStatement;
  realStatement.set(wrapped, stmt);
  return wrapped;
}

function wrapD1(sink: Sink, db: D1Database): D1Database {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare") return (query: string) => wrapStatement(sink, target.prepare(query));
      if (prop === "batch")
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements.map((s) => realStatement.get(s) ?? s));
          countResult(sink, statements.length, results);
          return results;
        };
      if (prop === "exec")
        return async (query: string) => {
          const r = await target.exec(query);
          sink((c) => {
            c.d1.roundTrips++;
            c.d1.statements += r.count;
          });
          return r;
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

// ---- Durable Object stubs -----------------------------------------------------------------------

/** wrangler.toml's bindings and their classes (an unknown namespace is named by its binding). */
const CLASS_OF_BINDING: Record<string, string> = {
  CONVERSATION: "ConversationRoom",
  SITE_HUB: "SiteHub",
  VISITOR_SHARD: "VisitorShard",
};

const NOT_RPC = new Set(["then", "id", "name", "constructor", "toJSON"]);

function wrapStub<T extends object>(sink: Sink, className: string, stub: T): T {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof prop !== "string" || NOT_RPC.has(prop) || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const key = `${className}.${prop}`;
        sink((c) => {
          c.doCalls[key] = (c.doCalls[key] ?? 0) + 1;
        });
        // Reflect.apply, not value.apply: on an RPC stub every property is a remote method.
        return Reflect.apply(value, target, args);
      };
    },
  });
}

function wrapNamespace(sink: Sink, className: string, ns: DurableObjectNamespace): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getByName" || prop === "getExisting")
        return (...args: unknown[]) => wrapStub(sink, className, Reflect.apply(value, target, args) as object);
      if (prop === "jurisdiction")
        return (...args: unknown[]) => wrapNamespace(sink, className, Reflect.apply(value, target, args) as DurableObjectNamespace);
      return value.bind(target);
    },
  });
}

function isNamespace(value: unknown): value is DurableObjectNamespace {
  return typeof value === "object" && value !== null && typeof (value as DurableObjectNamespace).idFromName === "function";
}

/** `env` with D1 and every Durable Object namespace counted into `sink`. */
function wrapEnv<E extends object>(sink: Sink, env: E): E {
  const cache = new Map<PropertyKey, unknown>();
  return new Proxy(env, {
    get(target, prop) {
      if (cache.has(prop)) return cache.get(prop);
      const value = Reflect.get(target, prop, target);
      let out: unknown = value;
      if (prop === "DB") out = wrapD1(sink, value as D1Database);
      else if (typeof prop === "string" && isNamespace(value)) out = wrapNamespace(sink, CLASS_OF_BINDING[prop] ?? prop, value);
      cache.set(prop, out);
      return out;
    },
  });
}

// ---- Durable Object storage ---------------------------------------------------------------------

/**
 * Counts the object's `ctx.storage.sql.exec` in place: the runtime accepts only its own
 * DurableObjectState in the base constructor, so the SqlStorage instance gets an own `exec`.
 */
function countSql(sink: Sink, className: string, ctx: DurableObjectState): void {
  const sql = ctx.storage.sql;
  const exec = sql.exec.bind(sql);
  Object.defineProperty(sql, "exec", {
    configurable: true,
    value: (query: string, ...bindings: unknown[]) => {
      const cursor = exec(query, ...bindings);
      // Statements without results have run by now; ones with results run as the caller reads the
      // cursor, which SQLite's synchronous API does before the next await — so read it just after.
      queueMicrotask(() =>
        sink((c) => {
          c.doSql[className] ??= { statements: 0, rowsWritten: 0 };
          c.doSql[className].statements++;
          c.doSql[className].rowsWritten += cursor.rowsWritten;
        }),
      );
      return cursor;
    },
  });
}

// ---- HMAC -----------------------------------------------------------------------------------------

let subtlePatched = false;

function isHmac(algorithm: unknown): boolean {
  const name = typeof algorithm === "string" ? algorithm : (algorithm as { name?: unknown } | null)?.name;
  return typeof name === "string" && name.toUpperCase() === "HMAC";
}

/** Counts HMAC sign/verify (worker/lib/crypto.ts's helpers use the platform's subtle crypto). */
function patchSubtle() {
  if (subtlePatched) return;
  subtlePatched = true;
  const subtle = crypto.subtle;
  const sign = subtle.sign.bind(subtle);
  const verify = subtle.verify.bind(subtle);
  Object.defineProperty(subtle, "sign", {
    configurable: true,
    value: (...args: Parameters<SubtleCrypto["sign"]>) => {
      if (isHmac(args[0])) (context.getStore() ?? unattributed)((c) => c.hmac.sign++);
      return sign(...args);
    },
  });
  Object.defineProperty(subtle, "verify", {
    configurable: true,
    value: (...args: Parameters<SubtleCrypto["verify"]>) => {
      if (isHmac(args[0])) (context.getStore() ?? unattributed)((c) => c.hmac.verify++);
      return verify(...args);
    },
  });
}

/** For tests: `env` counted under `kind`, as the Worker's entry wraps it for a request. */
export function countedEnv<E extends object>(kind: string, env: E): E {
  patchSubtle();
  return wrapEnv(sinkFor(kind), env);
}

// ---- Entry points ---------------------------------------------------------------------------------

/** The request's kind: method, path with ids generalised, and the beacon's event. */
async function kindOf(request: Request): Promise<string> {
  const url = new URL(request.url);
  const path = url.pathname
    .split("/")
    .map((seg) => (/^[a-z]{1,4}_[A-Za-z0-9_-]{6,}$|^\d+$|^[0-9a-f-]{16,}$/.test(seg) ? ":id" : seg))
    .join("/");
  let kind = `${request.method} ${path}`;
  if (request.method === "POST" && url.pathname === "/api/track") {
    try {
      const e = (JSON.parse(await request.clone().text()) as { e?: unknown }).e;
      if (typeof e === "string" && /^[a-z]{1,16}$/.test(e)) kind += ` ${e}`;
    } catch {
      // not JSON: the route answers it
    }
  }
  return kind;
}

type Fetch<E> = (request: Request, env: E, ctx: ExecutionContext) => Response | Promise<Response>;

/**
 * The Worker's fetch with counting when enabled: the request's kind, its `env` wrapped, HMAC
 * attributed to it; and the dev route to read (`GET`) or reset (`DELETE`) the counters.
 */
export function countedFetch<E extends object>(fetch: Fetch<E>): Fetch<E> {
  return async (request, env, ctx) => {
    if (!metricsEnabled(env)) return fetch(request, env, ctx);
    patchSubtle();
    if (new URL(request.url).pathname === METRICS_PATH) {
      if ((env as { ENVIRONMENT?: string }).ENVIRONMENT !== "development") return fetch(request, env, ctx);
      if (request.method === "DELETE") {
        resetMetrics();
        return new Response(null, { status: 204 });
      }
      return Response.json(metricsSnapshot(), { headers: { "Cache-Control": "no-store" } });
    }
    const sink = sinkFor(await kindOf(request));
    sink((c) => c.events++);
    return context.run(sink, () => fetch(request, wrapEnv(sink, env), ctx));
  };
}

type ObjectClass = abstract new (ctx: DurableObjectState, env: never) => object;
type ObjectBase = abstract new (ctx: DurableObjectState, env: object) => object;

/**
 * `Base` with counting when enabled: its `ctx.storage.sql` and its `env` (D1, other objects)
 * counted under `DO <name>`. The subclass is what worker/index.ts exports under the same name.
 */
export function countedObject<C extends ObjectClass>(Base: C, name: string): C {
  abstract class Counted extends (Base as unknown as ObjectBase) {
    constructor(ctx: DurableObjectState, env: object) {
      if (!metricsEnabled(env)) {
        super(ctx, env);
        return;
      }
      patchSubtle();
      const sink = sinkFor(`DO ${name}`);
      sink((c) => c.events++);
      countSql(sink, name, ctx);
      super(ctx, wrapEnv(sink, env));
    }
  }
  Object.defineProperty(Counted, "name", { value: name });
  return Counted as unknown as C;
}
