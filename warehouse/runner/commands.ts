/**
 * The runner's verbs on the command line: `npm run wh -- <verb> [--project <dir>]` (warehouse/cli.ts
 * hands them here). Each verb loads the project, compiles it with DuckDB's parser, and then reads
 * the warehouse read-only, or writes it through the one-writer lock (warehouse/writer.ts), so a
 * verb that writes while the loop of `npm start` holds the file waits its turn with a message.
 *
 * Writes never happen while a person is deciding: `plan` computes and shows the plan on a
 * read-only connection, asks, and only then takes the writer, plans again on the state it now
 * holds and applies only if that plan is the one shown (else it says what moved and stops).
 */
import { createInterface } from 'node:readline/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { warehousePaths } from '../config';
import { isLockConflict, openWarehouse, type Warehouse } from '../db';
import { WriterBusyError, busyHolder, waitingLine, withWriter } from '../writer';
import { applyPlan } from './engine/apply';
import { runAudits, type AuditResult } from './checks/audit';
import { compileProject } from './compile/compile';
import { renderMermaid, renderTree } from './compile/dag';
import { dropEnvironment, environments } from './engine/environments';
import { formatTable } from './format';
import { janitor } from './engine/janitor';
import { lineage, renderLineage } from './compile/lineage';
import { UNKNOWN_STAR } from './compile/columns';
import { timeMacros } from './files/macros';
import { checkEnvName, envRelation, PROD } from './names';
import { formatPlan, planDigest, planHasWork } from './engine/plan-format';
import { plan } from './engine/plan';
import { loadProject } from './files/project';
import { renderQuery } from './compile/render';
import { formatRun, run } from './engine/run';
import { environmentExists, environmentSnapshots, stateExists } from './engine/state';
import { diffTables, formatDiff } from './checks/table-diff';
import type { CompiledModel, Project } from './types';
import { ModelError } from './types';
import { runUnitTests } from './checks/unit-test';
import { physicalRelation } from './names';
import { DAY_MS, toMs } from './engine/intervals';

export const RUNNER_USAGE = `model commands (models/ by default; --project <dir> points at another model tree):
  plan [env] [--auto-apply] [--forward-only] [--restate <model> ... --start <date> --end <date>]
             [--start <date>] [--end <date>] [--no-wait]     show what changes against env (default prod); apply after yes
  run [env] [--no-wait]                      fill the missing intervals of the models whose cron is due
  test [<test name> ...]                     unit tests (tests/*.yaml) on an in-memory DuckDB
  audit [<model> ...] [--env <env>]          the models' audits against an environment's tables
  diff <model> <env>:<env> [--sample <n>]    rows added, removed and changed on the model's grain
  dag [--mermaid]                            the model graph, as text or Mermaid
  render <model> [--env <env>] [--start <date> --end <date>]   the SQL as executed
  lineage <model>.<column>                   where a column comes from, down to raw.events
  models                                     every model: kind, cron, owner, version in prod
  env list | env drop <env>                  environments; drop a dev environment (never prod)
  janitor [--ttl-hours <n>] [--no-wait]      drop tables no environment uses, older than the TTL`;

export const RUNNER_VERBS = new Set(['plan', 'run', 'test', 'audit', 'diff', 'dag', 'render', 'lineage', 'models', 'env', 'janitor']);

/** A usage mistake: exit 2 with the message (the CLI's convention). */
export class UsageError extends Error {}

