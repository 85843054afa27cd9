/**
 * The runner's state in the warehouse file (`meta.` tables), so what was built, for which
 * environment and over which intervals survives the process and is read back by the next plan,
 * run or janitor. Every write happens inside a transaction, and a transaction opened by a caller
 * (execute.ts: data and intervals together) is joined rather than nested, so state and data commit
 * or roll back as one.
 *
 * No primary keys: DuckDB checks unique constraints eagerly, so a delete and re-insert of the same
 * key inside one transaction can fail; uniqueness is kept by the (few) functions below instead.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import type { Interval } from './intervals';
import { merge, subtract } from './intervals';
import { PHYSICAL_SCHEMA, quoteIdent } from '../names';
import type { AuditDef, CompiledModel, Kind } from '../types';

export const CHANGE_CATEGORIES = ['added', 'breaking', 'non_breaking', 'forward_only', 'indirect_breaking', 'indirect_non_breaking', 'metadata'] as const;
export type ChangeCategory = (typeof CHANGE_CATEGORIES)[number];

export const RUN_OUTCOMES = ['ok', 'failed', 'audit_failed', 'skipped_upstream_failed'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

const list = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');

export const STATE_DDL = `
create schema if not exists meta;
create schema if not exists ${quoteIdent(PHYSICAL_SCHEMA)};

-- One row per model variant: a fingerprint (query + parents) materialized under a version
-- (the physical table), with its metadata. Forward-only changes give one fingerprint two versions
-- (prod's table and a dev preview); a metadata-only change is a new row over the same table, so a
-- dev environment's new cron or audits never become prod's. (model, fingerprint, version,
-- metadata_hash) is a snapshot's identity.
create table if not exists meta.snapshots (
  model varchar not null,
  fingerprint varchar not null,
  version varchar not null,
  data_hash varchar not null,
  metadata_hash varchar not null,
  kind json not null,
  change_category varchar not null check (change_category in (${list(CHANGE_CATEGORIES)})),
  model_def json not null,
  parents json not null,
  created_at timestamp not null,
  -- when an environment last stopped pointing at this version: the janitor's TTL counts from the
  -- later of this and created_at, so a table just replaced by a promotion is kept for a rollback
  released_at timestamp
);

create table if not exists meta.environments (
  env varchar not null,
  created_at timestamp not null,
  updated_at timestamp not null,
  expires_at timestamp,
  plan_id varchar
);

-- The snapshot each model of an environment points its view at.
create table if not exists meta.environment_models (
  env varchar not null,
  model varchar not null,
  fingerprint varchar not null,
  version varchar not null,
  metadata_hash varchar not null,
  promoted_at timestamp not null
);

-- What each physical table holds. A partial row is a still-open interval computed early
-- (allow_partials): it does not count as done and is recomputed by the next run.
create table if not exists meta.intervals (
  model varchar not null,
  version varchar not null,
  start_at timestamp not null,
  end_at timestamp not null,
  partial boolean not null,
  filled_at timestamp not null,
  check (end_at > start_at)
);

create table if not exists meta.model_runs (
  run_id varchar not null,
  env varchar not null,
  model varchar not null,
  version varchar not null,
  started_at timestamp not null,
  finished_at timestamp not null,
  outcome varchar not null check (outcome in (${list(RUN_OUTCOMES)})),
  error varchar,
  rows bigint,
  intervals varchar
);

create table if not exists meta.plans (
  plan_id varchar not null,
  env varchar not null,
  created_at timestamp not null,
  applied_at timestamp,
  summary json not null
);
`;

export async function ensureState(con: DuckDBConnection): Promise<void> {
  await con.run(STATE_DDL);
}

/**
 * Whether the runner's tables exist. Planning runs on a read-only connection (nothing is locked
 * while a plan is shown), where ensureState cannot run: a warehouse without them has no state yet.
 */
