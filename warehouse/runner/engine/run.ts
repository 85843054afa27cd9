/**
 * `run [env]`: fills the missing intervals of every model of an environment whose cron is due.
 * It executes the environment's snapshots as applied (their stored queries), never the local files:
 * an edit that was not planned cannot reach a table. A model is due when a cron tick closed an
 * interval it does not hold (incremental: those + lookback; FULL: a rebuild); allow_partials also
 * computes the still-open interval, recorded as partial and recomputed by a later run once
 * something it reads has changed (new events synced, a parent rebuilt), so the loop's cycles every
 * few seconds cost nothing while no event arrives. VIEW and
 * SEED models are built by plans only. A failing model (SQL error or blocking audit) skips its
 * downstream, not the others; every due model's outcome lands in meta.model_runs. In a dev
 * environment, tables shared with prod are prod's to fill and are left alone.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { buildModel, relationResolver, type AfterBuild, type ModelOutcome } from './build';
import { buildDag } from '../compile/dag';
import type { BuildWork } from './execute';
import { completeBound, covers, floorUnit, formatIntervals, intervalUnit, missingIntervals, toMs, type Interval } from './intervals';
import { checkEnvName, PROD } from '../names';
import { ensureState, environmentExists, environmentSnapshots, recordModelRun, select, tableIntervals, ts } from './state';
import type { CompiledModel } from '../types';

export interface RunOptions {
  now: number;
  /** Replaces the audits that run after each build (default: the model's audits, runModelAudits). */
  afterBuild?: AfterBuild;
  /** Time stamps of what is recorded; defaults to the wall clock. */
  clock?: () => number;
}

export interface RunSummary {
  runId: string;
  env: string;
  now: number;
  /** Due models, in build order: built, failed, audit_failed or skipped_upstream_failed. */
  outcomes: ModelOutcome[];
  /** Models with nothing to do (not due, VIEW/SEED/EXTERNAL, or shared with prod in a dev run). */
  notDue: string[];
  /** Every due model succeeded. */
  ok: boolean;
}

export async function run(con: DuckDBConnection, env: string = PROD, opts: RunOptions): Promise<RunSummary> {
  checkEnvName(env);
  await ensureState(con);
  if (!(await environmentExists(con, env))) throw new Error(`environment '${env}' does not exist: plan and apply it first`);
  const clock = opts.clock ?? Date.now;
  const runId = randomUUID();
  const snapshots = await environmentSnapshots(con, env);
  const prodTables = env === PROD ? new Set<string>() : new Set([...(await environmentSnapshots(con, PROD)).values()].map((s) => `${s.model}@${s.version}`));
  const entries = new Map([...snapshots].map(([name, s]) => [name, { compiled: s.compiled, version: s.version, customAudits: s.customAudits }]));
  const relationOf = relationResolver(entries);
  const order = buildDag(new Map([...entries].map(([name, e]) => [name, e.compiled]))).order;

  // When what each model holds last changed: an open interval is recomputed only when its inputs
  // changed after it was computed. raw data changes with each sync; a model when it is built.
  const synced = await lastSyncAt(con, opts.now);
  const changedAt = new Map<string, number>();
  const inputsChangedAt = (c: CompiledModel) => Math.max(-Infinity, ...c.parents.map((p) => changedAt.get(p) ?? opts.now));

  const broken = new Set<string>();
  const outcomes: ModelOutcome[] = [];
  const notDue: string[] = [];
  for (const name of order) {
    const { compiled, version, customAudits } = entries.get(name)!;
    const shared = prodTables.has(`${name}@${version}`);
    const kind = compiled.def.kind.name;
    changedAt.set(name, kind === 'EXTERNAL' ? synced : kind === 'VIEW' ? inputsChangedAt(compiled) : await lastFilledAt(con, name, version));
    const work = shared ? null : await dueWork(con, compiled, version, opts.now, inputsChangedAt(compiled));
    const upstreamBroken = compiled.parents.some((p) => broken.has(p));
    if (upstreamBroken) broken.add(name);
    if (!work) {
      notDue.push(name);
      continue;
    }
    const outcome: ModelOutcome = upstreamBroken
      ? { model: name, version, outcome: 'skipped_upstream_failed', error: null, rows: 0, computed: [], audits: [], startedAt: clock(), finishedAt: clock() }
      : await buildModel(con, { compiled, version, relationOf, root: '' }, work, { customAudits, afterBuild: opts.afterBuild, clock });
    if (outcome.outcome !== 'ok') broken.add(name);
    if (outcome.computed.length > 0) changedAt.set(name, opts.now);
    outcomes.push(outcome);
    await recordModelRun(con, { runId, env, ...outcome, intervals: formatIntervals(outcome.computed) });
  }
  return { runId, env, now: opts.now, outcomes, notDue, ok: outcomes.every((o) => o.outcome === 'ok') };
}

