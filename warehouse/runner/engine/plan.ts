/**
 * `plan <env>`: the difference between the local project and an environment, and the work that
 * applying it takes. Planning only reads (it runs on a read-only connection while the plan is
 * shown); applyPlan records it in meta.plans.
 * A new dev environment starts from prod's snapshots. A dev plan never schedules work on a table
 * prod reads: such tables are shared as they are (writable = false), and restating them is prod's job.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { buildDag, downstream } from '../compile/dag';
import { unifiedDiff } from './diff';
import type { Interval, IntervalUnit } from './intervals';
import { addUnit, completeBound, covers, DAY_MS, floorUnit, HOUR_MS, intervalUnit, missingIntervals, subtract, toMs } from './intervals';
import { checkEnvName, PROD } from '../names';
import { environmentExists, environmentSnapshots, stateExists, tableIntervals, type Snapshot, type TableIntervals } from './state';
import { referencedAudits } from './build';
import type { AuditDef, CompiledModel, Project } from '../types';
import { decideVersions, previewVersionOf, type VersionDecision } from './versioning';

export interface PlanOptions {
  now: number;
  /** Every directly modified model is forward-only: prod keeps its tables (dev previews). */
  forwardOnly?: boolean;
  /** Recompute [start, end] of these models and everything downstream (dates inclusive). */
  restate?: { models: string[]; start: string; end: string };
  /** Dev plans only: backfill incremental models over this range instead of their whole history. */
  start?: string;
  end?: string;
  /** A dev environment not planned again for this long is dropped by the janitor. Default 7 days. */
  envTtlHours?: number;
}

export interface PlannedModel extends VersionDecision {
  /** As compiled, with its effective start. */
  compiled: CompiledModel;
  /** Unified diff of the query text, previous -> local (directly modified models). */
  diff: string | null;
  /** False when this plan may not write the table (a dev plan over a table prod reads). */
  writable: boolean;
  unit: IntervalUnit;
  /** The custom audit files it references (kept with its snapshot, so runs audit it the same way). */
  customAudits: AuditDef[];
  /** Restated range cleared before the backfill, or null. */
  restated: Interval | null;
  /** Units to compute (incremental kinds), or the whole history once (VIEW, FULL, SEED); [] = nothing. */
  backfill: Interval[];
}

export interface Plan {
  id: string;
  env: string;
  createdAt: number;
  root: string;
  /** The environment the comparison started from (the env itself, prod for a new dev env, null if none). */
  basedOn: string | null;
  /** Every model of the environment after the plan, parents first. */
  models: PlannedModel[];
  removed: { name: string; fingerprint: string; version: string }[];
  /** Models whose range is recomputed; skipped: downstream ones left alone (views, or tables prod reads in a dev plan). */
  restate: { models: string[]; skipped: string[]; range: Interval } | null;
  forwardOnly: boolean;
  expiresAt: number | null;
}

const DEFAULT_ENV_TTL_HOURS = 24 * 7;

/** A date end is inclusive (the whole day); a timestamp end is exclusive. */
const endMs = (end: string) => (/^\d{4}-\d{2}-\d{2}$/.test(end) ? toMs(end) + DAY_MS : toMs(end));

