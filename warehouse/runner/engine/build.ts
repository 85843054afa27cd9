/**
 * One model's build inside a plan application or a run: materialize, then audit, and turn any
 * failure into an outcome that names the model, its file and line (a DuckDB `LINE n` inside the
 * query maps back to the model file). Audits run on each batch inside its transaction (a hook,
 * `afterBuild`, audit.ts by default): a failing blocking audit rolls the batch back.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { BuildTarget, BuildWork } from './execute';
import { materialize } from './execute';
import type { Interval } from './intervals';
import { PHYSICAL_SCHEMA, physicalName, physicalRelation, quoteIdent } from '../names';
import { select, type RunOutcome } from './state';
import { runAudits, type AuditResult } from '../checks/audit';
import type { AuditDef, CompiledModel, ModelDef } from '../types';
import { ModelError } from '../types';

export interface BuiltRelation {
  /** The physical table or view just built. */
  relation: string;
  compiled: CompiledModel;
  /** The hull of what was computed (an incremental model's audits look at those rows only). */
  interval: Interval;
  customAudits: ReadonlyMap<string, AuditDef>;
  now: number;
}

/** What runs after a model's build: its audits (runAudits) unless a caller substitutes something else. */
export type AfterBuild = (con: DuckDBConnection, built: BuiltRelation) => Promise<AuditResult[]>;

export const runModelAudits: AfterBuild = (con, b) => runAudits(con, {
  relation: b.relation, model: b.compiled.def, customAudits: new Map(b.customAudits),
  interval: { start: new Date(b.interval[0]), end: new Date(b.interval[1]) }, execution: new Date(Math.floor(b.now / 1000) * 1000),
});

/** The project's custom audits a model's header names (`x` or `x_non_blocking`), to keep with its snapshot. */
export function referencedAudits(def: ModelDef, audits: ReadonlyMap<string, AuditDef>): AuditDef[] {
  const names = new Set(def.audits.flatMap((a) => [a.name, a.name.replace(/_non_blocking$/, '')]));
  return [...audits.values()].filter((a) => names.has(a.name));
}

export interface ModelOutcome {
  model: string;
  version: string;
  outcome: RunOutcome;
  /** `<file>:<line>: <model>: <message>` when failed. */
  error: string | null;
  rows: number;
  computed: Interval[];
  audits: AuditResult[];
  startedAt: number;
  finishedAt: number;
}

/** Where each parent is read from: its physical object at the given version; an EXTERNAL by its own name. */
export function relationResolver(entries: ReadonlyMap<string, { compiled: CompiledModel; version: string }>): (model: string) => string {
  return (model) => {
    const e = entries.get(model);
    if (!e) throw new Error(`no version of ${model} in this environment`);
    if (e.compiled.def.kind.name === 'EXTERNAL') return model.split('.').map(quoteIdent).join('.');
    return physicalRelation(model, e.version);
  };
}

/** A batch whose blocking audit found bad rows: thrown inside its transaction, so it rolls back. */
class AuditBlocked extends Error {}

/**
 * Builds the work and audits each batch before it commits (`afterBuild`, default runModelAudits,
 * over the batch's interval): a failing blocking audit, or an audit that cannot run, rolls that
 * batch back (data and intervals), so the next run computes it again and no one ever reads rows
 * that failed their checks. Batches committed before it stay: they passed.
 */
export async function buildModel(con: DuckDBConnection, target: BuildTarget, work: BuildWork, opts: { customAudits?: readonly AuditDef[]; afterBuild?: AfterBuild; clock?: () => number } = {}): Promise<ModelOutcome> {
  const clock = opts.clock ?? Date.now;
  const def = target.compiled.def;
  const startedAt = clock();
  const base = { model: def.name, version: target.version, startedAt };
  const audits: AuditResult[] = [];
  const customAudits = new Map((opts.customAudits ?? []).map((a) => [a.name, a]));
  const check = def.audits.length === 0 ? undefined : async (interval: Interval) => {
    const built: BuiltRelation = { relation: physicalRelation(def.name, target.version), compiled: target.compiled, now: work.now, interval, customAudits };
    const results = await (opts.afterBuild ?? runModelAudits)(con, built);
    audits.push(...results);
    const blocking = results.filter((a) => a.blocking && !a.ok);
    if (blocking.length > 0) {
      throw new AuditBlocked(`${def.name}: blocking audit failed: ${blocking.map((a) => `${a.audit} (${a.badRows} bad row${a.badRows === 1 ? '' : 's'})`).join('; ')}; nothing of that batch was kept`);
    }
  };
  try {
    const { rows, computed } = await materialize(con, target, work, check);
    return { ...base, outcome: 'ok', error: null, rows, computed, audits, finishedAt: clock() };
  } catch (err) {
    if (err instanceof AuditBlocked) {
      return { ...base, outcome: 'audit_failed', error: new ModelError(err.message, def.where, def.name).message, rows: 0, computed: [], audits, finishedAt: clock() };
    }
    return { ...base, outcome: 'failed', error: describeFailure(def, err), rows: 0, computed: [], audits, finishedAt: clock() };
  }
}

/**
 * The failure as `<file>:<line>: <model>: <message>`. Every statement execute.ts runs puts the
 * rendered query on its own lines from statement line 2, and renderQuery keeps the query's lines
 * but trims the blank ones it starts with, so DuckDB's `LINE n` is the query's line n - 1 after those.
 */
export function describeFailure(def: ModelDef, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof ModelError) return message;
  const m = /\nLINE (\d+):/.exec(message);
  const leadingLines = (/^\s*/.exec(def.query)?.[0] ?? '').split('\n').length - 1;
  const line = m ? def.queryLine + leadingLines + Math.max(0, Number(m[1]) - 2) : def.where.line;
  const first = message.split('\n\nLINE')[0]!.replace(/\n+/g, ' ');
  return new ModelError(`${def.name}: ${first}`, { file: def.where.file, line }, def.name).message;
}

/** Whether the physical table or view of a model version exists. */
export async function physicalExists(con: DuckDBConnection, model: string, version: string): Promise<boolean> {
  const found = await select<{ n: number }>(con, `select count(*) as n from (
    select table_name as name from duckdb_tables() where schema_name = $1
    union all select view_name from duckdb_views() where schema_name = $1) where name = $2`, [PHYSICAL_SCHEMA, physicalName(model, version)]);
  return (found[0]?.n ?? 0) > 0;
}
