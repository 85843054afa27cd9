/**
 * The runner's command line end to end, in real processes (`tsx warehouse/cli.ts <verb>`) over a
 * real warehouse loaded by `wh sync` from simulated batch objects, against temp copies of the
 * project's model tree (models/): the analyst's day of docs/models.md, every error path with its
 * exit code (2 usage, 1 model/SQL error, 3 busy with --no-wait), two writers (one waits, none
 * corrupts), the warehouse loop (`wh loop`), and "apply only the plan you saw".
 *
 * One warehouse is loaded once (beforeAll) and each test works on a copy of its file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directorySink, writeHistory } from '../../simulator/sink';
import { warehousePaths } from '../config';
import { openWarehouse, rows } from '../db';
import { REPO_ROOT } from '../source/local-r2';
import { walkFiles } from '../source/dir';

const TSX = resolve(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = resolve(REPO_ROOT, 'warehouse', 'cli.ts');
const WRITER_CHILD = resolve(REPO_ROOT, 'warehouse', 'testing', 'writer-child.ts');
const STATE_CHANGER = resolve(REPO_ROOT, 'warehouse', 'testing', 'state-changer.ts');
const MART = 'marts.platform_events_daily';
const MART_FILE = join('marts', 'platform_events_daily.sql');
/** The simulated history ends here (fixed, so the data is the same on every run). */
const HISTORY_END = Date.parse('2026-11-20T12:00:00Z');

const root = mkdtempSync(join(tmpdir(), 'wh-runner-cli-'));
const batches = join(root, 'batches');
/** A warehouse with the simulated events synced and no plan yet, and the same after `plan --auto-apply` of prod. */
const loaded = join(root, 'loaded');
const planned = join(root, 'planned');

type Proc = {
  child: ChildProcess;
  out: string;
  err: string;
  exited: Promise<number>;
  /** Resolves once stdout + stderr match `re` (at least `times` times); rejects if the process exits first. */
  until: (re: RegExp, times?: number, timeoutMs?: number) => Promise<void>;
};

/**
 * A process with WAREHOUSE_DIR=dir, stdin a pipe (never a terminal), output collected. `sync` and
 * `loop` run under tsx's own CLI, as `npm run wh` does (sync's validation worker threads load
 * TypeScript through it; it relays SIGTERM to the script); everything else with `node --import tsx`,
 * one process instead of two (the pid in a writer lock is the test's child's own).
 */