export async function plan(con: DuckDBConnection, project: Project, compiledModels: ReadonlyMap<string, CompiledModel>, env: string, opts: PlanOptions): Promise<Plan> {
  checkEnvName(env);
  const dev = env !== PROD;
  if (!dev && (opts.start || opts.end)) throw new Error('--start/--end limit dev plans only: prod is always backfilled over the whole history (use --restate to recompute a range)');
  const state = await stateExists(con);
  const basedOn = !state ? null : (await environmentExists(con, env)) ? env : dev && (await environmentExists(con, PROD)) ? PROD : null;
  const base: Map<string, Snapshot> = basedOn ? await environmentSnapshots(con, basedOn) : new Map();
  const prod = dev && state ? await environmentSnapshots(con, PROD) : new Map<string, Snapshot>();
  const prodTables = new Set([...prod.values()].map((s) => `${s.model}@${s.version}`));

  const prepared = new Map([...compiledModels].map(([name, c]) => [name, prepare(project, c)]));
  const models = new Map([...prepared].map(([name, p]) => [name, p.compiled]));
  const order = buildDag(models).order;
  const decisions = decideVersions({ order, models, base, env, forwardOnly: opts.forwardOnly ?? false });

  const restate = opts.restate ? restatement(models, opts.restate) : null;
  const planned: PlannedModel[] = [];
  // A dev plan limited by --start/--end leaves incremental tables holding part of their history
  // (promotable: prod fills the rest). What is computed from them (a FULL total, a running sum,
  // a view over a preview) would be wrong in prod, so it goes to a dev preview table instead.
  const limited = dev && Boolean(opts.start || opts.end);
  const incomplete = new Set<string>();
  const previewed = new Set<string>();
  for (const name of order) {
    let d = decisions.get(name)!;
    const compiled = models.get(name)!;
    const old = base.get(name);
    const isView = compiled.def.kind.name === 'VIEW';
    if (limited && !d.version.endsWith('_dev') && !prodTables.has(`${name}@${d.version}`)
      && (isView ? compiled.parents.some((p) => previewed.has(p)) : compiled.parents.some((p) => incomplete.has(p)))) {
      const held = state ? await tableIntervals(con, name, d.version) : { done: [], partial: [] };
      const probe = { ...d, compiled, writable: true, unit: intervalUnit(compiled.def), restated: null };
      if (isView || backfillOf(probe as PlannedModel, held, { dev, now: opts.now, start: opts.start, end: opts.end }).length > 0) {
        const version = previewVersionOf(d.fingerprint);
        d = { ...d, version, preview: true, newVersion: version !== old?.version, effect: 'preview' };
        previewed.add(name);
      }
    }
    const writable = !dev || !prodTables.has(`${name}@${d.version}`);
    const unit = intervalUnit(compiled.def);
    const restated = restate && writable && restate.closure.has(name) && compiled.def.kind.name !== 'EXTERNAL' && compiled.def.kind.name !== 'VIEW'
      // A merge cannot remove a key the query no longer produces: a unique-key model is restated whole (as SQLMesh does).
      ? (compiled.def.kind.name === 'INCREMENTAL_BY_UNIQUE_KEY'
        ? [floorUnit(toMs(compiled.def.start ?? project.config.start), unit), Math.max(restate.range[1], completeBound(compiled.def, opts.now))] as const
        : [floorUnit(restate.range[0], unit), restate.range[1]] as const)
      : null;
    const pm: PlannedModel = {
      ...d, compiled, writable, unit, restated, backfill: [], customAudits: prepared.get(name)!.customAudits,
      diff: d.change === 'directly_modified' && old
        ? [queryDiff(old.compiled, compiled, `${basedOn}: ${old.compiled.def.where.file}`), macroChanges(old.compiled, compiled)].filter((x) => x !== '').join('\n') || null
        : null,
    };
    const held: TableIntervals = state ? await tableIntervals(con, name, d.version) : { done: [], partial: [] };
    pm.backfill = backfillOf(pm, held, { dev, now: opts.now, start: opts.start, end: opts.end });
    if (limited && writable && (previewed.has(name) || (isView && compiled.parents.some((p) => incomplete.has(p)))
      || (compiled.def.kind.name === 'INCREMENTAL_BY_TIME_RANGE' && !coversHistory(pm, held, opts.now)))) incomplete.add(name);
    planned.push(pm);
  }
  const result: Plan = {
    id: randomUUID(), env, createdAt: opts.now, root: project.root, basedOn, models: planned,
    removed: [...base.values()].filter((s) => !models.has(s.model)).map((s) => ({ name: s.model, fingerprint: s.fingerprint, version: s.version })),
    restate: restate ? {
      models: planned.filter((m) => m.restated).map((m) => m.name),
      skipped: planned.filter((m) => restate.closure.has(m.name) && !m.restated && m.compiled.def.kind.name !== 'EXTERNAL').map((m) => m.name),
      range: restate.range,
    } : null,
    forwardOnly: opts.forwardOnly ?? false,
    expiresAt: dev ? opts.now + (opts.envTtlHours ?? DEFAULT_ENV_TTL_HOURS) * HOUR_MS : null,
  };
  return result;
}