export async function stateExists(con: DuckDBConnection): Promise<boolean> {
  const found = await select<{ n: number }>(con, `select count(*) as n from duckdb_tables() where schema_name = 'meta' and table_name in ('snapshots', 'environments', 'environment_models', 'intervals')`);
  return found[0]?.n === 4;
}

const depth = new WeakMap<DuckDBConnection, number>();

/** Runs `fn` in a transaction, or inside the caller's when one is already open on `con`. */
export async function transaction<T>(con: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
  const d = depth.get(con) ?? 0;
  if (d > 0) {
    depth.set(con, d + 1);
    try {
      return await fn();
    } finally {
      depth.set(con, d);
    }
  }
  await con.run('begin transaction');
  depth.set(con, 1);
  try {
    const result = await fn();
    await con.run('commit');
    return result;
  } catch (err) {
    await con.run('rollback').catch(() => undefined);
    throw err;
  } finally {
    depth.set(con, 0);
  }
}

export const ts = (ms: number) => new Date(ms).toISOString();
const exec = (con: DuckDBConnection, sql: string, values: DuckDBValue[]) => con.run(sql, values);

/** Rows as objects, BIGINTs as numbers (every integer the runner stores fits in 2^53). */
export async function select<T>(con: DuckDBConnection, sql: string, values: DuckDBValue[] = []): Promise<T[]> {
  const reader = await con.runAndReadAll(sql, values);
  return reader.getRowObjectsJS().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as T);
}

// ---------------------------------------------------------------- snapshots

export interface Snapshot {
  model: string;
  fingerprint: string;
  version: string;
  changeCategory: ChangeCategory;
  /** The model as compiled when the snapshot was made: what run executes, never the local files. */
  compiled: CompiledModel;
  /** The custom audit files the model references, as they were: run audits with these. */
  customAudits: AuditDef[];
  createdAt: number;
}

/** Inserts the snapshots not yet recorded ((model, fingerprint, version, metadata hash) is their identity). */
export async function putSnapshots(con: DuckDBConnection, snapshots: readonly Snapshot[]): Promise<void> {
  await transaction(con, async () => {
    for (const s of snapshots) {
      const c = s.compiled;
      await exec(con, `insert into meta.snapshots
        select $1, $2, $3, $4, $5, $6::json, $7, $8::json, $9::json, $10::timestamp, null
        where not exists (select 1 from meta.snapshots where model = $1 and fingerprint = $2 and version = $3 and metadata_hash = $5)`,
      [s.model, s.fingerprint, s.version, c.dataHash, c.metadataHash, JSON.stringify(c.def.kind satisfies Kind), s.changeCategory,
        JSON.stringify({ ...c, customAudits: s.customAudits }), JSON.stringify(c.parents), ts(s.createdAt)]);
    }
  });
}

interface SnapshotRow { model: string; fingerprint: string; version: string; change_category: ChangeCategory; model_def: string; created_ms: number }
const SNAPSHOT_COLS = 's.model, s.fingerprint, s.version, s.change_category, s.model_def::varchar as model_def, epoch_ms(s.created_at) as created_ms';

function toSnapshot(r: SnapshotRow): Snapshot {
  const { customAudits = [], ...compiled } = JSON.parse(r.model_def) as CompiledModel & { customAudits?: AuditDef[] };
  return { model: r.model, fingerprint: r.fingerprint, version: r.version, changeCategory: r.change_category, compiled, customAudits, createdAt: Number(r.created_ms) };
}

// ---------------------------------------------------------------- environments

export interface EnvironmentInfo { env: string; createdAt: number; updatedAt: number; expiresAt: number | null; planId: string | null; models: number }

/** The snapshots an environment's views point at, by model name. */
export async function environmentSnapshots(con: DuckDBConnection, env: string): Promise<Map<string, Snapshot>> {
  const found = await select<SnapshotRow>(con, `select ${SNAPSHOT_COLS}
    from meta.environment_models e join meta.snapshots s using (model, fingerprint, version, metadata_hash)
    where e.env = $1 order by s.model`, [env]);
  return new Map(found.map((r) => [r.model, toSnapshot(r)]));
}

