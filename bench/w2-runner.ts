/**
 * W2 (TARGETS.md): the SQL model runner on a DAG of 30 models over W1's ~10M simulated events.
 *
 *   full        the runner's `plan prod --auto-apply` of bench/w2/models/ on a fresh warehouse
 *               (load + compile + plan + apply, in this process) against the floor: the same 30
 *               queries run directly by DuckDB in topological order (CREATE TABLE AS / CREATE VIEW,
 *               macros replaced by the whole range; bench/w2/direct.ts). Target ours/floor <= 1.1x.
 *   incremental one more simulated day appended to raw.events (with `sync`, not measured), then the
 *               runner's `run` at a `now` one day later (prod's applied snapshots; only the new day's
 *               intervals are due, FULL models are rebuilt) against
 *               the runner's own full build. Target <= 5 % of it. The floor's day (delete + insert of
 *               the same day's SQL per model) is reported beside it.
 *   plan        load + compile + plan, no apply, for the 30-model project and for 300 models (the
 *               30 replicated 10 times, bench/w2/replicate.ts), on a fresh warehouse (every model
 *               added, its whole history to backfill) and, for 30, on the built one (nothing to do).
 *               Target: seconds, not minutes (< 60 s).
 *
 * Data: W1's cache (bench/.cache/w1-<events>/, the simulator's fast mode) loaded once with `sync` into
 * bench/.cache/w2-base-<events>/casino.duckdb (not measured; the lake is dropped, W2 reads DuckDB
 * only). Each run copies that file twice (floor and ours, so each starts from the same bytes), in
 * the same process, one database open at a time. Runs alternate which side goes first.
 *
 * Run alone: `node --import tsx bench/w2-runner.ts --events 10000000 --runs 1` prints the JSON
 * results; `npm run bench -- --only W2` runs it through bench/run.mjs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DuckDBConnection } from '@duckdb/node-api';
import { directDay, directFull, loadDirectModels, type DirectModel } from './w2/direct';
import { nextDayDataset } from './w2/next-day';
import { replicateProject } from './w2/replicate';
import {
  baseWarehouse, CACHE, copyWarehouse, cpuMs, DAY_MS, DAYS, engine, FIRST_DAY, LAST_DAY, median, NEXT_DAY, NOW, r1, r3, roundSplit,
  runnerPlanApply, runnerPlanOnly, runnerRun, stat, TABLES, TARGET_FULL_RATIO, TARGET_INCREMENTAL_PCT, TARGET_PLAN_MS, withDb, type Split,
} from './w2/common';
import { runW2Library } from './w2/library';
import { REPO_ROOT } from '../warehouse/source/local-r2';
import { dirSource } from '../warehouse/source/dir';
import { sync } from '../warehouse/sync';

const MODELS = resolve(REPO_ROOT, 'bench', 'w2', 'models');

// ---- data ----

/** Row count of every non-external model (tables and views), by name: the check that both sides did the same work. */
async function counts(con: DuckDBConnection, models: DirectModel[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of models) {
    if (m.kind === 'EXTERNAL') continue;
    const [schema, table] = m.name.split('.');
    out[m.name] = Number((await con.runAndReadAll(`select count(*) from "${schema}"."${table}"`)).getRows()[0]![0]);
  }
  return out;
}

function compareCounts(what: string, floor: Record<string, number>, ours: Record<string, number>): void {
  const bad = Object.keys(floor).filter((k) => floor[k] !== ours[k]).map((k) => `${k}: floor ${floor[k]}, ours ${ours[k] ?? 'missing'}`);
  if (bad.length) throw new Error(`W2 ${what}: the runner's models differ from the floor's: ${bad.join('; ')}`);
}

// ---- the benchmark ----

