/**
 * Materializes one model version into its physical object, per kind, and records the intervals it
 * now holds in the same transaction as the data: after a crash, meta.intervals never claims data
 * the table does not have, nor the reverse. Parent references are rendered to the relations the
 * caller chooses (the parents' physical tables of the plan or environment being built), so a
 * build never reads another environment's data.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { timeMacros } from '../files/macros';
import { seedPath } from '../files/project';
import { renderQuery } from '../compile/render';
import type { Interval } from './intervals';
import { batches } from './intervals';
import { PHYSICAL_SCHEMA, physicalRelation, quoteIdent } from '../names';
import { addIntervals, select, tableIntervals, transaction, ts } from './state';
import type { CompiledModel } from '../types';
import { sqlString } from '../../db';

export interface BuildTarget {
  compiled: CompiledModel;
  version: string;
  /** The relation each parent is read from: its physical table in this plan/environment, an EXTERNAL by name. */
  relationOf: (model: string) => string;
  /** Project root, where a SEED's CSV is found. */
  root: string;
}

export interface BuildWork {
  /**
   * What to compute. Incremental kinds: the unit intervals to (re)compute, cut into batches here.
   * VIEW, FULL and SEED: one interval, the whole history [start, bound), rebuilt at once.
   */
  intervals: Interval[];
  /** The still-open interval of an allow_partials model, computed now and recorded as partial. */
  partial?: Interval;
  now: number;
}

export interface BuildResult { rows: number; computed: Interval[] }

/**
 * Runs inside each batch's transaction after its rows are written and before they commit (the
 * model's audits): throwing rolls the batch back, data and intervals, so rows that fail a blocking
 * audit are never visible to anyone.
 */
export type BatchCheck = (interval: Interval) => Promise<void>;

/** Builds `work` into the target's physical object. Throws (nothing of the failed batch committed) on a SQL error or a failed check. */
export async function materialize(con: DuckDBConnection, target: BuildTarget, work: BuildWork, check?: BatchCheck): Promise<BuildResult> {
  const kind = target.compiled.def.kind;
  await createMacros(con, target.compiled);
  const table = physicalRelation(target.compiled.def.name, target.version);
  let rows = 0;
  const computed: Interval[] = [];
  const step = async (interval: Interval, partial: boolean, fn: (sql: string) => Promise<number>) => {
    await transaction(con, async () => {
      rows += await fn(render(target, interval, work.now));
      if (kind.name === 'VIEW' || kind.name === 'FULL' || kind.name === 'SEED') await clearIntervals(con, target);
      await addIntervals(con, target.compiled.def.name, target.version, [interval], { partial, now: work.now });
      await check?.(interval);
    });
    computed.push(interval);
  };
  switch (kind.name) {
    case 'EXTERNAL':
      return { rows: 0, computed };
    case 'VIEW':
      for (const i of work.intervals) await step(i, false, async (sql) => { await con.run(`create or replace view ${table} as ${sql}`); return 0; });
      return { rows, computed };
    case 'FULL':
      for (const i of [...work.intervals, ...(work.partial ? [work.partial] : [])]) {
        await step(i, i === work.partial, async (sql) => {
          await con.run(`create or replace table ${table} as ${sql}`);
          return countRows(con, table);
        });
      }
      return { rows, computed };
    case 'SEED':
      for (const i of work.intervals) await step(i, false, async () => {
        await con.run(`create or replace table ${table} as select * from ${readSeed(target)}`);
        return countRows(con, table);
      });
      return { rows, computed };
    case 'INCREMENTAL_BY_TIME_RANGE': {
      const tc = quoteIdent(kind.timeColumn);
      const fill = (i: Interval) => async (sql: string) => {
        await ensureTable(con, table, sql);
        // A DATE column holds whole days: an interval covers the days it touches (SQLMesh's rule),
        // else every sub-day interval but a day's first would filter that day's rows away.
        const isDate = (await describe(con, `select ${tc} from ${table}`))[0]?.type === 'DATE';
        const inRange = (rel: string) => (isDate
          ? `${rel}.${tc} between DATE '${ts(i[0]).slice(0, 10)}' and DATE '${ts(i[1] - 1).slice(0, 10)}'`
          : `${rel}.${tc} >= TIMESTAMP '${ts(i[0])}' and ${rel}.${tc} < TIMESTAMP '${ts(i[1])}'`);
        await con.run(`delete from ${table} where ${inRange(table)}`);
        // The output is filtered too (as SQLMesh does): a query that returns rows outside its
        // interval must not overwrite a neighbour's data.
        const r = await con.run(`insert into ${table} by name select * from ${sql} as q where ${inRange('q')}`);
        return r.rowsChanged;
      };
      for (const b of batches(work.intervals, kind.batchSize)) await step(b, false, fill(b));
      if (work.partial) await step(work.partial, true, fill(work.partial));
      return { rows, computed };
    }
    case 'INCREMENTAL_BY_UNIQUE_KEY': {
      const keys = kind.uniqueKey.map(quoteIdent);
      const merge = async (sql: string) => {
        const fresh = quoteIdent(`wh_new_${Math.random().toString(36).slice(2)}`);
        await con.run(`create temp table ${fresh} as select * from ${sql} as q`);
        // Two rows for one key would both be inserted (the delete only sees the table): refuse the batch.
        const dup = await select<Record<string, unknown>>(con, `select ${keys.join(', ')}, count(*) as wh_rows
          from ${fresh} group by all having count(*) > 1 order by wh_rows desc limit 1`);
        if (dup[0]) {
          const key = kind.uniqueKey.map((k) => `${k} = ${dup[0]![k] === null ? 'NULL' : `'${String(dup[0]![k])}'`}`).join(', ');
          throw new Error(`unique_key (${kind.uniqueKey.join(', ')}) is not unique in the query's rows: ${String(dup[0]['wh_rows'])} rows have ${key} (nothing of this batch was written)`);
        }
        await ensureTable(con, table, `(select * from ${fresh})`);
        // The state says the table holds nothing (first fill, or a restatement cleared it): rows
        // left from before would survive a merge whose query no longer produces their keys.
        if ((await tableIntervals(con, target.compiled.def.name, target.version)).done.length === 0) await con.run(`delete from ${table}`);
        // NULL is a key value like any other (`=` would never match it and the row would pile up on every merge).
        await con.run(`delete from ${table} t where exists (select 1 from ${fresh} n where ${keys.map((k) => `t.${k} is not distinct from n.${k}`).join(' and ')})`);
        const r = await con.run(`insert into ${table} by name select * from ${fresh}`);
        await con.run(`drop table ${fresh}`);
        return r.rowsChanged;
      };
      for (const b of batches(work.intervals, undefined)) await step(b, false, merge);
      if (work.partial) await step(work.partial, true, merge);
      return { rows, computed };
    }
  }
}