export async function environmentExists(con: DuckDBConnection, env: string): Promise<boolean> {
  const r = await con.runAndReadAll('select count(*) from meta.environments where env = $1', [env]);
  return Number(r.getRows()[0]?.[0] ?? 0) > 0;
}

export async function listEnvironments(con: DuckDBConnection): Promise<EnvironmentInfo[]> {
  const found = await select<{ env: string; c: number; u: number; x: number | null; plan_id: string | null; models: number }>(con, `
    select e.env, epoch_ms(e.created_at) as c, epoch_ms(e.updated_at) as u, epoch_ms(e.expires_at) as x, e.plan_id,
      (select count(*) from meta.environment_models m where m.env = e.env) as models
    from meta.environments e order by e.env`);
  return found.map((r) => ({ env: r.env, createdAt: Number(r.c), updatedAt: Number(r.u), expiresAt: r.x === null ? null : Number(r.x), planId: r.plan_id, models: Number(r.models) }));
}

export interface EnvironmentModel { model: string; fingerprint: string; version: string; metadataHash: string }

/** Replaces the environment's model list (the views are swapped by the caller in the same transaction). */
export async function writeEnvironment(con: DuckDBConnection, env: string, models: readonly EnvironmentModel[], opts: { planId: string; now: number; expiresAt: number | null }): Promise<void> {
  await transaction(con, async () => {
    const before = await con.runAndReadAll('select epoch_ms(created_at) from meta.environments where env = $1', [env]);
    const created = Number(before.getRows()[0]?.[0] ?? opts.now);
    await exec(con, 'delete from meta.environments where env = $1', [env]);
    await exec(con, 'insert into meta.environments values ($1, $2::timestamp, $3::timestamp, $4::timestamp, $5)',
      [env, ts(created), ts(opts.now), opts.expiresAt === null ? null : ts(opts.expiresAt), opts.planId]);
    const previous = new Map((await select<{ model: string; fingerprint: string; version: string; metadata_hash: string; p: number }>(con,
      'select model, fingerprint, version, metadata_hash, epoch_ms(promoted_at) as p from meta.environment_models where env = $1', [env])).map((r) => [r.model, r]));
    await exec(con, 'delete from meta.environment_models where env = $1', [env]);
    const kept = new Set(models.map((m) => `${m.model}@${m.version}`));
    await releaseVersions(con, [...previous.values()].filter((p) => !kept.has(`${p.model}@${p.version}`)), opts.now);
    for (const m of models) {
      const old = previous.get(m.model);
      const same = old && old.fingerprint === m.fingerprint && old.version === m.version && old.metadata_hash === m.metadataHash;
      await exec(con, 'insert into meta.environment_models values ($1, $2, $3, $4, $5, $6::timestamp)',
        [env, m.model, m.fingerprint, m.version, m.metadataHash, ts(same ? Number(old.p) : opts.now)]);
    }
  });
}

export async function deleteEnvironment(con: DuckDBConnection, env: string, now: number): Promise<void> {
  await transaction(con, async () => {
    const previous = await select<{ model: string; version: string }>(con, 'select model, version from meta.environment_models where env = $1', [env]);
    await releaseVersions(con, previous, now);
    await exec(con, 'delete from meta.environment_models where env = $1', [env]);
    await exec(con, 'delete from meta.environments where env = $1', [env]);
  });
}

/** Marks versions an environment stopped pointing at (the janitor's clock starts again). */
async function releaseVersions(con: DuckDBConnection, versions: readonly { model: string; version: string }[], now: number): Promise<void> {
  for (const v of versions) {
    await exec(con, 'update meta.snapshots set released_at = $3::timestamp where model = $1 and version = $2', [v.model, v.version, ts(now)]);
  }
}