const OPTIONS = {
  project: { type: 'string' },
  'auto-apply': { type: 'boolean' },
  'forward-only': { type: 'boolean' },
  restate: { type: 'string', multiple: true },
  start: { type: 'string' },
  end: { type: 'string' },
  env: { type: 'string' },
  mermaid: { type: 'boolean' },
  sample: { type: 'string' },
  'ttl-hours': { type: 'string' },
  'no-wait': { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

const log = (line: string) => console.log(line);

/** The model tree: --project, else models/ under the current directory. */
function projectRoot(values: Values): string {
  const root = resolve(values.project ?? 'models');
  if (!existsSync(root)) throw new UsageError(`no model project at ${root} (--project <dir>)`);
  return root;
}

/** Loads and compiles the project on an in-memory DuckDB (parsing needs no warehouse). */
export async function compiledProject(root: string): Promise<{ project: Project; compiled: Map<string, CompiledModel> }> {
  const project = await loadProject(root);
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  try {
    return { project, compiled: await compileProject(project, con) };
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

function date(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$/.test(value) || Number.isNaN(Date.parse(value.replace(' ', 'T') + 'Z'))) {
    throw new UsageError(`--${flag} must be a date (YYYY-MM-DD) or a UTC time (YYYY-MM-DD HH:MM), not '${value}'`);
  }
  return value;
}

function envArg(name: string | undefined): string {
  const env = name ?? PROD;
  try {
    return checkEnvName(env);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function modelArg(compiled: Map<string, CompiledModel>, name: string | undefined, verb: string): CompiledModel {
  if (!name) throw new UsageError(`${verb} needs a model name, e.g. npm run wh -- ${verb} marts.platform_events_daily`);
  const m = compiled.get(name.toLowerCase());
  if (!m) throw new UsageError(`unknown model '${name}' (npm run wh -- models lists them)`);
  return m;
}

/**
 * A read-only connection when the warehouse exists; null when it was never created. DuckDB refuses
 * readers while another process writes the file: like a writer, a reader then says once who holds
 * it (stderr, so piped output stays clean) and waits its turn, or with --no-wait fails at once (exit 3).
 */
async function reader(values: Values): Promise<Warehouse | null> {
  const paths = warehousePaths();
  if (!existsSync(paths.db)) return null;
  const noWait = Boolean(values['no-wait']);
  try {
    return await openWarehouse(paths.db, {
      readOnly: true,
      lockWaitMs: noWait ? 0 : Infinity,
      onWait: (err) => console.error(waitingLine(busyHolder(paths, err))),
    });
  } catch (err) {
    if (noWait && isLockConflict(err)) throw new WriterBusyError(busyHolder(paths, err));
    throw err;
  }
}

async function withReader<T>(values: Values, fn: (con: DuckDBConnection | null) => Promise<T>): Promise<T> {
  const wh = await reader(values);
  try {
    return await fn(wh?.con ?? null);
  } finally {
    wh?.close();
  }
}

/** A read-only connection, or an empty in-memory database when the warehouse file does not exist yet (a plan of nothing). */
async function withPlanReader<T>(values: Values, fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  return withReader(values, async (con) => {
    if (con) return fn(con);
    const instance = await DuckDBInstance.create(':memory:');
    const empty = await instance.connect();
    try {
      return await fn(empty);
    } finally {
      empty.closeSync();
      instance.closeSync();
    }
  });
}

const noEnvironment = (env: string) => new UsageError(`there is no environment '${env}': plan and apply it first`);

/** Fails with a usage error unless `env` was planned (none was before the first plan). */
async function requireEnv(con: DuckDBConnection, env: string): Promise<void> {
  if (!(await stateExists(con)) || !(await environmentExists(con, env))) throw noEnvironment(env);
}

function writer<T>(label: string, values: Values, fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  return withWriter(warehousePaths(), label, (wh) => fn(wh.con), { wait: !values['no-wait'], log });
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function planVerb(values: Values, positionals: string[]): Promise<number> {
  const env = envArg(positionals[0]);
  const root = projectRoot(values);
  const restate = values.restate?.length
    ? { models: values.restate.map((m) => m.toLowerCase()), start: date(values.start, 'start') ?? '', end: date(values.end, 'end') ?? '' }
    : undefined;
  if (restate && (!restate.start || !restate.end)) throw new UsageError('--restate needs --start and --end (the range to recompute)');
  if (!restate && env === PROD && (values.start !== undefined || values.end !== undefined)) {
    throw new UsageError('--start/--end limit dev plans only: prod is always backfilled over its whole history (use --restate <model> --start --end to recompute a range)');
  }
  const { project, compiled } = await compiledProject(root);
  for (const m of restate?.models ?? []) modelArg(compiled, m, 'plan --restate');
  // One `now` for both plans: the plan applied is the plan shown, as of the moment it was shown.
  const now = Date.now();
  const opts = () => ({
    now, forwardOnly: Boolean(values['forward-only']), restate,
    start: restate ? undefined : date(values.start, 'start'), end: restate ? undefined : date(values.end, 'end'),
  });
  const shown = await withPlanReader(values, (con) => plan(con, project, compiled, env, opts()));
  log(formatPlan(shown));
  if (!planHasWork(shown)) return 0;
  if (!values['auto-apply']) {
    if (!process.stdin.isTTY) {
      log(`not applied: re-run with --auto-apply to apply it without a question (stdin is not a terminal)`);
      return 0;
    }
    if (!(await confirm(`apply this plan to '${env}'? [y/N] `))) {
      log('not applied');
      return 0;
    }
  }
  return writer(`plan ${env}`, values, async (con) => {
    const current = await plan(con, project, compiled, env, opts());
    if (planDigest(current) !== planDigest(shown)) {
      log(`the warehouse changed while you decided (another plan or run); this is the plan now:\n${formatPlan(current)}\nnothing applied: run plan again`);
      return 1;
    }
    const applied = await applyPlan(con, current);
    for (const o of applied.outcomes) log(`  ${o.outcome.padEnd(23)} ${o.model}${o.error ? `\n      ${o.error}` : ` (${o.rows} rows)`}`);
    log(applied.swapped ? `environment '${env}' updated` : `environment '${env}' NOT updated: a model failed (above); the tables that were built are kept for the next apply`);
    return applied.swapped ? 0 : 1;
  });
}

async function runVerb(values: Values, positionals: string[]): Promise<number> {
  const env = envArg(positionals[0]);
  // Checked on a reader first, so a mistyped environment never opens (or creates) the file for writing.
  await withReader(values, async (con) => {
    if (!con) throw noEnvironment(env);
    await requireEnv(con, env);
  });
  return writer(`run ${env}`, values, async (con) => {
    const summary = await run(con, env, { now: Date.now() });
    log(formatRun(summary));
    return summary.ok ? 0 : 1;
  });
}

async function testVerb(values: Values, positionals: string[]): Promise<number> {
  const project = await loadProject(projectRoot(values));
  if (positionals.length) {
    const known = new Set(project.tests.map((t) => t.name));
    for (const name of positionals) if (!known.has(name)) throw new UsageError(`unknown test '${name}' (tests/*.yaml)`);
    project.tests = project.tests.filter((t) => positionals.includes(t.name));
  }
  const summary = await runUnitTests(project);
  for (const r of summary.results) {
    log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${r.where.file}:${r.where.line})`);
    for (const f of r.failures) log(`     ${f}`);
  }
  log(`${summary.passed} passed, ${summary.failed} failed`);
  return summary.failed === 0 ? 0 : 1;
}

const auditLine = (r: AuditResult) => `${r.ok ? 'ok  ' : r.blocking ? 'FAIL' : 'WARN'} ${r.audit}${r.ok ? '' : `: ${r.badRows} bad row(s)`}`;

async function auditVerb(values: Values, positionals: string[]): Promise<number> {
  const env = envArg(values.env);
  const { project, compiled } = await compiledProject(projectRoot(values));
  const names = positionals.length ? positionals.map((n) => modelArg(compiled, n, 'audit').def.name) : [...compiled.keys()];
  return withReader(values, async (con) => {
    if (!con) throw new UsageError('the warehouse has no tables yet: plan and apply first');
    await requireEnv(con, env);
    const inEnv = await environmentSnapshots(con, env);
    let failed = 0;
    for (const name of names) {
      const m = compiled.get(name)!;
      if (!m.def.audits.length || m.def.kind.name === 'EXTERNAL') continue;
      if (!inEnv.has(name)) {
        log(`skip ${name}: not in environment '${env}'`);
        continue;
      }
      log(name);
      for (const r of await runAudits(con, { relation: envRelation(name, env), model: m.def, customAudits: project.audits })) {
        log(`  ${auditLine(r)}`);
        if (!r.ok && r.blocking) failed++;
        if (!r.ok && r.sample.length) log(formatTable(r.sample).replace(/^/gm, '      '));
      }
    }
    return failed === 0 ? 0 : 1;
  });
}

async function diffVerb(values: Values, positionals: string[]): Promise<number> {
  const { compiled } = await compiledProject(projectRoot(values));
  const m = modelArg(compiled, positionals[0], 'diff');
  const pair = positionals[1] ?? 'prod:dev';
  const [left, right] = pair.split(':');
  if (!left || !right || pair.split(':').length !== 2) throw new UsageError(`diff compares two environments: <env>:<env>, e.g. prod:dev, not '${pair}'`);
  const sample = values.sample === undefined ? undefined : Number(values.sample);
  if (sample !== undefined && !(Number.isInteger(sample) && sample >= 0)) throw new UsageError('--sample must be a whole number');
  const envs = [envArg(left), envArg(right)];
  return withReader(values, async (con) => {
    if (!con) throw new UsageError('the warehouse has no tables yet: plan and apply first');
    for (const env of envs) await requireEnv(con, env);
    for (const env of envs) {
      if (!(await environmentSnapshots(con, env)).has(m.def.name)) throw new UsageError(`${m.def.name} is not in environment '${env}'`);
    }
    const d = await diffTables(con, { model: m.def, left: envRelation(m.def.name, left), right: envRelation(m.def.name, right), sample, labels: { left, right } });
    log(formatDiff(d));
    return 0;
  });
}

async function renderVerb(values: Values, positionals: string[]): Promise<number> {
  const { compiled } = await compiledProject(projectRoot(values));
  const m = modelArg(compiled, positionals[0], 'render');
  const env = values.env === undefined ? null : envArg(values.env);
  const start = date(values.start, 'start') ?? new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
  const end = date(values.end, 'end') ?? start;
  const interval = { start: new Date(toMs(start)), end: new Date(/^\d{4}-\d{2}-\d{2}$/.test(end) ? toMs(end) + DAY_MS : toMs(end)) };
  const macros = timeMacros(interval, new Date());
  if (env === null) {
    // Without an environment the query reads each model through prod's views, as an analyst would query it.
    log(renderQuery(m, { relationOf: (name) => (compiled.get(name)?.def.kind.name === 'EXTERNAL' ? name : envRelation(name, PROD)), macros }));
    return 0;
  }
  return withReader(values, async (con) => {
    if (!con) throw new UsageError('the warehouse has no tables yet: plan and apply first');
    await requireEnv(con, env);
    const snapshots = await environmentSnapshots(con, env);
    const relationOf = (name: string) => {
      if (compiled.get(name)?.def.kind.name === 'EXTERNAL') return name;
      const s = snapshots.get(name);
      if (!s) throw new UsageError(`${name} is not in environment '${env}': plan it first`);
      return physicalRelation(name, s.version);
    };
    log(renderQuery(m, { relationOf, macros }));
    return 0;
  });
}

async function modelsVerb(values: Values): Promise<number> {
  const { project, compiled } = await compiledProject(projectRoot(values));
  // What prod would become with the files on disk says, per model, whether it changed locally.
  const against = await withPlanReader(values, (con) => plan(con, project, compiled, PROD, { now: Date.now() }));
  const STATUS: Record<string, string> = { added: 'not in prod', directly_modified: 'changed locally', indirectly_modified: 'a parent changed', metadata_only: 'metadata changed', unchanged: 'same as prod' };
  log(formatTable(against.models.map((m) => ({
    model: m.name, kind: m.compiled.def.kind.name, cron: m.compiled.def.kind.name === 'EXTERNAL' ? '' : m.compiled.def.cron, owner: m.compiled.def.owner ?? '',
    file: m.compiled.def.where.file, prod_version: against.basedOn === null ? '' : m.previous?.version ?? '',
    status: m.compiled.def.kind.name === 'EXTERNAL' ? '' : STATUS[m.change] ?? m.change,
  }))));
  for (const r of against.removed) log(`(${r.name} is in prod but its file is gone)`);
  return 0;
}

async function envVerb(values: Values, positionals: string[]): Promise<number> {
  const [sub, name] = positionals;
  if (sub === 'list' || sub === undefined) {
    return withReader(values, async (con) => {
      log(formatTable(con ? (await environments(con)).map((e) => ({ env: e.env, models: e.models, created: iso(e.createdAt), updated: iso(e.updatedAt), expires: e.expiresAt === null ? "never" : iso(e.expiresAt) })) : []));
      return 0;
    });
  }
  if (sub === 'drop') {
    if (name === undefined) throw new UsageError('env drop needs the environment to drop, e.g. npm run wh -- env drop dev');
    const env = envArg(name);
    if (env === PROD) throw new UsageError('prod cannot be dropped');
    await withReader(values, async (con) => {
      if (!con) throw noEnvironment(env);
      await requireEnv(con, env);
    });
    return writer(`env drop ${env}`, values, async (con) => {
      const dropped = await dropEnvironment(con, env);
      log(`dropped environment '${env}' (${dropped.views} views); its tables go with the next janitor once no environment uses them`);
      return 0;
    });
  }
  throw new UsageError(`env takes list or drop <env>, not '${sub}'`);
}

async function janitorVerb(values: Values): Promise<number> {
  const project = await loadProject(projectRoot(values));
  const ttl = values['ttl-hours'] === undefined ? project.config.janitorTtlHours : Number(values['ttl-hours']);
  if (!(ttl >= 0)) throw new UsageError('--ttl-hours must be a number of hours (0 or more)');
  return writer('janitor', values, async (con) => {
    const r = await janitor(con, { ttlHours: ttl, now: Date.now() });
    for (const env of r.droppedEnvironments) log(`dropped expired environment '${env}'`);
    for (const t of r.droppedTables) log(`dropped ${t.model} version ${t.version}`);
    for (const t of r.waiting) log(`kept ${t.model} version ${t.version} until ${new Date(t.dropAfter).toISOString()} (TTL)`);
    for (const m of r.droppedMacros) log(`dropped macro version ${m}`);
    if (!r.droppedEnvironments.length && !r.droppedTables.length && !r.droppedMacros.length) log('nothing to drop');
    return 0;
  });
}

/** Runs a runner verb; resolves to the process exit code. */
export async function runnerCommand(verb: string, args: string[]): Promise<number> {
  const { values, positionals } = parse(args);
  try {
    switch (verb) {
      case 'plan': return await planVerb(values, positionals);
      case 'run': return await runVerb(values, positionals);
      case 'test': return await testVerb(values, positionals);
      case 'audit': return await auditVerb(values, positionals);
      case 'diff': return await diffVerb(values, positionals);
      case 'dag': {
        const { compiled } = await compiledProject(projectRoot(values));
        log(values.mermaid ? renderMermaid(compiled) : renderTree(compiled));
        return 0;
      }
      case 'render': return await renderVerb(values, positionals);
      case 'lineage': {
        const target = positionals[0]?.toLowerCase() ?? '';
        const parts = target.split('.');
        if (parts.length !== 3 || parts.some((p) => !p)) throw new UsageError(`lineage needs <model>.<column>, e.g. marts.platform_events_daily.events${target ? `, not '${positionals[0]}'` : ''}`);
        const { compiled } = await compiledProject(projectRoot(values));
        const m = modelArg(compiled, `${parts[0]}.${parts[1]}`, 'lineage');
        const known = m.outputColumns.filter((c) => c !== UNKNOWN_STAR);
        if (!m.outputColumns.includes(UNKNOWN_STAR) && !known.some((c) => c.toLowerCase() === parts[2])) {
          throw new UsageError(`${m.def.name} has no column ${parts[2]} (columns: ${known.join(', ')})`);
        }
        log(renderLineage(lineage(compiled, target)));
        return 0;
      }
      case 'models': return await modelsVerb(values);
      case 'env': return await envVerb(values, positionals);
      case 'janitor': return await janitorVerb(values);
      default: throw new UsageError(`unknown command '${verb}'`);
    }
  } catch (err) {
    if (err instanceof ModelError) {
      console.error(`wh: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
