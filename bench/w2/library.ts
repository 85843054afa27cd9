/**
 * W2 over the project's real model library (models/): the runner's full build (`plan prod
 * --auto-apply`) and its `run` after one more simulated day, each beside the floor: the same SQL
 * executed directly by DuckDB, in the same process, on a copy of the same database file.
 *
 * The floor is rendered by the runner's own code (compileProject, buildDag's order, renderQuery
 * with timeMacros, the audits' compileAudit/runAudits), with every model reference pointing at a
 * plain `schema.table` instead of a versioned physical table, and the intervals the runner computes
 * at that `now` (runner/engine/run.ts dueWork: for an allow_partials daily model, the missing days
 * plus `lookback` before them; for FULL, the whole history):
 *
 *   full build   SEED: CREATE TABLE AS read_csv (the declared columns); VIEW: CREATE VIEW;
 *                FULL: CREATE TABLE AS; INCREMENTAL_BY_TIME_RANGE: CREATE TABLE AS the query
 *                filtered to its interval (the runner filters its output the same way); then the
 *                model's audits, the same SQL the runner runs after each batch.
 *   one day      per model, one transaction: INCREMENTAL_BY_TIME_RANGE: DELETE the interval, INSERT
 *                the query for it (the new day + `lookback` days before it), audits; FULL: CREATE
 *                OR REPLACE, audits; VIEW, SEED, EXTERNAL: nothing.
 *
 * What is left to the runner's account, the ratio: versioned tables and environment views, state
 * (meta.intervals, snapshots, run records), per-batch `describe` and `create ... limit 0`, row
 * counts, loading/compiling/planning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runAudits } from '../../warehouse/runner/checks/audit';
import { compileProject } from '../../warehouse/runner/compile/compile';
import { buildDag } from '../../warehouse/runner/compile/dag';
import { renderQuery } from '../../warehouse/runner/compile/render';
import { createMacros } from '../../warehouse/runner/engine/execute';
import { completeBound, floorUnit, intervalUnit, toMs, type Interval } from '../../warehouse/runner/engine/intervals';
import { timeMacros } from '../../warehouse/runner/files/macros';
import { loadProject, seedPath } from '../../warehouse/runner/files/project';
import { quoteIdent } from '../../warehouse/runner/names';
import type { AuditDef, CompiledModel, KindName } from '../../warehouse/runner/types';
import { sqlString } from '../../warehouse/db';
import { REPO_ROOT } from '../../warehouse/source/local-r2';
import { sync } from '../../warehouse/sync';
import { dirSource } from '../../warehouse/source/dir';
import {
  baseWarehouse, CACHE, copyWarehouse, cpuMs, DAY_MS, DAYS, engine, median, NEXT_DAY, NOW, r1, r3, roundSplit, runnerPlanApply, runnerPlanOnly,
  RunnerStepError, runnerRun, stat, TABLES, TARGET_FULL_RATIO, TARGET_INCREMENTAL_PCT, TARGET_PLAN_MS, withDb, type Split,
} from './common';
import { nextDayDataset } from './next-day';

export const LIBRARY = resolve(REPO_ROOT, 'models');

export interface FloorModel {
  name: string;
  kind: KindName;
  compiled: CompiledModel;
  /** The effective start (the model's, else config.yaml's), floored to its unit. */
  start: number;
  customAudits: Map<string, AuditDef>;
  root: string;
}

/** The library compiled by the runner's own code, in the runner's DAG order (not measured). */
export async function floorModels(con: DuckDBConnection, root: string): Promise<FloorModel[]> {
  const project = await loadProject(root);
  const compiled = await compileProject(project, con);
  const dag = buildDag(compiled);
  return dag.order.map((name) => {
    const c = compiled.get(name)!;
    const def = { ...c.def, start: c.def.start ?? project.config.start };
    const names = new Set(def.audits.flatMap((a) => [a.name, a.name.replace(/_non_blocking$/, '')]));
    return {
      name,
      kind: def.kind.name,
      compiled: { ...c, def },
      start: floorUnit(toMs(def.start), intervalUnit(def)),
      customAudits: new Map([...project.audits].filter(([n]) => names.has(n))),
      root: project.root,
    };
  });
}