// ---------------------------------------------------------------- intervals

export interface TableIntervals { done: Interval[]; partial: Interval[] }

export async function tableIntervals(con: DuckDBConnection, model: string, version: string): Promise<TableIntervals> {
  const r = await con.runAndReadAll(
    'select epoch_ms(start_at), epoch_ms(end_at), partial from meta.intervals where model = $1 and version = $2 order by 1', [model, version]);
  const done: Interval[] = [];
  const partial: Interval[] = [];
  for (const [s, e, p] of r.getRows()) (p ? partial : done).push([Number(s), Number(e)]);
  return { done: merge(done), partial };
}

/**
 * Records intervals as filled: complete ones are merged with what is there (and replace any
 * partial row they overlap); a partial one replaces the previous partial rows.
 */
export async function addIntervals(con: DuckDBConnection, model: string, version: string, added: readonly Interval[], opts: { partial: boolean; now: number }): Promise<void> {
  if (added.length === 0) return;
  await transaction(con, async () => {
    const current = await tableIntervals(con, model, version);
    await exec(con, 'delete from meta.intervals where model = $1 and version = $2', [model, version]);
    const done = opts.partial ? current.done : merge([...current.done, ...added]);
    const partial = opts.partial ? merge(added) : current.partial.filter(([s, e]) => !added.some(([as, ae]) => as < e && s < ae));
    for (const [list, isPartial] of [[done, false], [partial, true]] as const) {
      for (const [s, e] of list) {
        await exec(con, 'insert into meta.intervals values ($1, $2, $3::timestamp, $4::timestamp, $5, $6::timestamp)', [model, version, ts(s), ts(e), isPartial, ts(opts.now)]);
      }
    }
  });
}

/** Forgets [start, end) of a table (restatement, or an interval whose audit failed): the next fill recomputes it. */
export async function removeIntervals(con: DuckDBConnection, model: string, version: string, range: Interval, now: number): Promise<void> {
  await transaction(con, async () => {
    const current = await tableIntervals(con, model, version);
    const kept = subtract(current.done, [range]);
    await exec(con, 'delete from meta.intervals where model = $1 and version = $2 and not partial', [model, version]);
    for (const [s, e] of kept) {
      await exec(con, 'insert into meta.intervals values ($1, $2, $3::timestamp, $4::timestamp, false, $5::timestamp)', [model, version, ts(s), ts(e), ts(now)]);
    }
  });
}

// ---------------------------------------------------------------- runs and plans

export interface ModelRunRecord {
  runId: string;
  env: string;
  model: string;
  version: string;
  startedAt: number;
  finishedAt: number;
  outcome: RunOutcome;
  error: string | null;
  rows: number | null;
  /** Compact ranges (formatIntervals) of what was computed. */
  intervals: string;
}

export async function recordModelRun(con: DuckDBConnection, r: ModelRunRecord): Promise<void> {
  await transaction(con, () => exec(con, 'insert into meta.model_runs values ($1, $2, $3, $4, $5::timestamp, $6::timestamp, $7, $8, $9, $10)',
    [r.runId, r.env, r.model, r.version, ts(r.startedAt), ts(r.finishedAt), r.outcome, r.error, r.rows, r.intervals]));
}

export async function savePlan(con: DuckDBConnection, p: { planId: string; env: string; createdAt: number; summary: unknown }): Promise<void> {
  await transaction(con, () => exec(con, 'insert into meta.plans values ($1, $2, $3::timestamp, null, $4::json)', [p.planId, p.env, ts(p.createdAt), JSON.stringify(p.summary)]));
}

export async function markPlanApplied(con: DuckDBConnection, planId: string, at: number): Promise<void> {
  await transaction(con, () => exec(con, 'update meta.plans set applied_at = $2::timestamp where plan_id = $1', [planId, ts(at)]));
}