function start(dir: string, script: string, args: string[]): Proc {
  const loader = script === CLI && ['sync', 'loop'].includes(args[0]!) ? [TSX] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, ...args], { cwd: REPO_ROOT, env: { ...process.env, WAREHOUSE_DIR: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
  let exitedCode: number | null = null;
  const p: Proc = {
    child, out: '', err: '',
    exited: new Promise((ok) => child.on('exit', (code, signal) => {
      exitedCode = code ?? (signal ? 128 : 1);
      ok(exitedCode);
    })),
    until: (re, times = 1, timeoutMs = 30_000) => new Promise((ok, fail) => {
      const t0 = Date.now();
      const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
      const timer = setInterval(() => {
        if (((p.out + p.err).match(g)?.length ?? 0) >= times) {
          clearInterval(timer);
          ok();
        } else if (exitedCode !== null || Date.now() - t0 > timeoutMs) {
          clearInterval(timer);
          fail(new Error(`${exitedCode !== null ? `exited (${exitedCode})` : 'timed out'} without ${re} x${times}:\n${p.out}\n${p.err}`));
        }
      }, 25);
    }),
  };
  child.stdout!.on('data', (d) => { p.out += d; });
  child.stderr!.on('data', (d) => { p.err += d; });
  return p;
}

type Result = { code: number; out: string; err: string };

/** Runs `wh <args>` to the end, stdin closed at once (not a terminal). */
async function wh(dir: string, ...args: string[]): Promise<Result> {
  const p = start(dir, CLI, args);
  p.child.stdin!.end();
  const code = await p.exited;
  return { code, out: p.out, err: p.err };
}

/** A new warehouse directory holding a copy of `from`'s database file. */
function copyOf(from: string): string {
  const dir = mkdtempSync(join(root, 'wh-'));
  copyFileSync(warehousePaths(from).db, warehousePaths(dir).db);
  return dir;
}

/**
 * The first mart's slice of the real model tree: raw.events, marts.platform_events_daily and its
 * unit test, with config.yaml. These tests count models, views, tables and test lines of that
 * slice; the rest of the library (staging/, seeds/, other marts) is tested by its own unit tests,
 * audits and warehouse/models-tree.test.ts, and would only change the counts here.
 */
const SLICE = new Set(['', 'config.yaml', 'external', 'external/events.sql', 'marts', 'marts/platform_events_daily.sql', 'tests', 'tests/test_platform_events_daily.yaml']);
const MODELS_DIR = resolve(REPO_ROOT, 'models');
/** Models of the slice the runner builds (every .sql but external/): each has a view per environment. */
const BUILT_MODELS = [...SLICE].filter((f) => f.endsWith('.sql') && !f.startsWith('external/')).length;

/** A copy of the first mart's slice of the real model tree (models/), optionally edited: `edit(relativeFile, text) -> text`. */
function project(edit?: Record<string, (text: string) => string>): string {
  const dir = mkdtempSync(join(root, 'models-'));
  cpSync(MODELS_DIR, dir, { recursive: true, filter: (src) => SLICE.has(relative(MODELS_DIR, src).split('\\').join('/')) });
  for (const [file, fn] of Object.entries(edit ?? {})) writeFileSync(join(dir, file), fn(existsSync(join(dir, file)) ? readFileSync(join(dir, file), 'utf8') : ''));
  return dir;
}

/** The mart with one more output column (an aggregate: `column`). */
const addColumn = (expr: string, alias: string) => ({
  [MART_FILE]: (t: string) => {
    const next = t.replace('count(DISTINCT table_id) AS tables\n', `count(DISTINCT table_id) AS tables,\n  ${expr} AS ${alias}\n`);
    if (next === t) throw new Error('the mart changed: update the test edit');
    return next;
  },
});

/** Rows from a read-only connection (waits while a writer holds the file). */
async function q<T = Record<string, unknown>>(dir: string, sql: string): Promise<T[]> {
  const w = await openWarehouse(warehousePaths(dir).db, { readOnly: true });
  try {
    return await rows<T>(w.con, sql);
  } finally {
    w.close();
  }
}

/** Row count and a hash of every row of a relation (order-independent). */
const checksum = async (dir: string, relation: string) => (await q<{ n: number; h: string }>(dir,
  `select count(*)::integer as n, md5(coalesce(string_agg(t::varchar, '|' order by t::varchar), '')) as h from ${relation} t`))[0];

/** The version an environment uses for the mart. */
const versionIn = async (dir: string, env: string) => (await q<{ version: string }>(dir,
  `select version from meta.environment_models where env = '${env}' and model = '${MART}'`))[0]?.version;

/** Per day: the mart's events next to a direct count over raw.events (they must agree). */
const martVsRaw = (dir: string, relation = MART) => q<{ day: string; mart: number; raw: number }>(dir, `
  select strftime(r.event_date, '%Y-%m-%d') as day, coalesce(m.events, 0)::integer as mart, r.n::integer as raw
  from (select event_date, count(*) as n from raw.events group by 1) r
  left join (select event_date, sum(events) as events from ${relation} group by 1) m using (event_date)
  order by 1`);

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const noStack = (r: Result) => expect(r.err).not.toMatch(/\n\s+at /);

beforeAll(async () => {
  await writeHistory({ players: 20, days: 3, tables: 2, seed: 'clitest', now: HISTORY_END, sink: directorySink(batches) });
  const sync = await wh(loaded, 'sync', '--source', `dir:${batches}`);
  expect(sync, sync.err).toMatchObject({ code: 0 });
  cpSync(loaded, planned, { recursive: true });
  const first = await wh(planned, 'plan', '--auto-apply');
  expect(first.out, first.err).toContain("environment 'prod' updated");
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('wh plan/run/test/audit/diff/... : the analyst\'s day (docs/models.md)', () => {
  it('plans prod on a fresh warehouse, runs, tries an added column in dev, tests, audits, diffs, promotes virtually, drops dev, cleans up', async () => {
    const dir = copyOf(loaded);
    const proj = project();

    const first = await wh(dir, 'plan', '--auto-apply', '--project', proj);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toMatch(/^Plan \w{8} for `prod` \(new environment\)/);
    expect(first.out).toMatch(/Added:\n\s+\+ raw\.events\n\s+\+ marts\.platform_events_daily/);
    expect(first.out).toMatch(/Backfill \(missing intervals\):\n\s+marts\.platform_events_daily: 2026-01-01 \.\. \d{4}-\d\d-\d\d/);
    expect(first.out).toMatch(/ok\s+marts\.platform_events_daily \(\d+ rows\)/);
    expect(first.out).toContain("environment 'prod' updated");
    const days = await martVsRaw(dir);
    expect(days.length).toBeGreaterThanOrEqual(3);
    for (const d of days) expect(d.mart, d.day).toBe(d.raw);

    const run = await wh(dir, 'run');
    expect(run.code, run.err).toBe(0);
    // allow_partials: the open interval (today) is computed on every run.
    expect(run.out).toMatch(/run \w{8} of `prod` at .* UTC\n\s+ok\s+marts\.platform_events_daily \d{4}-\d\d-\d\d 00:00 \.\. /);
    expect(run.out).toMatch(/1 model\(s\) run/);

    // The edit: one more column.
    writeFileSync(join(proj, MART_FILE), addColumn('count(DISTINCT currency)', 'currencies')[MART_FILE]!(readFileSync(join(proj, MART_FILE), 'utf8')));
    const local = await wh(dir, 'models', '--project', proj);
    expect(local.out).toMatch(/marts\.platform_events_daily\s+INCREMENTAL_BY_TIME_RANGE\s+\*\/1 \* \* \* \*\s+data\s+marts\/platform_events_daily\.sql\s+\w{12}\s+changed locally/);

    const prodBefore = await checksum(dir, MART);
    const oldVersion = await versionIn(dir, 'prod');
    const dev = await wh(dir, 'plan', 'dev', '--auto-apply', '--project', proj);
    expect(dev.code, dev.err).toBe(0);
    expect(dev.out).toContain('for `dev` (new environment, from `prod`)');
    expect(dev.out).toMatch(/Directly modified:\n\s+~ marts\.platform_events_daily \(non-breaking: only adds columns, downstream kept\)/);
    expect(dev.out).toMatch(/-\s+count\(DISTINCT table_id\) AS tables\n\s+\+\s+count\(DISTINCT table_id\) AS tables,\n\s+\+\s+count\(DISTINCT currency\) AS currencies/);
    expect(dev.out).toMatch(/ok\s+marts\.platform_events_daily \(\d+ rows\)/);
    expect(dev.out).toContain("environment 'dev' updated");
    // prod: same rows, same table.
    expect(await checksum(dir, MART)).toEqual(prodBefore);
    expect(await versionIn(dir, 'prod')).toBe(oldVersion);
    const newVersion = await versionIn(dir, 'dev');
    expect(newVersion).not.toBe(oldVersion);
    expect((await q<{ c: number }>(dir, 'select sum(currencies)::integer as c from marts__dev.platform_events_daily'))[0]!.c).toBeGreaterThan(0);

    const test = await wh(dir, 'test', '--project', proj);
    // models/ holds more than the first mart (seeds, staging): its lines, and nothing failed.
    expect(test).toMatchObject({ code: 0, out: expect.stringMatching(/^ok {3}test_platform_events_daily \(tests\/test_platform_events_daily\.yaml:2\)\n(ok {3}.*\n)*\d+ passed, 0 failed\n$/) });

    const audit = await wh(dir, 'audit', '--env', 'dev', '--project', proj);
    expect(audit.code, audit.out).toBe(0);
    expect(audit.out).toMatch(/^marts\.platform_events_daily\n  ok   not_null\n  ok   unique_combination_of_columns\n  ok   accepted_range\n/);
    expect(audit.out).not.toMatch(/^ {2}(?!ok)/m);

    const diff = await wh(dir, 'diff', MART, 'prod:dev', '--project', proj);
    expect(diff.code, diff.err).toBe(0);
    const sides = /prod (\d+) rows, dev (\d+) rows, joined on \(event_date, event_type, jurisdiction\)/.exec(diff.out);
    expect(sides, diff.out).not.toBeNull();
    expect(sides![1]).toBe(sides![2]);
    expect(diff.out).toContain('schema: column currencies only in dev (BIGINT)');
    expect(diff.out).toMatch(/rows: 0 only in dev \(added\), 0 only in prod \(removed\), \d+ in both, 0 of them changed/);

    // Promotion: every table is built already; prod's views are swapped.
    const promote = await wh(dir, 'plan', '--auto-apply', '--project', proj);
    expect(promote.code, promote.err).toBe(0);
    expect(promote.out).toContain('for `prod` (changes to `prod`)');
    expect(promote.out).toContain("Nothing to compute: applying only swaps the environment's views (virtual update).");
    expect(promote.out).not.toMatch(/^\s+ok\s/m);
    expect(promote.out).toContain("environment 'prod' updated");
    expect(await versionIn(dir, 'prod')).toBe(newVersion);
    expect(await checksum(dir, 'marts.platform_events_daily')).toEqual(await checksum(dir, 'marts__dev.platform_events_daily'));
    expect((await q(dir, `select currencies from ${MART} limit 1`))).toHaveLength(1);
    expect((await wh(dir, 'plan', '--project', proj)).out).toContain('`prod` is up to date.');

    const drop = await wh(dir, 'env', 'drop', 'dev');
    // One view per model of the slice but raw.events.
    expect(drop).toMatchObject({ code: 0, out: expect.stringContaining(`dropped environment 'dev' (${BUILT_MODELS} views)`) });
    expect((await wh(dir, 'env', 'list')).out).toMatch(new RegExp(`^env\\s+models\\s+created\\s+updated\\s+expires\\n[- ]+\\nprod\\s+${BUILT_MODELS + 1}\\s.*never\\n$`));

    const janitor = await wh(dir, 'janitor', '--ttl-hours', '0', '--project', proj);
    expect(janitor).toMatchObject({ code: 0, out: `dropped ${MART} version ${oldVersion}\n` });
    expect((await q<{ t: string }>(dir, "select table_name as t from duckdb_tables() where schema_name = 'wh_physical' and starts_with(table_name, 'marts__') order by 1")).map((r) => r.t))
      .toEqual([`marts__platform_events_daily__${newVersion}`]);
    for (const d of await martVsRaw(dir)) expect(d.mart, d.day).toBe(d.raw);

    // Late data or a fixed bug: recompute a range (and everything downstream); each outcome is kept.
    const runsBefore = (await q<{ n: number }>(dir, `select count(*)::integer as n from meta.model_runs where model = '${MART}'`))[0]!.n;
    const restate = await wh(dir, 'plan', '--restate', MART, '--start', '2026-11-18', '--end', '2026-11-19', '--auto-apply', '--project', proj);
    expect(restate.code, restate.out + restate.err).toBe(0);
    expect(restate.out).toContain(`Restating 2026-11-18 .. 2026-11-19: ${MART}`);
    expect(restate.out).toMatch(/ok\s+marts\.platform_events_daily \(\d+ rows\)/);
    expect(await versionIn(dir, 'prod')).toBe(newVersion);
    for (const d of await martVsRaw(dir)) expect(d.mart, d.day).toBe(d.raw);
    const runs = await q<{ outcome: string; intervals: string }>(dir, `select outcome, intervals from meta.model_runs where model = '${MART}' order by finished_at`);
    expect(runs.length).toBeGreaterThan(runsBefore);
    // The restated days (and, with lookback 2, the two before them and the two newest) were recomputed.
    expect(runs.at(-1)).toEqual({ outcome: 'ok', intervals: expect.stringMatching(/(^|, )2026-11-1[678] \.\. 2026-11-19(,|$)/) });
    expect(runs.every((r) => r.outcome === 'ok')).toBe(true);

    const lineage = await wh(dir, 'lineage', `${MART}.currencies`, '--project', proj);
    expect(lineage).toMatchObject({ code: 0, out: `${MART}.currencies (INCREMENTAL_BY_TIME_RANGE) = count(DISTINCT currency)\n└─ raw.events.currency (EXTERNAL)\n\n` });
    const jur = await wh(dir, 'lineage', `${MART}.jurisdiction`, '--project', proj);
    expect(jur.out).toContain(`${MART}.jurisdiction (INCREMENTAL_BY_TIME_RANGE) = coalesce(jurisdiction, '(none)')`);
    expect(jur.out).toContain('└─ raw.events.jurisdiction (EXTERNAL)');

    const render = await wh(dir, 'render', MART, '--start', '2026-11-19', '--end', '2026-11-20', '--project', proj);
    expect(render.code, render.err).toBe(0);
    expect(render.out).toContain("WHERE event_date BETWEEN '2026-11-19' AND '2026-11-20'");
    expect(render.out).toContain('FROM raw.events');
    expect(render.out).toContain('count(DISTINCT currency) AS currencies');
    expect(render.out).not.toContain('@');

    const dag = await wh(dir, 'dag', '--project', proj);
    expect(dag.code).toBe(0);
    expect(dag.out).toMatch(new RegExp(`^raw\\.events \\(EXTERNAL\\)\\n└─ ${MART.replace('.', '\\.')} \\(INCREMENTAL_BY_TIME_RANGE\\)\\n`));
    const mermaid = await wh(dir, 'dag', '--mermaid', '--project', proj);
    expect(mermaid.out).toMatch(/^graph LR\n\s+m0\[\("raw\.events"\)\]\n\s+m1\["marts\.platform_events_daily"\]\n/);
    expect(mermaid.out).toMatch(/\n\s+m0 --> m1\n/);

    const models = await wh(dir, 'models', '--project', proj);
    expect(models.out).toMatch(/^model\s+kind\s+cron\s+owner\s+file\s+prod_version\s+status\n/);
    expect(models.out).toMatch(/raw\.events\s+EXTERNAL\s+external\/events\.sql\s+\w{12}\s*\n/);
    expect(models.out).toContain(`marts/platform_events_daily.sql  ${newVersion}  same as prod`);
  }, 90_000);
});

/** Runs `jobs` with at most `n` at once (each CLI process costs a second of CPU). */
async function pool<T>(jobs: (() => Promise<T>)[], n = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]!();
    }
  }));
  return out;
}