const plain = (name: string) => name.split('.').map(quoteIdent).join('.');

/** The query as the runner renders it for `interval`, parents read by their plain names. */
export function rendered(m: FloorModel, interval: Interval, now: number): string {
  const macros = { ...timeMacros({ start: new Date(interval[0]), end: new Date(interval[1]) }, new Date(now)), this_model: plain(m.name) };
  return `(\n${renderQuery(m.compiled, { relationOf: plain, macros })}\n)`;
}

/** The runner's output filter of an INCREMENTAL_BY_TIME_RANGE batch (its time columns here are DATEs: whole days). */
function inRange(m: FloorModel, rel: string, [s, e]: Interval): string {
  const kind = m.compiled.def.kind;
  if (kind.name !== 'INCREMENTAL_BY_TIME_RANGE') throw new Error(`${m.name} is not INCREMENTAL_BY_TIME_RANGE`);
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return `${rel}.${quoteIdent(kind.timeColumn)} between DATE '${day(s)}' and DATE '${day(e - 1)}'`;
}

/** What the runner computes for a model built from nothing at `now` (plan) or after one more day (run). */
export function fullInterval(m: FloorModel, now: number): Interval {
  const def = m.compiled.def;
  const bound = def.kind.name !== 'FULL' && def.allowPartials ? floorUnit(now, intervalUnit(def)) : completeBound(def, now);
  return [m.start, bound];
}
function dayInterval(m: FloorModel, now: number): Interval {
  const def = m.compiled.def;
  const [, bound] = fullInterval(m, now);
  if (def.kind.name !== 'INCREMENTAL_BY_TIME_RANGE') return [m.start, bound];
  // the new day, plus `lookback` days before it (the runner's missingIntervals)
  return [Math.max(m.start, bound - (1 + def.kind.lookback) * DAY_MS), bound];
}

async function audits(con: DuckDBConnection, m: FloorModel, interval: Interval, now: number): Promise<number> {
  if (m.compiled.def.audits.length === 0) return 0;
  const results = await runAudits(con, {
    relation: plain(m.name), model: m.compiled.def, customAudits: m.customAudits,
    interval: { start: new Date(interval[0]), end: new Date(interval[1]) }, execution: new Date(Math.floor(now / 1000) * 1000),
  });
  const bad = results.filter((a) => a.blocking && !a.ok);
  if (bad.length) throw new Error(`W2 floor: ${m.name}: blocking audit failed: ${bad.map((a) => `${a.audit} (${a.badRows})`).join(', ')}`);
  return results.length;
}

function readSeed(m: FloorModel): string {
  const path = sqlString(seedPath({ root: m.root }, m.compiled.def)!);
  const cols = Object.entries(m.compiled.def.columns);
  if (cols.length === 0) return `read_csv(${path}, header = true, auto_detect = true)`;
  return `read_csv(${path}, header = true, columns = {${cols.map(([n, t]) => `${sqlString(n)}: ${sqlString(t)}`).join(', ')}})`;
}

/**
 * A floor step's times; per model: wall (build + audits), the audits' wall, and CPU (this process's, so
 * DuckDB's threads: on a machine shared with other work, CPU tells a slow query from a starved one).
 */
export type FloorTiming = {
  ms: number; audit_ms: number; per_model_ms: Record<string, number>; per_model_audit_ms: Record<string, number>; per_model_cpu_ms: Record<string, number>;
};

/** A floor step that stopped at a model: the models done before it are in `partial`, so a report keeps them. */
export class FloorStepError extends Error {
  constructor(readonly reason: unknown, readonly partial: FloorTiming) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}
const timing = (t0: number, per: Record<string, number>, perAudit: Record<string, number>, perCpu: Record<string, number>): FloorTiming =>
  ({ ms: performance.now() - t0, audit_ms: Object.values(perAudit).reduce((a, b) => a + b, 0), per_model_ms: per, per_model_audit_ms: perAudit, per_model_cpu_ms: perCpu });