/** What a run computes for one model at `now`, or null when it is not due. */
/**
 * What is due for one model at `now`. The open interval of an allow_partials model is due when it
 * was never computed or its inputs changed after it was (`inputsChangedAt`; omitted = always).
 */
export async function dueWork(con: DuckDBConnection, compiled: CompiledModel, version: string, now: number, inputsChangedAt = Infinity): Promise<BuildWork | null> {
  const def = compiled.def;
  const kind = def.kind;
  if (kind.name === 'EXTERNAL' || kind.name === 'VIEW' || kind.name === 'SEED' || !def.start) return null;
  const unit = intervalUnit(def);
  const start = floorUnit(toMs(def.start), unit);
  // allow_partials trades waiting for the cron for freshness: every closed unit, and the open one.
  const bound = def.allowPartials ? floorUnit(now, unit) : completeBound(def, now);
  // Interval bounds are whole seconds (the time macros' precision).
  const nowSecond = Math.floor(now / 1000) * 1000;
  let open: Interval | undefined = def.allowPartials && nowSecond > bound && bound >= start ? [bound, nowSecond] : undefined;
  const { done } = await tableIntervals(con, def.name, version);
  if (open) {
    const computed = await partialFilledAt(con, def.name, version, kind.name === 'FULL' ? start : bound);
    if (computed !== null && computed >= inputsChangedAt) {
      // Fresh: an allow_partials FULL model holds only its partial interval, which is current.
      if (kind.name === 'FULL') return null;
      open = undefined;
    }
  }
  if (kind.name === 'FULL') {
    if (open) return { intervals: [], partial: [start, nowSecond], now };
    return bound > start && !covers(done, [start, bound]) ? { intervals: [[start, bound]], now } : null;
  }
  const lookback = kind.name === 'INCREMENTAL_BY_TIME_RANGE' ? kind.lookback : 0;
  const missing = missingIntervals({ start, end: bound, done, unit, lookback });
  return missing.length > 0 || open ? { intervals: missing, partial: open, now } : null;
}

/** The run for people: one line per due model, errors and failed audits under it. */
export function formatRun(s: RunSummary): string {
  const out = [`run ${s.runId.slice(0, 8)} of \`${s.env}\` at ${new Date(s.now).toISOString().slice(0, 16).replace('T', ' ')} UTC`];
  if (s.outcomes.length === 0) out.push('  nothing due');
  for (const o of s.outcomes) {
    const what = o.computed.length > 0 ? ` ${formatIntervals(o.computed)}` : '';
    const took = o.outcome === 'ok' ? ` (${o.rows} rows, ${((o.finishedAt - o.startedAt) / 1000).toFixed(1)} s)` : '';
    out.push(`  ${o.outcome.padEnd(23)} ${o.model}${what}${took}`);
    if (o.error) out.push(`      ${o.error}`);
    for (const a of o.audits.filter((x) => !x.ok)) out.push(`      audit ${a.audit}${a.blocking ? '' : ' (non-blocking)'}: ${a.badRows} bad row(s)`);
  }
  out.push(s.ok ? `${s.outcomes.length} model(s) run, ${s.notDue.length} not due` : `FAILED: ${s.outcomes.filter((o) => o.outcome !== 'ok').length} of ${s.outcomes.length} model(s)`);
  return out.join('\n');
}

/** When raw data last changed: the last load run's commit (meta.sync_runs); `now` when unknown (always changed). */
async function lastSyncAt(con: DuckDBConnection, now: number): Promise<number> {
  const found = await select<{ n: number }>(con, `select count(*)::int as n from duckdb_tables() where schema_name = 'meta' and table_name = 'sync_runs'`);
  if (!found[0]?.n) return now;
  const at = await select<{ t: number | null }>(con, 'select epoch_ms(max(committed_at)) as t from meta.sync_runs');
  return at[0]?.t === null || at[0]?.t === undefined ? now : Number(at[0].t);
}

/** When a model version's table last received rows (any interval). */
async function lastFilledAt(con: DuckDBConnection, model: string, version: string): Promise<number> {
  const at = await select<{ t: number | null }>(con, 'select epoch_ms(max(filled_at)) as t from meta.intervals where model = $1 and version = $2', [model, version]);
  return at[0]?.t === null || at[0]?.t === undefined ? -Infinity : Number(at[0].t);
}

/** When the open interval starting at `start` was last computed, or null if it never was. */
async function partialFilledAt(con: DuckDBConnection, model: string, version: string, start: number): Promise<number | null> {
  const at = await select<{ t: number | null }>(con, 'select epoch_ms(max(filled_at)) as t from meta.intervals where model = $1 and version = $2 and partial and start_at = $3::timestamp', [model, version, ts(start)]);
  return at[0]?.t === null || at[0]?.t === undefined ? null : Number(at[0].t);
}