describe('wh model verbs: every error path, with its exit code and message', () => {
  it('usage mistakes exit 2, model and SQL errors exit 1, each with a message and no stack trace', async () => {
    const dir = copyOf(planned);
    const unplanned = copyOf(loaded);
    const nowhere = join(root, 'no-warehouse-here');
    const dbBefore = sha(warehousePaths(dir).db);
    const extra = project({ 'marts/extra.sql': () => 'MODEL (name marts.extra, kind FULL, grain [d]);\nSELECT DISTINCT event_date AS d FROM raw.events\n' });
    const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.startsWith(needle)) + 1;
    const martText = readFileSync(resolve(REPO_ROOT, 'models', MART_FILE), 'utf8');
    const fromLine = lineOf(martText, 'FROM raw.events');
    const parseError = project({ [MART_FILE]: (t) => t.replace('FROM raw.events', 'FROM raw.events WHERE WHERE') });
    const unknownTable = project({ [MART_FILE]: (t) => t.replace('FROM raw.events', 'FROM raw.nothing') });
    const cycle = project({
      'marts/a.sql': () => 'MODEL (name marts.a, kind FULL);\n\nSELECT * FROM marts.b\n',
      'marts/b.sql': () => 'MODEL (name marts.b, kind FULL);\nSELECT * FROM marts.a\n',
    });
    const failingTest = project({ 'tests/test_platform_events_daily.yaml': (t) => t.replace('events: 2, players: 2', 'events: 3, players: 2') });
    const edited = project(addColumn('count(DISTINCT currency)', 'currencies'));

    type Case = [args: string[], code: number, message: RegExp | string, where?: string];
    const cases: Case[] = [
      [['frobnicate'], 2, /wh: unknown command 'frobnicate'\nusage: npm run wh/],
      [['plan', 'Dev'], 2, "wh: environment name 'Dev' must be lower case letters, digits and single underscores"],
      [['plan', 'dev__x'], 2, "wh: environment name 'dev__x' must be lower case"],
      [['plan', '--bogus'], 2, "wh: Unknown option '--bogus'"],
      [['plan', '--restate', MART], 2, 'wh: --restate needs --start and --end (the range to recompute)'],
      [['plan', '--restate', MART, '--start', '2026-11-01'], 2, 'wh: --restate needs --start and --end'],
      [['plan', '--restate', MART, '--start', '2026-13-01', '--end', '2026-11-02'], 2, "wh: --start must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DD HH:MM), not '2026-13-01'"],
      [['plan', 'dev', '--start', 'yesterday'], 2, "wh: --start must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DD HH:MM), not 'yesterday'"],
      [['plan', '--start', '2026-11-01'], 2, 'wh: --start/--end limit dev plans only'],
      [['plan', '--restate', 'marts.nope', '--start', '2026-11-01', '--end', '2026-11-02'], 2, "wh: unknown model 'marts.nope' (npm run wh -- models lists them)"],
      [['diff', 'marts.nope', 'prod:dev'], 2, "wh: unknown model 'marts.nope'"],
      [['render', 'marts.nope'], 2, "wh: unknown model 'marts.nope'"],
      [['lineage', 'marts.nope.events'], 2, "wh: unknown model 'marts.nope'"],
      [['audit', 'marts.nope'], 2, "wh: unknown model 'marts.nope'"],
      [['diff'], 2, 'wh: diff needs a model name'],
      [['diff', MART, 'prod'], 2, "wh: diff compares two environments: <env>:<env>, e.g. prod:dev, not 'prod'"],
      [['diff', MART, 'prod:dev:qa'], 2, "wh: diff compares two environments: <env>:<env>, e.g. prod:dev, not 'prod:dev:qa'"],
      [['diff', MART, 'prod:Dev'], 2, "wh: environment name 'Dev' must be lower case"],
      [['diff', MART, 'prod:dev'], 2, "wh: there is no environment 'dev': plan and apply it first"],
      [['diff', 'marts.extra', 'prod:prod', '--project', extra], 2, "wh: marts.extra is not in environment 'prod'"],
      [['diff', MART, 'prod:dev', '--sample', '-1'], 2, /wh: .*--sample/],
      [['lineage'], 2, 'wh: lineage needs <model>.<column>'],
      [['lineage', MART], 2, 'wh: lineage needs <model>.<column>'],
      [['lineage', `${MART}.nope`], 2, `wh: ${MART} has no column nope (columns: event_date, event_type, jurisdiction, events, players, tables)`],
      [['models', '--project', join(root, 'nowhere')], 2, `wh: no model project at ${join(root, 'nowhere')} (--project <dir>)`],
      [['plan', '--project', join(root, 'nowhere')], 2, 'wh: no model project at'],
      [['plan', '--project', parseError], 1, `wh: ${MART_FILE}:${fromLine}: syntax error at or near "WHERE"`],
      [['plan', '--project', unknownTable], 1, `wh: ${MART_FILE}:${fromLine}: unknown table raw.nothing: not a model of the project`],
      [['plan', '--project', cycle], 1, /wh: marts\/a\.sql:3: cycle: marts\/a\.sql \(marts\.a\) -> marts\/b\.sql \(marts\.b\) -> marts\/a\.sql \(marts\.a\)/],
      [['test', '--project', failingTest], 1, /^FAIL test_platform_events_daily \(tests\/test_platform_events_daily\.yaml:2\)\n\s+output: expected row 1 \{.*events: 3.*\} is closest to a returned row that differs in column events: expected 3, got 2\n(ok {3}.*\n)*\d+ passed, 1 failed\n$/],
      [['test', 'test_nope'], 2, "wh: unknown test 'test_nope' (tests/*.yaml)"],
      [['env', 'drop', 'prod'], 2, 'wh: prod cannot be dropped'],
      [['env', 'drop'], 2, 'wh: env drop needs the environment to drop, e.g. npm run wh -- env drop dev'],
      [['env', 'drop', 'nosuch'], 2, "wh: there is no environment 'nosuch'"],
      [['env', 'frob'], 2, "wh: env takes list or drop <env>, not 'frob'"],
      [['janitor', '--ttl-hours', '-1'], 2, "wh: Option '--ttl-hours' argument is ambiguous"],
      [['janitor', '--ttl-hours=-1'], 2, 'wh: --ttl-hours must be a number of hours (0 or more)'],
      [['janitor', '--ttl-hours', 'soon'], 2, 'wh: --ttl-hours must be a number of hours (0 or more)'],
      [['run', 'nosuch'], 2, "wh: there is no environment 'nosuch': plan and apply it first"],
      [['audit', '--env', 'nosuch'], 2, "wh: there is no environment 'nosuch': plan and apply it first"],
      [['render', MART, '--env', 'nosuch'], 2, "wh: there is no environment 'nosuch': plan and apply it first"],
      // Before any plan: a warehouse that was never created, and one with events but no environment yet.
      [['audit'], 2, 'wh: the warehouse has no tables yet: plan and apply first', nowhere],
      [['diff', MART, 'prod:dev'], 2, 'wh: the warehouse has no tables yet: plan and apply first', nowhere],
      [['run'], 2, 'wh: there is no environment \'prod\': plan and apply it first', nowhere],
      [['audit'], 2, "wh: there is no environment 'prod': plan and apply it first", unplanned],
      [['diff', MART, 'prod:dev'], 2, "wh: there is no environment 'prod': plan and apply it first", unplanned],
      [['run'], 2, "wh: there is no environment 'prod': plan and apply it first", unplanned],
    ];
    const results = await pool(cases.map(([args, , , where]) => () => wh(where ?? dir, ...args)));
    cases.forEach(([args, code, message], i) => {
      const r = results[i]!;
      const label = `wh ${args.join(' ')}\n${r.out}${r.err}`;
      expect(r.code, label).toBe(code);
      const text = code === 1 && args[0] === 'test' ? r.out : r.err;
      if (typeof message === 'string') expect(text, label).toContain(message);
      else expect(text, label).toMatch(message);
      noStack(r);
    });
    // Nothing above wrote: the planned warehouse is byte for byte the same, and no file appeared where there was none.
    expect(sha(warehousePaths(dir).db)).toBe(dbBefore);
    expect(readdirSync(root)).not.toContain('no-warehouse-here');

    // A row-level diff needs the model's grain: a planned model without one is an error naming its file.
    const other = copyOf(planned);
    const noGrain = project({ 'marts/nograin.sql': () => 'MODEL (name marts.nograin, kind FULL);\nSELECT DISTINCT event_date AS d FROM raw.events\n' });
    expect((await wh(other, 'plan', '--auto-apply', '--project', noGrain)).out).toContain("environment 'prod' updated");
    const grainless = await wh(other, 'diff', 'marts.nograin', 'prod:prod', '--project', noGrain);
    expect(grainless).toMatchObject({ code: 1, err: expect.stringContaining('wh: marts/nograin.sql:1: marts.nograin has no grain, and a row-level diff joins the two sides on it: add one to its header') });
    noStack(grainless);

    // `plan` without --auto-apply, stdin not a terminal: shows the plan, says so, applies nothing.
    const shown = await wh(dir, 'plan', 'dev', '--project', edited);
    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toMatch(/Plan \w{8} for `dev` \(new environment, from `prod`\)[\s\S]*~ marts\.platform_events_daily[\s\S]*Backfill/);
    expect(shown.out).toMatch(/\nnot applied: re-run with --auto-apply to apply it without a question \(stdin is not a terminal\)\n$/);
    expect(sha(warehousePaths(dir).db)).toBe(dbBefore);
    expect((await q(dir, "select * from meta.environments where env = 'dev'"))).toEqual([]);
    // ~30 CLI processes, each starting tsx: 30-90 s on a loaded 2-core machine.
  }, 180_000);
});

