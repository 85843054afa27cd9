/**
 * `run [env]`: fills the missing intervals of every model of an environment whose cron is due.
 * It executes the environment's snapshots as applied (their stored queries), never the local files:
 * an edit that was not planned cannot reach a table. A model is due when a cron tick closed an
 * interval it does not hold (incremental: those + lookback; FULL: a rebuild); allow_partials also
 * computes the still-open interval, recorded as partial and recomputed by the next run. VIEW and
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
import { ensureState, environmentExists, environmentSnapshots, recordModelRun, tableIntervals } from './state';
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

  const broken = new Set<string>();
  const outcomes: ModelOutcome[] = [];
  const notDue: string[] = [];
  for (const name of order) {
    const { compiled, version, customAudits } = entries.get(name)!;
    const shared = prodTables.has(`${name}@${version}`);
    const work = shared ? null : await dueWork(con, compiled, version, opts.now);
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
    outcomes.push(outcome);
    await recordModelRun(con, { runId, env, ...outcome, intervals: formatIntervals(outcome.computed) });
  }
  return { runId, env, now: opts.now, outcomes, notDue, ok: outcomes.every((o) => o.outcome === 'ok') };
}

/** What a run computes for one model at `now`, or null when it is not due. */
export async function dueWork(con: DuckDBConnection, compiled: CompiledModel, version: string, now: number): Promise<BuildWork | null> {
  const def = compiled.def;
  const kind = def.kind;
  if (kind.name === 'EXTERNAL' || kind.name === 'VIEW' || kind.name === 'SEED' || !def.start) return null;
  const unit = intervalUnit(def);
  const start = floorUnit(toMs(def.start), unit);
  // allow_partials trades waiting for the cron for freshness: every closed unit, and the open one.
  const bound = def.allowPartials ? floorUnit(now, unit) : completeBound(def, now);
  // Interval bounds are whole seconds (the time macros' precision).
  const nowSecond = Math.floor(now / 1000) * 1000;
  const open: Interval | undefined = def.allowPartials && nowSecond > bound && bound >= start ? [bound, nowSecond] : undefined;
  const { done } = await tableIntervals(con, def.name, version);
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