/**
 * The user SQL macro versions the query calls, callees first, committed before the model is built
 * (a view calling one must work for every process that opens the warehouse). A version's name
 * includes its text's hash: IF NOT EXISTS never replaces another text.
 */
export async function createMacros(con: DuckDBConnection, compiled: CompiledModel): Promise<void> {
  const macros = compiled.macros ?? [];
  if (macros.length === 0) return;
  await con.run(`create schema if not exists ${quoteIdent(PHYSICAL_SCHEMA)}`);
  for (const m of macros) await con.run(m.create);
}

/** The query rendered for `interval`, parenthesized so it can be wrapped (`select * from (...) as q`). */
function render(target: BuildTarget, interval: Interval, now: number): string {
  const macros = {
    ...timeMacros({ start: new Date(interval[0]), end: new Date(interval[1]) }, new Date(now)),
    this_model: physicalRelation(target.compiled.def.name, target.version),
  };
  // renderQuery drops a trailing `;` and ends a last-line comment with a newline, so wrapping is safe.
  return `(\n${renderQuery(target.compiled, { relationOf: target.relationOf, macros })}\n)`;
}

/**
 * Creates the incremental table from the query's shape the first time; later, adds the columns
 * the query now outputs and the table lacks (a forward-only change keeps the table), so
 * `insert ... by name` fits. Dropped columns stay and are filled with NULL. A column whose type
 * changed is widened when the old type casts to the new one losslessly (INTEGER -> DOUBLE);
 * otherwise the build fails: `insert` would silently round or truncate the new values.
 */
async function ensureTable(con: DuckDBConnection, table: string, sql: string): Promise<void> {
  await con.run(`create table if not exists ${table} as select * from ${sql} as q limit 0`);
  const have = new Map((await describe(con, `select * from ${table}`)).map((c) => [c.name, c.type]));
  for (const col of await describe(con, `select * from ${sql} as q`)) {
    const old = have.get(col.name);
    if (old === undefined) await con.run(`alter table ${table} add column ${quoteIdent(col.name)} ${col.type}`);
    else if (old !== col.type) {
      const widens = await select<{ ok: boolean }>(con, `select can_cast_implicitly(NULL::${old}, NULL::${col.type}) as ok`);
      if (!widens[0]?.ok) throw new Error(`column ${col.name} is ${old} in the table but ${col.type} in the query: the kept table cannot take it without rounding or truncating (cast it in the query, or make the change breaking)`);
      await con.run(`alter table ${table} alter column ${quoteIdent(col.name)} type ${col.type}`);
    }
  }
}

async function describe(con: DuckDBConnection, sql: string): Promise<{ name: string; type: string }[]> {
  const found = await select<{ column_name: string; column_type: string }>(con, `describe ${sql}`);
  return found.map((r) => ({ name: r.column_name, type: r.column_type }));
}

async function countRows(con: DuckDBConnection, table: string): Promise<number> {
  const r = await con.runAndReadAll(`select count(*) from ${table}`);
  return Number(r.getRows()[0]?.[0] ?? 0);
}

/** read_csv of the seed, with the declared column types when the header gives them. */
function readSeed(target: BuildTarget): string {
  const path = sqlString(seedPath({ root: target.root }, target.compiled.def)!);
  const cols = Object.entries(target.compiled.def.columns);
  if (cols.length === 0) return `read_csv(${path}, header = true, auto_detect = true)`;
  return `read_csv(${path}, header = true, columns = {${cols.map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`).join(', ')}})`;
}

/** A rebuild (VIEW, FULL, SEED) replaces what the table holds: its old intervals no longer describe it. */
async function clearIntervals(con: DuckDBConnection, target: BuildTarget): Promise<void> {
  await con.run('delete from meta.intervals where model = $1 and version = $2', [target.compiled.def.name, target.version]);
}

/**
 * Creates an incremental or FULL model's table empty when it has nothing to compute yet (its start
 * is in the future, a dev plan limited to a range): the environment's view needs something to read.
 */
export async function createEmpty(con: DuckDBConnection, target: BuildTarget, interval: Interval, now: number): Promise<void> {
  const kind = target.compiled.def.kind.name;
  if (kind === 'EXTERNAL' || kind === 'VIEW' || kind === 'SEED') return;
  await createMacros(con, target.compiled);
  await ensureTable(con, physicalRelation(target.compiled.def.name, target.version), render(target, interval, now));
}
