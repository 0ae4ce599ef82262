/**
 * The visitor shard's SQLite in D1's shape: `prepare(sql).bind(...).first/all/run()` and
 * `batch([...])` (one `transactionSync`), so the tracking SQL written for D1 (TrackWriter, the
 * visitor reads) runs unchanged against a shard's own tables. Synchronous underneath; the
 * promises resolve at once. Only the subset those callers use: `first(column?)`, `all()`,
 * `run()` (meta.changes), `raw` is not offered. Used by VisitorShard only.
 */

type Row = Record<string, SqlStorageValue>;

export class ShardStatement {
  constructor(
    private readonly db: ShardSql,
    readonly sql: string,
    readonly params: unknown[] = [],
  ) {}

  bind(...params: unknown[]): ShardStatement {
    return new ShardStatement(this.db, this.sql, params);
  }

  /** Runs now; rows as objects. */
  exec(): { results: Row[]; changes: number } {
    const cursor = this.db.storage.sql.exec(this.sql, ...(this.params.map(toSql) as SqlStorageValue[]));
    const results = cursor.toArray() as Row[];
    this.db.counts.statements++;
    this.db.counts.rowsWritten += cursor.rowsWritten;
    return { results, changes: cursor.rowsWritten };
  }

  async first<T = Row>(column?: string): Promise<T | null> {
    const row = this.exec().results[0];
    if (!row) return null;
    return (column ? row[column] : row) as T;
  }

  async all<T = Row>(): Promise<{ results: T[]; success: true; meta: { changes: number } }> {
    const { results, changes } = this.exec();
    return { results: results as T[], success: true, meta: { changes } };
  }

  async run(): Promise<{ results: Row[]; success: true; meta: { changes: number } }> {
    const { results, changes } = this.exec();
    return { results, success: true, meta: { changes } };
  }
}

export class ShardSql {
  /** Statements run and rows written since the object started (the benchmark's counts). */
  readonly counts = { statements: 0, rowsWritten: 0 };

  constructor(readonly storage: DurableObjectStorage) {}

  prepare(sql: string): ShardStatement {
    return new ShardStatement(this, sql);
  }

  /** All statements in one transaction, as D1's batch: every one or none. */
  async batch(statements: ShardStatement[]): Promise<{ results: Row[]; success: true; meta: { changes: number } }[]> {
    return this.batchSync(statements);
  }

  batchSync(statements: ShardStatement[]): { results: Row[]; success: true; meta: { changes: number } }[] {
    if (!statements.length) return [];
    return this.storage.transactionSync(() =>
      statements.map((s) => {
        const { results, changes } = s.exec();
        return { results, success: true as const, meta: { changes } };
      }),
    );
  }

  /** This adapter where code typed for D1 takes a database (the subset above is what it uses). */
  asD1(): D1Database {
    return this as unknown as D1Database;
  }
}

function toSql(v: unknown): SqlStorageValue {
  if (v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  return v as SqlStorageValue;
}