/** The full build: every model created from nothing, in DAG order, with its audits. */
export async function floorFull(con: DuckDBConnection, models: FloorModel[], now: number): Promise<FloorTiming> {
  const t0 = performance.now();
  const per: Record<string, number> = {};
  const perAudit: Record<string, number> = {};
  const perCpu: Record<string, number> = {};
  for (const s of new Set(models.filter((m) => m.kind !== 'EXTERNAL').map((m) => m.name.split('.')[0]!))) await con.run(`create schema if not exists ${quoteIdent(s)}`);
  for (const m of models) {
    if (m.kind === 'EXTERNAL') continue;
    const t = performance.now();
    const c = process.cpuUsage();
    const i = fullInterval(m, now);
    try {
      const target = plain(m.name);
      await createMacros(con, m.compiled); // the SQL macro versions it calls (models/macros/), as the runner does
      if (m.kind === 'SEED') await con.run(`create table ${target} as select * from ${readSeed(m)}`);
      else if (m.kind === 'VIEW') await con.run(`create view ${target} as ${rendered(m, i, now)}`);
      else if (m.kind === 'FULL') await con.run(`create table ${target} as ${rendered(m, i, now)}`);
      else if (m.kind === 'INCREMENTAL_BY_TIME_RANGE') await con.run(`create table ${target} as select * from ${rendered(m, i, now)} as q where ${inRange(m, 'q', i)}`);
      else throw new Error(`W2 floor: ${m.name}: kind ${m.kind} is not handled (the library has none today)`);
      const ta = performance.now();
      await audits(con, m, i, now);
      perAudit[m.name] = Math.round(performance.now() - ta);
    } catch (err) {
      throw new FloorStepError(err, timing(t0, per, perAudit, perCpu));
    }
    per[m.name] = Math.round(performance.now() - t);
    perCpu[m.name] = cpuMs(c);
  }
  return timing(t0, per, perAudit, perCpu);
}

/** One more day: every due model brought up to date at `now`, one transaction per model, audits inside it. */
export async function floorDay(con: DuckDBConnection, models: FloorModel[], now: number): Promise<FloorTiming> {
  const t0 = performance.now();
  const per: Record<string, number> = {};
  const perAudit: Record<string, number> = {};
  const perCpu: Record<string, number> = {};
  for (const m of models) {
    if (m.kind !== 'FULL' && m.kind !== 'INCREMENTAL_BY_TIME_RANGE') continue;
    const t = performance.now();
    const c = process.cpuUsage();
    const i = dayInterval(m, now);
    const target = plain(m.name);
    await con.run('begin transaction');
    try {
      if (m.kind === 'FULL') await con.run(`create or replace table ${target} as ${rendered(m, i, now)}`);
      else {
        await con.run(`delete from ${target} where ${inRange(m, target, i)}`);
        await con.run(`insert into ${target} by name select * from ${rendered(m, i, now)} as q where ${inRange(m, 'q', i)}`);
      }
      const ta = performance.now();
      await audits(con, m, i, now);
      perAudit[m.name] = Math.round(performance.now() - ta);
      await con.run('commit');
    } catch (err) {
      await con.run('rollback');
      throw new FloorStepError(err, timing(t0, per, perAudit, perCpu));
    }
    per[m.name] = Math.round(performance.now() - t);
    perCpu[m.name] = cpuMs(c);
  }
  return timing(t0, per, perAudit, perCpu);
}

/** Row count of every built model (tables and views), by name: both sides must have done the same work. */
async function counts(con: DuckDBConnection, models: FloorModel[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of models) {
    if (m.kind === 'EXTERNAL') continue;
    out[m.name] = Number((await con.runAndReadAll(`select count(*) from ${plain(m.name)}`)).getRows()[0]![0]);
  }
  return out;
}
function compareCounts(what: string, floor: Record<string, number>, ours: Record<string, number>): void {
  const bad = Object.keys(floor).filter((k) => floor[k] !== ours[k]).map((k) => `${k}: floor ${floor[k]}, ours ${ours[k] ?? 'missing'}`);
  if (bad.length) throw new Error(`W2 library ${what}: the runner's models differ from the floor's: ${bad.join('; ')}`);
}