/** The model as the plan records it: its effective start, and the custom audits it uses in its metadata (compile.ts hashes a SEED's CSV into its data hash). */
function prepare(project: Project, c: CompiledModel): { compiled: CompiledModel; customAudits: AuditDef[] } {
  const customAudits = referencedAudits(c.def, project.audits);
  // An edited audit file changes what runs after each build: a metadata change of the models using it.
  const metadataHash = customAudits.length === 0 ? c.metadataHash
    : createHash('sha256').update(JSON.stringify([c.metadataHash, customAudits.map((a) => [a.name, a.blocking, a.defaults, a.macroQuery ?? a.query])])).digest('hex');
  return { compiled: { ...c, metadataHash, def: { ...c.def, start: c.def.start ?? project.config.start } }, customAudits };
}

/** The query change with file line numbers (blank lines between header and query left out). */
function queryDiff(old: CompiledModel, local: CompiledModel, oldName: string): string {
  const body = (c: CompiledModel) => {
    const lead = /^\s*\n/.exec(c.def.query)?.[0] ?? '';
    return { text: c.def.query.slice(lead.length).trimEnd(), firstLine: c.def.queryLine + lead.split('\n').length - 1 };
  };
  const [a, b] = [body(old), body(local)];
  return unifiedDiff(a.text, b.text, { oldName, newName: `local: ${local.def.where.file}`, oldFirstLine: a.firstLine, newFirstLine: b.firstLine });
}

/** The SQL macros whose version changed under an unchanged call (models/macros/), one line each. */
function macroChanges(old: CompiledModel, local: CompiledModel): string {
  const before = new Map((old.macros ?? []).map((m) => [m.name, m.version]));
  const after = new Map((local.macros ?? []).map((m) => [m.name, m.version]));
  const lines: string[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const [a, b] = [before.get(name), after.get(name)];
    if (a !== b) lines.push(`macro macros.${name}: ${a ?? '(not called)'} -> ${b ?? '(not called)'}`);
  }
  return lines.join('\n');
}

function restatement(models: ReadonlyMap<string, CompiledModel>, r: NonNullable<PlanOptions['restate']>) {
  for (const m of r.models) if (!models.has(m)) throw new Error(`cannot restate '${m}': no such model in the project`);
  const range: Interval = [toMs(r.start), endMs(r.end)];
  if (range[1] <= range[0]) throw new Error(`restatement range ${r.start} .. ${r.end} is empty`);
  return { closure: new Set(downstream(models, r.models)), range };
}

/** Whether the table holds its whole history once the plan's backfill is done. */
function coversHistory(pm: PlannedModel, held: TableIntervals, now: number): boolean {
  const def = pm.compiled.def;
  const start = floorUnit(toMs(def.start!), pm.unit);
  const bound = completeBound(def, now);
  const have = pm.restated ? subtract(held.done, [pm.restated]) : held.done;
  return bound <= start || covers([...have, ...pm.backfill], [start, bound]);
}

/** What applying the plan computes for one model: nothing for shared prod tables in a dev plan. */
function backfillOf(pm: PlannedModel, held: TableIntervals, o: { dev: boolean; now: number; start?: string; end?: string }): Interval[] {
  const def = pm.compiled.def;
  if (def.kind.name === 'EXTERNAL' || !pm.writable) return [];
  const start = floorUnit(toMs(def.start!), pm.unit);
  const bound = completeBound(def, o.now);
  const { done } = held;
  const have = pm.restated ? subtract(done, [pm.restated]) : done;
  switch (def.kind.name) {
    case 'VIEW':
    case 'SEED':
      // Built once: the recorded interval only says "built".
      return have.length === 0 ? [[start, Math.max(bound, addUnit(start, pm.unit))]] : [];
    case 'FULL':
      return bound > start && !covers(have, [start, bound]) ? [[start, bound]] : [];
    case 'INCREMENTAL_BY_TIME_RANGE': {
      const from = o.dev && o.start ? Math.max(start, floorUnit(toMs(o.start), pm.unit)) : start;
      const to = o.dev && o.end ? Math.min(bound, endMs(o.end)) : bound;
      return missingIntervals({ start: from, end: to, done: have, unit: pm.unit, lookback: def.kind.lookback });
    }
    case 'INCREMENTAL_BY_UNIQUE_KEY':
      // Not idempotent over a limited range (SQLMesh's rule): always its whole history.
      return missingIntervals({ start, end: bound, done: have, unit: pm.unit, lookback: 0 });
  }
}
