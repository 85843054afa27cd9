/**
 * W2's shared parts: statistics, the base warehouse (W1's events loaded once with `sync`), copies of it
 * for each side, and the run's dates. Used by w2-runner.ts (the 30 bench models) and w2/library.ts
 * (the project's models/ library).
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyPlan } from '../../warehouse/runner/engine/apply';
import type { ModelOutcome } from '../../warehouse/runner/engine/build';
import { compileProject } from '../../warehouse/runner/compile/compile';
import { PROD } from '../../warehouse/runner/names';
import { plan, type Plan } from '../../warehouse/runner/engine/plan';
import { loadProject } from '../../warehouse/runner/files/project';
import { run } from '../../warehouse/runner/engine/run';
import type { Project } from '../../warehouse/runner/types';
import { dataset } from '../w1-warehouse-ingest';
import { warehousePaths, type WarehousePaths } from '../../warehouse/config';
import { openWarehouse } from '../../warehouse/db';
import { dirSource } from '../../warehouse/source/dir';
import { REPO_ROOT } from '../../warehouse/source/local-r2';
import { sync } from '../../warehouse/sync';

export const DAY_MS = 86_400_000;
/** W1's history: 30 days ending at this instant (UTC midnight), so 2026-10-22 .. 2026-11-20. */
export const NOW = Date.UTC(2026, 10, 21, 0, 0, 0);
export const DAYS = 30;
export const TABLES = 4;
export const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const FIRST_DAY = ymd(NOW - DAYS * DAY_MS);
export const LAST_DAY = ymd(NOW - DAY_MS);
export const NEXT_DAY = ymd(NOW);
export const CACHE = resolve(REPO_ROOT, 'bench', '.cache');

export const TARGET_FULL_RATIO = 1.1;
export const TARGET_INCREMENTAL_PCT = 5;
export const TARGET_PLAN_MS = 60_000;

// ---- statistics (nearest-rank, as bench/lib/stats.mjs) ----
export const sortNum = (xs: number[]) => [...xs].sort((a, b) => a - b);
export function median(xs: number[]): number {
  const s = sortNum(xs);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
export function p99(xs: number[]): number {
  const s = sortNum(xs);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(0.99 * s.length) - 1))]!;
}
export const r1 = (x: number) => Math.round(x * 10) / 10;
export const r3 = (x: number) => Math.round(x * 1000) / 1000;
/** Milliseconds of CPU (user + system, every thread of this process) since `from`. */
export const cpuMs = (from: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(from);
  return Math.round((d.user + d.system) / 1000);
};
export const stat = (xs: number[]) => (xs.length > 1 ? { median: r1(median(xs)), p99: r1(p99(xs)), n: xs.length } : { median: r1(xs[0]!), n: 1 });

/** W1's events loaded once with `sync` into bench/.cache/w2-base-<events>/casino.duckdb. */
export async function baseWarehouse(events: number, log: (m: string) => void): Promise<{ db: string; events: number; players: number }> {
  const data = await dataset(events, log);
  const dir = join(CACHE, `w2-base-${events}`);
  const ready = join(dir, 'ready.json');
  if (existsSync(ready)) {
    const r = JSON.parse(readFileSync(ready, 'utf8')) as { events: number; players?: number };
    if (r.events === data.events && r.players) return { db: join(dir, 'casino.duckdb'), events: r.events, players: r.players };
  }
  const paths = warehousePaths(dir);
  if (!existsSync(ready) || !existsSync(paths.db)) {
    log(`W2: loading ${data.events} events into ${paths.db} with sync (once; cached)`);
    rmSync(dir, { recursive: true, force: true });
    const t = await sync({ paths, source: dirSource(data.dir) });
    if (t.events_new !== data.events) throw new Error(`W2: base load got ${t.events_new} of ${data.events} events`);
    rmSync(paths.lake, { recursive: true, force: true });
    rmSync(paths.scratch, { recursive: true, force: true });
  }
  const wh = await openWarehouse(paths.db);
  try {
    const n = Number((await wh.con.runAndReadAll('select count(*) from raw.events')).getRows()[0]![0]);
    const players = Number((await wh.con.runAndReadAll("select count(*) from raw.events where event_type = 'player.registered'")).getRows()[0]![0]);
    if (n !== data.events) throw new Error(`W2: ${paths.db} holds ${n} events, expected ${data.events}`);
    await wh.con.run('checkpoint');
    writeFileSync(ready, JSON.stringify({ events: n, players }));
    return { db: paths.db, events: n, players };
  } finally {
    wh.close();
  }
}