/** The `n` slowest models of a per-model map, slowest first, with their kind. */
function biggest(per: Record<string, number>, kinds: Map<string, KindName>, n = 10) {
  return Object.entries(per).sort((a, b) => b[1] - a[1]).slice(0, n).map(([model, ms]) => ({ model, kind: kinds.get(model), ms }));
}
const sum = (per: Record<string, number>, keep: (m: string) => boolean) => Object.entries(per).filter(([m]) => keep(m)).reduce((a, [, v]) => a + v, 0);

/** What one day's step measured; absent from a run whose day failed. */
type DayRun = {
  floor_day_ms: number; floor_day_audit_ms: number; ours_day_ms: number; ours_day: Split; ours_day_in_builds_ms: number; ours_noop_run_ms: number;
  /** The day's builds of FULL models (rebuilt whole on every run) and of the incremental ones, from the runner's outcomes. */
  ours_day_full_models_ms: number; ours_day_incremental_models_ms: number;
  incremental_pct: number; incremental_pct_without_full_models: number; floor_incremental_pct: number;
  cpu_ms: { floor_day: number; ours_day: number };
  incremental_cpu_pct: number;
};
type LibRun = {
  order: 'floor-first' | 'ours-first';
  floor_full_ms: number; floor_full_audit_ms: number; ours_full_ms: number; ours_full: Split; full_ratio: number;
  cpu_ms: { floor_full: number; ours_full: number };
  full_cpu_ratio: number;
  day: DayRun | null;
  /** Why the day's step stopped (its per-model times up to there are kept in per_model). */
  day_error?: string;
  per_model: PerModel;
};
type PerModel = {
  floor_full: Record<string, number>; ours_full: Record<string, number>; floor_day: Record<string, number>; ours_day: Record<string, number>;
  floor_full_audits: Record<string, number>; floor_day_audits: Record<string, number>;
  floor_full_cpu: Record<string, number>; floor_day_cpu: Record<string, number>;
};