describe('two writers: one waits its turn, none corrupts', () => {
  it('plan --auto-apply waits (one waiting line) while another process writes, then applies; --no-wait exits 3 naming the holder', async () => {
    const dir = copyOf(loaded);
    const holder = start(dir, WRITER_CHILD, ['holder', 'stdin', '1']);
    await holder.until(/holding/);

    // --no-wait: writers and readers alike fail at once, exit 3, naming the holder.
    const busy = new RegExp(`wh: the warehouse is busy: another process \\(pid ${holder.child.pid}, "holder"\\) is writing since \\d{4}-`);
    for (const args of [['run', '--no-wait'], ['janitor', '--no-wait'], ['plan', '--auto-apply', '--no-wait'], ['models', '--no-wait']]) {
      const r = await wh(dir, ...args);
      expect(r.code, `${args.join(' ')}: ${r.out}${r.err}`).toBe(3);
      expect(r.err).toMatch(busy);
      noStack(r);
    }

    const plan = start(dir, CLI, ['plan', '--auto-apply']);
    plan.child.stdin!.end();
    await plan.until(/\[wh\] waiting for the warehouse/);
    await new Promise((r) => setTimeout(r, 1_000)); // still waiting, without a second line
    expect(plan.out).not.toContain('environment');
    holder.child.stdin!.end();
    expect(await holder.exited).toBe(0);
    expect(await plan.exited, plan.out + plan.err).toBe(0);
    const waiting = (plan.out + plan.err).split('\n').filter((l) => l.includes('waiting for the warehouse'));
    expect(waiting).toEqual([expect.stringMatching(new RegExp(`^\\[wh\\] waiting for the warehouse: another process \\(pid ${holder.child.pid}, "holder"\\) is writing since .*…$`))]);
    expect(plan.out).toContain("environment 'prod' updated");
    // Both writes are whole.
    expect(await q(dir, 'select writer, count(*)::integer as n from main.writes group by 1')).toEqual([{ writer: 'holder', n: 1 }]);
    for (const d of await martVsRaw(dir)) expect(d.mart, d.day).toBe(d.raw);
  }, 60_000);

  it('plan shown, then the state changes before it gets the writer: says so, applies nothing, exit 1 (apply only what you saw)', async () => {
    // Orchestrated between real processes: a helper (testing/state-changer.ts) holds the writer lock
    // file, the CLI computes and shows its plan for dev and waits for the writer; then the helper
    // applies a different dev plan under the lock (as `plan dev --auto-apply` would) and releases it.
    const dir = copyOf(planned);
    const mine = project(addColumn('count(DISTINCT currency)', 'currencies'));
    const theirs = project(addColumn('count(DISTINCT round_id)', 'rounds'));
    const changer = start(dir, STATE_CHANGER, [theirs, 'dev']);
    await changer.until(/holding/);
    const plan = start(dir, CLI, ['plan', 'dev', '--auto-apply', '--project', mine]);
    plan.child.stdin!.end();
    await plan.until(/\[wh\] waiting for the warehouse: another process \(pid \d+, "state-changer dev"\)/);
    expect(plan.out).toContain('count(DISTINCT currency) AS currencies');
    changer.child.stdin!.end();
    expect(await changer.exited, changer.err).toBe(0);
    expect(changer.out).toContain('applied');
    expect(await plan.exited, plan.out + plan.err).toBe(1);
    expect(plan.out).toContain('the warehouse changed while you decided (another plan or run); this is the plan now:');
    expect(plan.out).toMatch(/this is the plan now:\nPlan \w{8} for `dev` \(changes to `dev`\)/);
    expect(plan.out).toMatch(/nothing applied: run plan again\n$/);
    expect(plan.out).not.toContain("environment 'dev' updated");
    const cols = (await q<{ c: string }>(dir, "select column_name as c from duckdb_columns() where schema_name = 'marts__dev' and table_name = 'platform_events_daily'")).map((r) => r.c);
    expect(cols).toContain('rounds');
    expect(cols).not.toContain('currencies');
  }, 60_000);
});

