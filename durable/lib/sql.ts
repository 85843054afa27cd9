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
 * A schema migration: a script, or, for the rare change SQL cannot state whatever columns earlier
 * migrations added (rebuilding a table to widen a CHECK constraint), a function of the database.
 */
export type Migration = string | ((db: Db) => void);

/** What migrate() needs of the object's storage: its synchronous transactions. */
export type TransactionalStorage = Pick<DurableObjectStorage, 'transactionSync'>;

/**
 * Applies numbered migrations once each, recording them in `_migrations`. Call from the object's
 * constructor inside `blockConcurrencyWhile` so no request sees a half-migrated schema. Each
 * migration and its record are one transaction of the object's `storage`: a step that fails half
 * way (a table rebuild dropped but not yet renamed) leaves nothing behind, and the object starts on
 * the schema it had. Required, not optional: every object's migrations are atomic.
 */
export function migrate(db: Db, migrations: readonly Migration[], storage: TransactionalStorage): void {
  db.script('create table if not exists _migrations (version integer primary key, applied_at integer not null)');
  const done = db.first<{ v: number | null }>`select max(version) as v from _migrations`?.v ?? 0;
  for (let v = done + 1; v <= migrations.length; v++) {
    const m = migrations[v - 1]!;
    storage.transactionSync(() => {
      if (typeof m === 'string') db.script(m);
      else m(db);
      db.run`insert into _migrations (version, applied_at) values (${v}, ${Date.now()})`;
    });
  }
}

/**
 * Rebuilds `table` with its stored DDL changed by `edit` (SQLite cannot alter a constraint), keeping
 * every column (those added by ALTER TABLE are in the stored DDL too, in order) and every row. Its
 * indexes and triggers (dropped with the old table) are recreated from their stored DDL: a rebuild
 * must not quietly lift the ledger's append-only triggers. `edit` must change something: a DDL that no longer
 * reads as expected fails the migration instead of silently keeping the old constraint.
 */
export function rebuildTable(db: Db, table: string, edit: (ddl: string) => string): void {
  const ddl = db.first<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = ${table}`?.sql;
  if (!ddl) throw new Error(`rebuildTable: no table ${table}`);
  const edited = edit(ddl);
  if (edited === ddl) throw new Error(`rebuildTable: the edit did not change the DDL of ${table}`);
  const dependents = db.all<{ sql: string }>`select sql from sqlite_master where type in ('index', 'trigger') and tbl_name = ${table} and sql is not null`;
  const tmp = `${table}_rebuilt`;
  const head = new RegExp(`^create table ("?)${table}\\1`, 'i');
  if (!head.test(edited)) throw new Error(`rebuildTable: unexpected DDL of ${table}`);
  db.script(edited.replace(head, `create table ${tmp}`));
  db.script(`insert into ${tmp} select * from ${table}; drop table ${table}; alter table ${tmp} rename to ${table};`);
  for (const d of dependents) db.script(d.sql);
}