/** Every model's time on both sides, slowest first, with ours / floor: the table the log shows after each step. */
export function perModelTable(
  floor: Record<string, number>, ours: Record<string, number>, kinds: Map<string, KindName>, audits: Record<string, number> = {}, cpu: Record<string, number> = {},
): string {
  const names = [...new Set([...Object.keys(floor), ...Object.keys(ours)])].sort((a, b) => Math.max(floor[b] ?? 0, ours[b] ?? 0) - Math.max(floor[a] ?? 0, ours[a] ?? 0));
  const cell = (x: number | undefined) => (x === undefined ? '-' : String(Math.round(x))).padStart(10);
  const lines = names.map((n) => {
    const f = floor[n];
    const o = ours[n];
    const ratio = f !== undefined && o !== undefined && f > 0 ? (o / f).toFixed(2) : '-';
    return `  ${n.padEnd(44)} ${(kinds.get(n) ?? '').padEnd(26)}${cell(f)}${cell(audits[n])}${cell(cpu[n])}${cell(o)} ${ratio.padStart(6)}`;
  });
  const head = `  ${'model'.padEnd(44)} ${'kind'.padEnd(26)}${'floor ms'.padStart(10)}${'audits'.padStart(10)}${'floor CPU'.padStart(10)}${'ours ms'.padStart(10)} ${'ratio'.padStart(6)}`;
  return [head, ...lines].join('\n');
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function runW2Library(opts: { events: number; runs: number; planReps?: number; log?: (m: string) => void }) {
  const log = opts.log ?? ((m: string) => console.error(m));
  const planReps = opts.planReps ?? 3;
  const base = await baseWarehouse(opts.events, log);
  const nextDay = await nextDayDataset({ dir: join(CACHE, `w2-next-day-${opts.events}`), players: base.players, days: DAYS, tables: TABLES, seed: 'w2-next', from: NOW, log });
  const runs: LibRun[] = [];
  const planFresh: Split[] = [];
  const planBuilt: Split[] = [];
  let kinds = new Map<string, KindName>();
  let modelCount: Record<string, number> = {};

  for (let r = 0; r < opts.runs; r++) {
    const scratch = mkdtempSync(join(tmpdir(), 'w2lib-'));
    const say = (m: string) => log(`W2 library run ${r + 1}: ${m}`);
    try {
      const floorPaths = copyWarehouse(base.db, join(scratch, 'floor'));
      const oursPaths = copyWarehouse(base.db, join(scratch, 'ours'));
      const floorFirst = r % 2 === 0;
      const cpu = { floorFull: 0, oursFull: 0, floorDay: 0, oursDay: 0 };
      // compiled by the runner's code on the floor's copy, before anything is timed
      const models = await withDb(floorPaths, (con) => floorModels(con, LIBRARY));
      kinds = new Map(models.map((m) => [m.name, m.kind]));
      modelCount = models.reduce<Record<string, number>>((acc, m) => ({ ...acc, [m.kind]: (acc[m.kind] ?? 0) + 1 }), {});
      const isFull = (name: string) => kinds.get(name) === 'FULL';

      let floorF!: FloorTiming;
      let oursF!: { split: Split; per_model_ms: Record<string, number> };
      const doFloor = async () => {
        const c = process.cpuUsage();
        floorF = await withDb(floorPaths, (con) => floorFull(con, models, NOW));
        cpu.floorFull = cpuMs(c);
        say(`floor full build ${Math.round(floorF.ms)} ms (audits ${Math.round(floorF.audit_ms)} ms; CPU ${cpu.floorFull} ms)`);
      };
      const doOurs = async () => {
        const c = process.cpuUsage();
        oursF = await withDb(oursPaths, (con) => runnerPlanApply(engine, con, LIBRARY, NOW));
        cpu.oursFull = cpuMs(c);
        say(`runner plan prod --auto-apply ${Math.round(oursF.split.total_ms)} ms (CPU ${cpu.oursFull} ms; ${JSON.stringify(roundSplit(oursF.split))})`);
      };
      try {
        if (floorFirst) { await doFloor(); await doOurs(); } else { await doOurs(); await doFloor(); }
      } catch (err) {
        // the full build is the run's first figure: nothing to compare without it, but say how far each side got
        say(`full build failed: ${message(err)}\n${perModelTable(floorF?.per_model_ms ?? partialFloor(err), oursF?.per_model_ms ?? partialOurs(err), kinds)}`);
        throw err;
      }
      say(`full build per model:\n${perModelTable(floorF.per_model_ms, oursF.per_model_ms, kinds, floorF.per_model_audit_ms, floorF.per_model_cpu_ms)}`);
      compareCounts('full build', await withDb(floorPaths, (con) => counts(con, models)), await withDb(oursPaths, (con) => counts(con, models)));

      // The day after: if it fails (a model, an audit, a count), the full build's figures are kept and
      // reported with the error and the per-model times of what the day did complete.
      let floorD: FloorTiming | undefined;
      let oursD: { split: Split; per_model_ms: Record<string, number> } | undefined;
      let day: DayRun | null = null;
      let dayError: string | undefined;
      try {
        for (const paths of [floorPaths, oursPaths]) {
          const t = await sync({ paths, source: dirSource(nextDay.dir) });
          if (t.events_new !== nextDay.events) throw new Error(`W2: the next day loaded ${t.events_new} of ${nextDay.events} events`);
        }
        const doFloorDay = async () => {
          const c = process.cpuUsage();
          floorD = await withDb(floorPaths, (con) => floorDay(con, models, NOW + DAY_MS));
          cpu.floorDay = cpuMs(c);
          say(`floor one day ${Math.round(floorD.ms)} ms (audits ${Math.round(floorD.audit_ms)} ms; CPU ${cpu.floorDay} ms)`);
        };
        const doOursDay = async () => {
          const c = process.cpuUsage();
          oursD = await withDb(oursPaths, (con) => runnerRun(engine, con, NOW + DAY_MS));
          cpu.oursDay = cpuMs(c);
          say(`runner run (now + 1 day) ${Math.round(oursD.split.total_ms)} ms (CPU ${cpu.oursDay} ms)`);
        };
        const ran = async (step: () => Promise<void>, partial: (err: unknown) => void) => {
          try {
            await step();
          } catch (err) {
            partial(err);
            throw err;
          }
        };
        const floorStep = () => ran(doFloorDay, (err) => { if (err instanceof FloorStepError) floorD = err.partial; });
        const oursStep = () => ran(doOursDay, (err) => { if (err instanceof RunnerStepError) oursD = { split: { load_ms: 0, compile_ms: 0, plan_ms: 0, total_ms: 0 }, per_model_ms: err.per_model_ms }; });
        if (floorFirst) { await floorStep(); await oursStep(); } else { await oursStep(); await floorStep(); }
        compareCounts('incremental day', await withDb(floorPaths, (con) => counts(con, models)), await withDb(oursPaths, (con) => counts(con, models)));
        const noop = await withDb(oursPaths, (con) => runnerRun(engine, con, NOW + DAY_MS));
        await withDb(oursPaths, async (con) => {
          for (let i = 0; i < planReps; i++) planBuilt.push(await runnerPlanOnly(engine, con, LIBRARY, NOW + DAY_MS));
        });
        const fD = floorD!;
        const oD = oursD!;
        const dayFullModels = sum(oD.per_model_ms, isFull);
        const dayIncModels = sum(oD.per_model_ms, (m) => !isFull(m));
        day = {
          floor_day_ms: Math.round(fD.ms), floor_day_audit_ms: Math.round(fD.audit_ms),
          ours_day_ms: Math.round(oD.split.total_ms), ours_day: roundSplit(oD.split),
          ours_day_in_builds_ms: Math.round(dayFullModels + dayIncModels), ours_noop_run_ms: Math.round(noop.split.total_ms),
          ours_day_full_models_ms: Math.round(dayFullModels), ours_day_incremental_models_ms: Math.round(dayIncModels),
          incremental_pct: r1((100 * oD.split.total_ms) / oursF.split.total_ms),
          // the run without the FULL models' rebuilds, against the full build without them either
          incremental_pct_without_full_models: r1((100 * (oD.split.total_ms - dayFullModels)) / (oursF.split.total_ms - sum(oursF.per_model_ms, isFull))),
          floor_incremental_pct: r1((100 * fD.ms) / floorF.ms),
          cpu_ms: { floor_day: cpu.floorDay, ours_day: cpu.oursDay },
          incremental_cpu_pct: r1((100 * cpu.oursDay) / cpu.oursFull),
        };
      } catch (err) {
        dayError = message(err);
        say(`the next day failed (the full build's figures are kept): ${dayError}`);
      }
      say(`one day per model${dayError ? ' (up to the failure)' : ''}:\n${perModelTable(floorD?.per_model_ms ?? {}, oursD?.per_model_ms ?? {}, kinds, floorD?.per_model_audit_ms, floorD?.per_model_cpu_ms)}`);

      rmSync(floorPaths.dir, { recursive: true, force: true });
      rmSync(oursPaths.dir, { recursive: true, force: true });
      const freshPaths = copyWarehouse(base.db, join(scratch, 'fresh'));
      await withDb(freshPaths, async (con) => {
        for (let i = 0; i < planReps; i++) planFresh.push(await runnerPlanOnly(engine, con, LIBRARY, NOW));
      });

      runs.push({
        order: floorFirst ? 'floor-first' : 'ours-first',
        floor_full_ms: Math.round(floorF.ms), floor_full_audit_ms: Math.round(floorF.audit_ms),
        ours_full_ms: Math.round(oursF.split.total_ms), ours_full: roundSplit(oursF.split), full_ratio: r3(oursF.split.total_ms / floorF.ms),
        cpu_ms: { floor_full: cpu.floorFull, ours_full: cpu.oursFull },
        full_cpu_ratio: r3(cpu.oursFull / cpu.floorFull),
        day, ...(dayError ? { day_error: dayError } : {}),
        per_model: {
          floor_full: floorF.per_model_ms, ours_full: oursF.per_model_ms, floor_day: floorD?.per_model_ms ?? {}, ours_day: oursD?.per_model_ms ?? {},
          floor_full_audits: floorF.per_model_audit_ms, floor_day_audits: floorD?.per_model_audit_ms ?? {},
          floor_full_cpu: floorF.per_model_cpu_ms, floor_day_cpu: floorD?.per_model_cpu_ms ?? {},
        },
      });
      const last = runs[runs.length - 1]!;
      const d = last.day;
      say(`full ratio ${last.full_ratio} (CPU ${last.full_cpu_ratio}); ${d ? `day ${d.incremental_pct} % of full (without FULL models ${d.incremental_pct_without_full_models} %; CPU ${d.incremental_cpu_pct} %); floor day ${d.floor_incremental_pct} %` : `no day figures: ${dayError}`}`);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  const built = Object.entries(modelCount).filter(([k]) => k !== 'EXTERNAL').reduce((a, [, n]) => a + n, 0);
  const params = {
    events: base.events, days: DAYS, next_day: NEXT_DAY, next_day_events: nextDay.events, next_day_pct_of_events: r1((100 * nextDay.events) / base.events),
    project: 'models/', models: built, kinds: modelCount, runs: opts.runs, plan_repetitions: planReps,
    now_full: new Date(NOW).toISOString(), now_day: new Date(NOW + DAY_MS).toISOString(),
  };
  const first = runs[0]!;
  const m = (f: (x: LibRun) => number) => median(runs.map(f));
  const slim = runs.map(({ per_model: _p, ...rest }) => rest);
  const fullRatio = m((x) => x.full_ratio);
  const planMs = median(planFresh.map((s) => s.total_ms));
  // the day's figures over the runs whose day completed
  const days = runs.flatMap((x) => (x.day ? [x.day] : []));
  const dm = (f: (x: DayRun) => number) => median(days.map(f));
  const dayErrors = runs.flatMap((x, i) => (x.day_error ? [{ run: i + 1, error: x.day_error }] : []));
  const incPct = days.length ? dm((x) => x.incremental_pct) : null;
  const dayEntry = {
    id: 'W2',
    variant: 'library',
    metric: `incremental run of one more day (${nextDay.events} events): runner \`run\` at now + 1 day / the runner's full build, FULL models' rebuilds included (median % over runs)`,
    value: incPct === null ? null : r1(incPct), unit: '%', target: `<= ${TARGET_INCREMENTAL_PCT}`, pass: incPct !== null && incPct <= TARGET_INCREMENTAL_PCT,
    ...(dayErrors.length ? { errors: dayErrors } : {}),
    ...(days.length
      ? {
          ours_ms: stat(days.map((x) => x.ours_day_ms)),
          without_full_models_pct: stat(days.map((x) => x.incremental_pct_without_full_models)),
          full_models_ms: stat(days.map((x) => x.ours_day_full_models_ms)),
          incremental_models_ms: stat(days.map((x) => x.ours_day_incremental_models_ms)),
          cpu: {
            ours_ms: stat(days.map((x) => x.cpu_ms.ours_day)), floor_ms: stat(days.map((x) => x.cpu_ms.floor_day)),
            pct_of_ours_full: stat(days.map((x) => x.incremental_cpu_pct)), ratio_ours_to_floor: stat(days.map((x) => r3(x.cpu_ms.ours_day / x.cpu_ms.floor_day))),
          },
          floor: {
            ms: stat(days.map((x) => x.floor_day_ms)), audit_ms: stat(days.map((x) => x.floor_day_audit_ms)),
            pct_of_floor_full: stat(days.map((x) => x.floor_incremental_pct)),
            ratio_ours_to_floor: stat(days.map((x) => r3(x.ours_day_ms / x.floor_day_ms))),
            what: 'per model, one transaction: DELETE + INSERT of the new day and its lookback days (INCREMENTAL_BY_TIME_RANGE, filtered as the runner filters), CREATE OR REPLACE (FULL), then its audits',
            biggest_ms: biggest(first.per_model.floor_day, kinds),
          },
          noop_run_ms: stat(days.map((x) => x.ours_noop_run_ms)),
          summary: `ours ${Math.round(dm((x) => x.ours_day_ms))} ms of ${Math.round(m((x) => x.ours_full_ms))} ms; the FULL models' rebuilds ${Math.round(dm((x) => x.ours_day_full_models_ms))} ms of it, without them ${r1(dm((x) => x.incremental_pct_without_full_models))} %; DuckDB alone ${Math.round(dm((x) => x.floor_day_ms))} ms (${r1(dm((x) => x.floor_incremental_pct))} % of its full build); the day is ${params.next_day_pct_of_events} % of the events and each daily model recomputes it plus its lookback days`,
        }
      : { summary: `no run completed the day: ${dayErrors.map((e) => e.error).join('; ')}` }),
    ours_biggest_ms: biggest(first.per_model.ours_day, kinds),
    // per model, the first run (up to the failure if its day failed)
    ours_per_model_ms: first.per_model.ours_day, floor_per_model_ms: first.per_model.floor_day, floor_per_model_audit_ms: first.per_model.floor_day_audits,
    floor_per_model_cpu_ms: first.per_model.floor_day_cpu,
    runs: slim.map((x) => ({ ...(x.day ?? {}), ...(x.day_error ? { day_error: x.day_error } : {}) })),
    params,
  };
  return [
    {
      id: 'W2',
      variant: 'library',
      metric: `full build of the model library (${built} models: ${JSON.stringify(modelCount)}) over ${base.events} events: runner \`plan prod --auto-apply\` / the same SQL run directly by DuckDB, audits included on both sides (median ratio over runs)`,
      value: r3(fullRatio), unit: 'x', target: `<= ${TARGET_FULL_RATIO}`, pass: fullRatio <= TARGET_FULL_RATIO,
      ours_ms: stat(runs.map((x) => x.ours_full_ms)),
      floor: {
        ms: stat(runs.map((x) => x.floor_full_ms)), audit_ms: stat(runs.map((x) => x.floor_full_audit_ms)),
        what: 'the runner\'s own rendering (renderQuery, timeMacros, runAudits) with plain schema.table names, in its DAG order: CREATE TABLE AS read_csv (SEED) / CREATE VIEW / CREATE TABLE AS (FULL, and INCREMENTAL_BY_TIME_RANGE filtered to its interval), then the model\'s audits (bench/w2/library.ts)',
        biggest_ms: biggest(first.per_model.floor_full, kinds), audits_biggest_ms: biggest(first.per_model.floor_full_audits, kinds, 5),
      },
      ratio: stat(runs.map((x) => x.full_ratio)),
      cpu: { ours_ms: stat(runs.map((x) => x.cpu_ms.ours_full)), floor_ms: stat(runs.map((x) => x.cpu_ms.floor_full)), ratio: stat(runs.map((x) => x.full_cpu_ratio)) },
      ours_biggest_ms: biggest(first.per_model.ours_full, kinds),
      // every model's time in the first run, both sides (and the floor's audits apart), so the next slow model is visible
      ours_per_model_ms: first.per_model.ours_full, floor_per_model_ms: first.per_model.floor_full, floor_per_model_audit_ms: first.per_model.floor_full_audits,
      floor_per_model_cpu_ms: first.per_model.floor_full_cpu,
      runs: slim.map(({ day: _d, ...rest }) => rest), params,
      summary: `ours ${Math.round(m((x) => x.ours_full_ms))} ms, DuckDB alone ${Math.round(m((x) => x.floor_full_ms))} ms (audits ${Math.round(m((x) => x.floor_full_audit_ms))} ms of it); wall ratio per run ${runs.map((x) => x.full_ratio).join(' / ')}; CPU ratio ${r3(m((x) => x.full_cpu_ratio))}x`,
    },
    dayEntry,
    {
      id: 'W2',
      variant: 'library',
      metric: `plan time (load + compile + plan, no apply) of the model library (${built} models), fresh warehouse (median of ${planFresh.length})`,
      value: Math.round(planMs), unit: 'ms', target: `< ${TARGET_PLAN_MS}`, pass: planMs < TARGET_PLAN_MS,
      split: { total_ms: stat(planFresh.map((s) => s.total_ms)), compile_ms: stat(planFresh.map((s) => s.compile_ms)) },
      ...(planBuilt.length ? { built_warehouse_ms: stat(planBuilt.map((s) => s.total_ms)) } : {}),
      params,
      summary: planBuilt.length ? `on the built warehouse (no changes) ${Math.round(median(planBuilt.map((s) => s.total_ms)))} ms` : 'the built warehouse\'s plan was not measured (the day failed)',
    },
  ];
}

function partialFloor(err: unknown): Record<string, number> {
  return err instanceof FloorStepError ? err.partial.per_model_ms : {};
}
function partialOurs(err: unknown): Record<string, number> {
  return err instanceof RunnerStepError ? err.per_model_ms : {};
}