describe('wh loop: sync and prod\'s due models in one writer cycle', () => {
  it('bootstraps prod on a fresh warehouse, keeps the mart fresh, lets a CLI plan in, survives a broken model file, stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(root, 'loop-'));
    const source = mkdtempSync(join(root, 'loop-batches-'));
    cpSync(batches, source, { recursive: true });
    const proj = project();
    const loop = start(dir, CLI, ['loop', '--source', `dir:${source}`, '--interval', '1', '--project', proj]);
    const cycles = () => (loop.out.match(/^\[wh\] run \w{8} of `prod`/gm) ?? []).length;
    try {
      await loop.until(/no prod environment yet: applying the first plan of \d+ model\(s\)/);
      await loop.until(/ok\s+marts\.platform_events_daily \(\d+ rows\)/);
      const days = await martVsRaw(dir);
      expect(days.length).toBeGreaterThanOrEqual(3);
      for (const d of days) expect(d.mart, d.day).toBe(d.raw);

      // New batch objects, with events of today (the open interval, recomputed when events arrive).
      const feed = async (seed: string, players: number) => {
        const at = Date.now();
        const staging = mkdtempSync(join(root, `${seed}-`));
        await writeHistory({ players, days: Math.min(0.02, (0.8 * (at % 86_400_000)) / 86_400_000), tables: 1, seed, now: at, sink: directorySink(staging) });
        for await (const file of walkFiles(staging)) {
          const to = join(source, relative(staging, file));
          mkdirSync(dirname(to), { recursive: true });
          renameSync(file, to); // whole files only: the loop never sees half an object
        }
      };
      const now = Date.now();
      await feed('late', 8);
      const today = new Date(now).toISOString().slice(0, 10);
      const fresh = async () => {
        const t0 = Date.now();
        for (;;) {
          const d = (await martVsRaw(dir)).find((x) => x.day === today);
          if (d && d.raw > 0 && d.mart === d.raw) return d;
          if (Date.now() - t0 > 20_000) throw new Error(`the mart did not catch up with today's events: ${JSON.stringify(d)}\n${loop.out}${loop.err}`);
          await new Promise((r) => setTimeout(r, 300));
        }
      };
      expect((await fresh()).raw).toBeGreaterThan(0);
      // While no event arrives, the cycles (every second) recompute nothing.
      const quiet = cycles();
      await new Promise((r) => setTimeout(r, 3_500));
      expect(cycles()).toBe(quiet);

      // A CLI writer while the loop runs: it waits its turn between cycles and completes.
      const cyclesBefore = cycles();
      const dev = await wh(dir, 'plan', 'dev', '--auto-apply', '--project', project(addColumn('count(DISTINCT currency)', 'currencies')));
      expect(dev.code, dev.out + dev.err).toBe(0);
      expect(dev.out).toContain("environment 'dev' updated");
      await feed('during-plan', 1);
      await loop.until(/^\[wh\] run \w{8} of `prod`/m, cyclesBefore + 1);
      const dayDev = (await martVsRaw(dir, 'marts__dev.platform_events_daily')).filter((d) => d.day < today);
      for (const d of dayDev) expect(d.mart, d.day).toBe(d.raw);

      // An edit on disk is not applied by the loop: it says so once, and prod keeps its version.
      const prodVersion = await versionIn(dir, 'prod');
      writeFileSync(join(proj, MART_FILE), addColumn('count(DISTINCT currency)', 'currencies')[MART_FILE]!(readFileSync(join(proj, MART_FILE), 'utf8')));
      await loop.until(/models on disk differ from prod \(marts\.platform_events_daily\): review and apply with `npm run wh -- plan`/);
      const afterEdit = cycles();
      await feed('after-edit', 1);
      await loop.until(/^\[wh\] run \w{8} of `prod`/m, afterEdit + 1);
      expect(loop.out.match(/models on disk differ from prod/g)).toHaveLength(1);
      expect(await versionIn(dir, 'prod')).toBe(prodVersion);

      // A model file broken while the loop runs: one notice, prod runs on.
      writeFileSync(join(proj, MART_FILE), 'MODEL (name marts.platform_events_daily, kind FULL);\nSELECT FROM WHERE\n');
      await loop.until(/models on disk do not compile \(prod runs on as planned\)/);
      const afterNotice = cycles();
      await feed('after-break', 1);
      await loop.until(/^\[wh\] run \w{8} of `prod`/m, afterNotice + 1);
      expect((await fresh()).raw).toBeGreaterThan(0); // prod still takes in today's events
      expect(loop.out.match(/models on disk do not compile/g)).toHaveLength(1);
      expect(loop.out).toMatch(/models on disk do not compile \(prod runs on as planned\): marts\/platform_events_daily\.sql:\d+: /);
      expect(loop.out).not.toMatch(/failed \(\d+ in a row\)/);
    } finally {
      loop.child.kill('SIGTERM');
    }
    expect(await loop.exited, loop.out + loop.err).toBe(0);
    expect(loop.out).toMatch(/\[wh\] stopped\n$/);
  }, 90_000);
});