type RunResult = {
  order: 'floor-first' | 'ours-first';
  floor_full_ms: number;
  ours_full_ms: number;
  ours_full: Split;
  full_ratio: number;
  next_day_events: number;
  floor_day_ms: number;
  ours_day_ms: number;
  /** Sum of the day's model builds (the runner's outcomes); the rest of ours_day_ms is state and scheduling. */
  ours_day_in_builds_ms: number;
  /** `run` again at the same now, nothing due: the fixed cost of a run. */
  ours_noop_run_ms: number;
  ours_day: Split;
  incremental_pct: number;
  floor_incremental_pct: number;
  /** Process CPU time (user + system, all of DuckDB's threads): far less sensitive than wall time to other load on the machine. */
  cpu_ms: { floor_full: number; ours_full: number; floor_day: number; ours_day: number };
  full_cpu_ratio: number;
  incremental_cpu_pct: number;
  floor_full_per_model_ms: Record<string, number>;
  floor_day_per_model_ms: Record<string, number>;
  ours_full_per_model_ms: Record<string, number>;
  ours_day_per_model_ms: Record<string, number>;
};

export async function runW2(opts: { events: number; runs: number; planReps?: number; log?: (m: string) => void }) {
  const log = opts.log ?? ((m: string) => console.error(m));
  const planReps = opts.planReps ?? 3;
  const base = await baseWarehouse(opts.events, log);
  const nextDay = await nextDayDataset({ dir: join(CACHE, `w2-next-day-${opts.events}`), players: base.players, days: DAYS, tables: TABLES, seed: 'w2-next', from: NOW, log });
  const models = loadDirectModels(MODELS);
  const built = models.filter((m) => m.kind !== 'EXTERNAL').length;
  const project300 = join(CACHE, 'w2-300');
  const models300 = replicateProject(MODELS, project300, 10);
  const en = engine;

  const runs: RunResult[] = [];
  const plan30Fresh: Split[] = [];
  const plan30Built: Split[] = [];
  const plan300Fresh: Split[] = [];

  for (let r = 0; r < opts.runs; r++) {
    const scratch = mkdtempSync(join(tmpdir(), 'w2-'));
    const say = (m: string) => log(`W2 run ${r + 1}: ${m}`);
    try {
      const floorPaths = copyWarehouse(base.db, join(scratch, 'floor'));
      const oursPaths = copyWarehouse(base.db, join(scratch, 'ours'));
      const floorFirst = r % 2 === 0;

      // (a) + (b): full builds of the 30 models over the 30 days
      let floorFull!: Awaited<ReturnType<typeof directFull>>;
      let oursFull!: Split;
      let oursFullPerModel: Record<string, number> = {};
      const cpu = { floorFull: 0, oursFull: 0, floorDay: 0, oursDay: 0 };
      const doFloor = async () => {
        const c = process.cpuUsage();
        floorFull = await withDb(floorPaths, (con) => directFull(con, models, FIRST_DAY, LAST_DAY));
        cpu.floorFull = cpuMs(c);
        say(`floor full build ${Math.round(floorFull.ms)} ms (CPU ${cpu.floorFull} ms)`);
      };
      const doOurs = async () => {
        const c = process.cpuUsage();
        ({ split: oursFull, per_model_ms: oursFullPerModel } = await withDb(oursPaths, (con) => runnerPlanApply(en, con, MODELS, NOW)));
        cpu.oursFull = cpuMs(c);
        say(`runner plan prod --auto-apply ${Math.round(oursFull.total_ms)} ms (CPU ${cpu.oursFull} ms; ${JSON.stringify(roundSplit(oursFull))})`);
      };
      if (floorFirst) { await doFloor(); await doOurs(); } else { await doOurs(); await doFloor(); }
      const floorCounts = await withDb(floorPaths, (con) => counts(con, models));
      compareCounts('full build', floorCounts, await withDb(oursPaths, (con) => counts(con, models)));

      // one more day of events, into both (not measured)
      for (const paths of [floorPaths, oursPaths]) {
        const t = await sync({ paths, source: dirSource(nextDay.dir) });
        if (t.events_new !== nextDay.events) throw new Error(`W2: the next day loaded ${t.events_new} of ${nextDay.events} events`);
      }

      // (c) the day: the runner's run at now + 1 day, and the floor's delete + insert of that day
      let floorDay!: Awaited<ReturnType<typeof directDay>>;
      let oursDay!: Split;
      let oursDayPerModel: Record<string, number> = {};
      const doFloorDay = async () => {
        const c = process.cpuUsage();
        floorDay = await withDb(floorPaths, (con) => directDay(con, models, NEXT_DAY));
        cpu.floorDay = cpuMs(c);
        say(`floor one day ${Math.round(floorDay.ms)} ms (CPU ${cpu.floorDay} ms)`);
      };
      const doOursDay = async () => {
        const c = process.cpuUsage();
        ({ split: oursDay, per_model_ms: oursDayPerModel } = await withDb(oursPaths, (con) => runnerRun(en, con, NOW + DAY_MS)));
        cpu.oursDay = cpuMs(c);
        say(`runner run (now + 1 day) ${Math.round(oursDay.total_ms)} ms (CPU ${cpu.oursDay} ms)`);
      };
      if (floorFirst) { await doFloorDay(); await doOursDay(); } else { await doOursDay(); await doFloorDay(); }
      compareCounts('incremental day', await withDb(floorPaths, (con) => counts(con, models)), await withDb(oursPaths, (con) => counts(con, models)));
      // the same run again: nothing is due, so this is what `run` costs before and around the builds
      const noop = await withDb(oursPaths, (con) => runnerRun(en, con, NOW + DAY_MS));
      if (Object.keys(noop.per_model_ms).length) throw new Error(`W2: a second run at the same now built ${Object.keys(noop.per_model_ms).join(', ')}`);

      // (d) plan time: 30 models on the built warehouse (nothing to do), then 30 and 300 on a fresh one
      await withDb(oursPaths, async (con) => {
        for (let i = 0; i < planReps; i++) plan30Built.push(await runnerPlanOnly(en, con, MODELS, NOW + DAY_MS));
      });
      rmSync(floorPaths.dir, { recursive: true, force: true });
      const freshPaths = copyWarehouse(base.db, join(scratch, 'fresh'));
      await withDb(freshPaths, async (con) => {
        for (let i = 0; i < planReps; i++) plan30Fresh.push(await runnerPlanOnly(en, con, MODELS, NOW));
        for (let i = 0; i < planReps; i++) plan300Fresh.push(await runnerPlanOnly(en, con, project300, NOW));
      });
      say(`plan 30 fresh ${Math.round(median(plan30Fresh.map((s) => s.total_ms)))} ms, 30 built ${Math.round(median(plan30Built.map((s) => s.total_ms)))} ms, 300 fresh ${Math.round(median(plan300Fresh.map((s) => s.total_ms)))} ms`);

      runs.push({
        order: floorFirst ? 'floor-first' : 'ours-first',
        floor_full_ms: Math.round(floorFull.ms),
        ours_full_ms: Math.round(oursFull.total_ms),
        ours_full: roundSplit(oursFull),
        full_ratio: r3(oursFull.total_ms / floorFull.ms),
        next_day_events: nextDay.events,
        floor_day_ms: Math.round(floorDay.ms),
        ours_day_ms: Math.round(oursDay.total_ms),
        ours_day_in_builds_ms: Math.round(Object.values(oursDayPerModel).reduce((a, b) => a + b, 0)),
        ours_noop_run_ms: Math.round(noop.split.total_ms),
        ours_day: roundSplit(oursDay),
        incremental_pct: r1((100 * oursDay.total_ms) / oursFull.total_ms),
        floor_incremental_pct: r1((100 * floorDay.ms) / floorFull.ms),
        cpu_ms: { floor_full: cpu.floorFull, ours_full: cpu.oursFull, floor_day: cpu.floorDay, ours_day: cpu.oursDay },
        full_cpu_ratio: r3(cpu.oursFull / cpu.floorFull),
        incremental_cpu_pct: r1((100 * cpu.oursDay) / cpu.oursFull),
        floor_full_per_model_ms: floorFull.per_model_ms,
        floor_day_per_model_ms: floorDay.per_model_ms,
        ours_full_per_model_ms: oursFullPerModel,
        ours_day_per_model_ms: oursDayPerModel,
      });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  const params = {
    events: base.events, days: DAYS, first_day: FIRST_DAY, last_day: LAST_DAY, next_day: NEXT_DAY, next_day_events: nextDay.events,
    // players register over the window, so late days are busier than the average: the new day is this share of the data
    next_day_pct_of_events: r1((100 * nextDay.events) / base.events),
    models: built, models_300: models300, runs: opts.runs, plan_repetitions: planReps, project: 'bench/w2/models',
  };
  const fullRatio = median(runs.map((x) => x.full_ratio));
  const incPct = median(runs.map((x) => x.incremental_pct));
  const floorFullMs = median(runs.map((x) => x.floor_full_ms));
  const oursFullMs = median(runs.map((x) => x.ours_full_ms));
  const floorDayMs = median(runs.map((x) => x.floor_day_ms));
  const oursDayMs = median(runs.map((x) => x.ours_day_ms));
  const runsSlim = runs.map(({ floor_full_per_model_ms: _a, floor_day_per_model_ms: _b, ours_full_per_model_ms: _c, ours_day_per_model_ms: _d, ...rest }) => rest);
  const planStat = (xs: Split[]) => ({ total_ms: stat(xs.map((s) => s.total_ms)), load_ms: stat(xs.map((s) => s.load_ms)), compile_ms: stat(xs.map((s) => s.compile_ms)), plan_ms: stat(xs.map((s) => s.plan_ms)) });
  const plan30 = median(plan30Fresh.map((s) => s.total_ms));
  const plan300 = median(plan300Fresh.map((s) => s.total_ms));

  return [
    {
      id: 'W2',
      metric: `full build of ${built} models over ${base.events} events: runner \`plan prod --auto-apply\` / the same SQL run directly by DuckDB (median ratio over runs)`,
      value: r3(fullRatio),
      unit: 'x',
      target: `<= ${TARGET_FULL_RATIO}`,
      pass: fullRatio <= TARGET_FULL_RATIO,
      ours_ms: stat(runs.map((x) => x.ours_full_ms)),
      floor: { ms: stat(runs.map((x) => x.floor_full_ms)), what: 'CREATE TABLE AS / CREATE VIEW of the 30 queries in topological order, macros = the whole range (bench/w2/direct.ts)', per_model_ms: runs[0]?.floor_full_per_model_ms },
      ratio: stat(runs.map((x) => x.full_ratio)),
      cpu: { ours_ms: stat(runs.map((x) => x.cpu_ms.ours_full)), floor_ms: stat(runs.map((x) => x.cpu_ms.floor_full)), ratio: stat(runs.map((x) => x.full_cpu_ratio)) },
      ours_per_model_ms: runs[0]?.ours_full_per_model_ms,
      runs: runsSlim,
      params,
      summary: `ours ${Math.round(oursFullMs)} ms, DuckDB alone ${Math.round(floorFullMs)} ms; wall ratio per run ${runs.map((x) => x.full_ratio).join(' / ')}; CPU ratio ${r3(median(runs.map((x) => x.full_cpu_ratio)))}x (${runs.map((x) => x.full_cpu_ratio).join(' / ')})`,
    },
    {
      id: 'W2',
      metric: `incremental run of one more day (${nextDay.events} events): runner \`run\` at now + 1 day / the runner's full build (median % over runs)`,
      value: r1(incPct),
      unit: '%',
      target: `<= ${TARGET_INCREMENTAL_PCT}`,
      pass: incPct <= TARGET_INCREMENTAL_PCT,
      ours_ms: stat(runs.map((x) => x.ours_day_ms)),
      ours_per_model_ms: runs[0]?.ours_day_per_model_ms,
      cpu: {
        ours_ms: stat(runs.map((x) => x.cpu_ms.ours_day)),
        floor_ms: stat(runs.map((x) => x.cpu_ms.floor_day)),
        pct_of_ours_full: stat(runs.map((x) => x.incremental_cpu_pct)),
        ratio_ours_to_floor: stat(runs.map((x) => r3(x.cpu_ms.ours_day / x.cpu_ms.floor_day))),
      },
      floor: {
        ms: stat(runs.map((x) => x.floor_day_ms)),
        pct_of_floor_full: stat(runs.map((x) => x.floor_incremental_pct)),
        ratio_ours_to_floor: r3(oursDayMs / floorDayMs),
        what: 'per model, one transaction: DELETE the day + INSERT the query for the day (by time range), temp batch + DELETE keys + INSERT (by unique key), CREATE OR REPLACE (FULL)',
        per_model_ms: runs[0]?.floor_day_per_model_ms,
      },
      noop_run_ms: stat(runs.map((x) => x.ours_noop_run_ms)),
      runs: runsSlim.map((x) => ({ ours_day_ms: x.ours_day_ms, ours_day_in_builds_ms: x.ours_day_in_builds_ms, ours_noop_run_ms: x.ours_noop_run_ms, floor_day_ms: x.floor_day_ms, incremental_pct: x.incremental_pct, floor_incremental_pct: x.floor_incremental_pct, cpu_ms: x.cpu_ms, incremental_cpu_pct: x.incremental_cpu_pct })),
      params,
      summary: `ours ${Math.round(oursDayMs)} ms of ${Math.round(oursFullMs)} ms (CPU ${r1(median(runs.map((x) => x.incremental_cpu_pct)))} %); DuckDB alone ${Math.round(floorDayMs)} ms (${r1(median(runs.map((x) => x.floor_incremental_pct)))} % of its full build; ours/floor CPU ${r3(median(runs.map((x) => x.cpu_ms.ours_day / x.cpu_ms.floor_day)))}x); the day is ${params.next_day_pct_of_events} % of the events`,
    },
    {
      id: 'W2',
      metric: `plan time (load + compile + plan, no apply) of ${built} models, fresh warehouse (median of ${plan30Fresh.length})`,
      value: Math.round(plan30),
      unit: 'ms',
      target: `< ${TARGET_PLAN_MS}`,
      pass: plan30 < TARGET_PLAN_MS,
      split: planStat(plan30Fresh),
      built_warehouse: planStat(plan30Built),
      runs: plan30Fresh.map(roundSplit),
      params,
      summary: `on the built warehouse (no changes) ${Math.round(median(plan30Built.map((s) => s.total_ms)))} ms`,
    },
    {
      id: 'W2',
      metric: `plan time (load + compile + plan, no apply) of ${models300} models (the 30 x 10), fresh warehouse (median of ${plan300Fresh.length})`,
      value: Math.round(plan300),
      unit: 'ms',
      target: `< ${TARGET_PLAN_MS}`,
      pass: plan300 < TARGET_PLAN_MS,
      split: planStat(plan300Fresh),
      runs: plan300Fresh.map(roundSplit),
      params,
      summary: `${r1(plan300 / plan30)}x the 30-model plan`,
    },
  ];
}

const HELP = `W2: the SQL model runner against the same SQL run directly by DuckDB (bench/README.md, W2).

  node --import tsx bench/w2-runner.ts [--project library|bench|both] [--events N] [--runs R] [--plan-reps P]

  --project    library (default): the project's models/ over W1's events (full build, one more day, plan time)
               bench: the 30 synthetic models of bench/w2/models (and the 300-model plan time)
               both: bench, then library
  --events     W1's event count (default 10000000; 300000 or 1000000 to validate: each size is generated,
               loaded and cached once under bench/.cache/)
  --runs       runs (default 1); sides alternate which goes first
  --plan-reps  plan-time repetitions per run (default 3)

Prints the JSON results on stdout, progress on stderr.`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { events: { type: 'string' }, runs: { type: 'string' }, 'plan-reps': { type: 'string' }, project: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const project = values.project ?? 'library';
  if (!['library', 'bench', 'both'].includes(project)) throw new Error(`--project ${project}: library, bench or both`);
  const o = { events: Number(values.events ?? 10_000_000), runs: Number(values.runs ?? 1), planReps: Number(values['plan-reps'] ?? 3) };
  const out = [
    ...(project !== 'library' ? (await runW2(o)).map((r) => ({ variant: 'bench', ...r })) : []),
    ...(project !== 'bench' ? await runW2Library(o) : []),
  ];
  console.log(JSON.stringify(out));
}
