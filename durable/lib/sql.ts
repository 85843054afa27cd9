/**
 * A thin layer over Durable Object SQLite: tagged templates bind parameters (no string
 * concatenation of values, ever) and failures are rethrown with the query text.
 *
 *   db.all<Row>`select * from ledger where currency = ${currency}`
 */

export type SqlValue = string | number | null | ArrayBuffer;

const queryCache = new WeakMap<TemplateStringsArray, string>();

function toQuery(strings: TemplateStringsArray): string {
  let q = queryCache.get(strings);
  if (q === undefined) {
    q = strings.join('?');
    queryCache.set(strings, q);
  }
  return q;
}

export class Db {
  constructor(private readonly sql: SqlStorage) {}

  private exec(strings: TemplateStringsArray, values: SqlValue[]): SqlStorageCursor<Record<string, SqlStorageValue>> {
    const query = toQuery(strings);
    try {
      return this.sql.exec(query, ...values);
    } catch (err) {
      throw new Error(`SQL failed: ${(err as Error).message}\n  in: ${query.trim().replace(/\s+/g, ' ')}`);
    }
  }

  all<T>(strings: TemplateStringsArray, ...values: SqlValue[]): T[] {
    return this.exec(strings, values).toArray() as T[];
  }

  /** First row or null. */
  first<T>(strings: TemplateStringsArray, ...values: SqlValue[]): T | null {
    const rows = this.exec(strings, values).toArray();
    return (rows[0] as T | undefined) ?? null;
  }

  /** Runs a statement; returns rows written. */
  run(strings: TemplateStringsArray, ...values: SqlValue[]): number {
    return this.exec(strings, values).rowsWritten;
  }

  /** Runs a whole script (schema migrations only; no parameters). */
  script(text: string): void {
    this.sql.exec(text);
  }
}

/**
 * Applies numbered migrations once each, recording them in `_migrations`. Call from the object's
 * constructor inside `blockConcurrencyWhile` so no request sees a half-migrated schema.
 */
export function migrate(db: Db, migrations: readonly string[]): void {
  db.script('create table if not exists _migrations (version integer primary key, applied_at integer not null)');
  const done = db.first<{ v: number | null }>`select max(version) as v from _migrations`?.v ?? 0;
  for (let v = done + 1; v <= migrations.length; v++) {
    db.script(migrations[v - 1]!);
    db.run`insert into _migrations (version, applied_at) values (${v}, ${Date.now()})`;
  }
}