/** A copy of the base file, flushed to disk so its write-back does not run during a measurement. */
export function copyWarehouse(baseDb: string, dir: string): WarehousePaths {
  const paths = warehousePaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  for (const [from, to] of [[baseDb, paths.db], [`${baseDb}.wal`, `${paths.db}.wal`]] as const) {
    if (!existsSync(from)) continue;
    copyFileSync(from, to);
    const fd = openSync(to, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return paths;
}

export async function withDb<T>(paths: WarehousePaths, fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const wh = await openWarehouse(paths.db);
  try {
    return await fn(wh.con);
  } finally {
    wh.close();
  }
}


// ---- the runner, behind the few calls W2 makes ----

export type Outcome = ModelOutcome;
export type Compiled = Awaited<ReturnType<typeof compileProject>>;

/** The runner's calls W2 times, in one place: load, compile, plan, apply (plan prod --auto-apply) and run. */
export type Engine = {
  plan(con: DuckDBConnection, project: Project, compiled: Compiled, env: string, opts: { now: number }): Promise<Plan>;
  applyPlan(con: DuckDBConnection, plan: Plan): Promise<{ swapped: boolean; outcomes: Outcome[] }>;
  run(con: DuckDBConnection, env: string, opts: { now: number }): Promise<{ ok: boolean; outcomes: Outcome[] }>;
};
export const engine: Engine = { plan, applyPlan, run };

export type Split = { load_ms: number; compile_ms: number; plan_ms: number; apply_ms?: number; run_ms?: number; total_ms: number };

/** A runner step with a failed model: the models it built (their times) are in `per_model_ms`, so a report keeps them. */
export class RunnerStepError extends Error {
  constructor(message: string, readonly per_model_ms: Record<string, number>) {
    super(message);
  }
}
export function failed(what: string, outcomes: Outcome[]): void {
  const bad = outcomes.filter((o) => o.outcome !== 'ok');
  if (bad.length) {
    throw new RunnerStepError(
      `W2: the runner's ${what} failed: ${bad.slice(0, 3).map((o) => `${o.model}: ${o.outcome} ${o.error ?? ''}`).join('; ')}`,
      perModel(outcomes.filter((o) => o.outcome === 'ok')),
    );
  }
}
export const perModel = (outcomes: Outcome[]) => Object.fromEntries(outcomes.map((o) => [o.model, o.finishedAt - o.startedAt]));

/** `plan prod --auto-apply` in this process: load, compile, plan, apply. */
export async function runnerPlanApply(en: Engine, con: DuckDBConnection, root: string, now: number): Promise<{ split: Split; per_model_ms: Record<string, number> }> {
  const t0 = performance.now();
  const project = await loadProject(root);
  const t1 = performance.now();
  const compiled = await compileProject(project, con);
  const t2 = performance.now();
  const p = await en.plan(con, project, compiled, PROD, { now });
  const t3 = performance.now();
  const applied = await en.applyPlan(con, p);
  const t4 = performance.now();
  failed('apply', applied.outcomes);
  if (applied.swapped === false) throw new Error('W2: the runner applied the plan but did not swap the environment');
  return { split: { load_ms: t1 - t0, compile_ms: t2 - t1, plan_ms: t3 - t2, apply_ms: t4 - t3, total_ms: t4 - t0 }, per_model_ms: perModel(applied.outcomes) };
}

/** `plan prod` without applying: load, compile, plan. */
export async function runnerPlanOnly(en: Engine, con: DuckDBConnection, root: string, now: number): Promise<Split> {
  const t0 = performance.now();
  const project = await loadProject(root);
  const t1 = performance.now();
  const compiled = await compileProject(project, con);
  const t2 = performance.now();
  await en.plan(con, project, compiled, PROD, { now });
  const t3 = performance.now();
  return { load_ms: t1 - t0, compile_ms: t2 - t1, plan_ms: t3 - t2, total_ms: t3 - t0 };
}

/** `run` in this process: fills the due intervals of prod from its applied snapshots (no files read). */
export async function runnerRun(en: Engine, con: DuckDBConnection, now: number): Promise<{ split: Split; per_model_ms: Record<string, number> }> {
  const t0 = performance.now();
  const summary = await en.run(con, PROD, { now });
  const t1 = performance.now();
  failed('run', summary.outcomes);
  return { split: { load_ms: 0, compile_ms: 0, plan_ms: 0, run_ms: t1 - t0, total_ms: t1 - t0 }, per_model_ms: perModel(summary.outcomes) };
}

export const roundSplit = (s: Split) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v as number)])) as Split;

