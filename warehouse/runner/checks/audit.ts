/**
 * Audits: queries over a model's built table that return its bad rows (SQLMesh's definition). A
 * model lists them in its header; the built-ins (audit-builtins.ts) carry SQLMesh's names and parameters, custom
 * ones are `audits/*.sql` files (AuditDef). Blocking audits that find rows stop the model's
 * downstream; `<name>_non_blocking` (or `blocking := false`) only warns.
 *
 * Each audit runs as one query that counts its bad rows and keeps a few of them, so a failure
 * shows what is wrong, not just that something is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { rows } from '../../db';
import { ArgReader, BUILT_INS } from './audit-builtins';
import { findMacros, substituteMacros, THIS_MODEL, TIME_MACROS, timeMacros, type MacroValues } from '../files/macros';
import { quotedIdentifier, sqlLiteral, stripStatementEnd } from './sql-values';
import { PHYSICAL_SCHEMA, quoteIdent } from '../names';
import { type CompiledMacro, ModelError, type AuditArg, type AuditDef, type AuditRef, type ModelDef } from '../types';

/** Bad rows kept per failing audit. */
export const AUDIT_SAMPLE_ROWS = 5;
const NON_BLOCKING = '_non_blocking';
const COUNT_COLUMN = '__wh_bad_rows';

/** The interval a run just built: [start, end), as macros.ts's timeMacros takes it. */
export interface AuditInterval {
  start: Date;
  end: Date;
}

export interface AuditTarget {
  /** SQL relation text of the built table (e.g. physicalRelation(...) or envRelation(...)). */
  relation: string;
  model: ModelDef;
  customAudits: Map<string, AuditDef>;
  /**
   * The interval just built: an INCREMENTAL_BY_TIME_RANGE model is audited on its rows only
   * (SQLMesh does the same), and custom audits may use the time macros (@start_ds, ...).
   */
  interval?: AuditInterval;
  /** For @execution_* in custom audits; default the interval's end. */
  execution?: Date;
}

export interface AuditResult {
  /** The audit's name as the model's header writes it (e.g. `not_null_non_blocking`). */
  audit: string;
  blocking: boolean;
  ok: boolean;
  badRows: number;
  /** Up to AUDIT_SAMPLE_ROWS of the bad rows. */
  sample: Record<string, unknown>[];
  /** The query as executed (what `wh audit --sql` would show). */
  sql: string;
}

export interface CompiledAudit {
  audit: string;
  blocking: boolean;
  sql: string;
  /** Where a failure to run points: the custom audit's file, or the model's header for a built-in. */
  where: ModelDef['where'];
  /** The user SQL macro versions the query calls (AuditDef.macros), created before it runs. */
  macros?: CompiledMacro[];
}

/** Where a VIEW's rows are kept while its audits run (a temp table: this connection only). */
export const AUDITED_VIEW_ROWS = 'temp.main.__wh_audited_view';

/**
 * Runs every audit of the model against the built relation, in header order. A VIEW with several
 * audits is computed once into a temp table that they all read, then dropped: each audit of the
 * view itself would recompute its query (a window over the whole history, for the balances).
 */
export async function runAudits(con: DuckDBConnection, target: AuditTarget): Promise<AuditResult[]> {
  if (target.model.kind.name !== 'VIEW' || target.model.audits.length < 2) return runEach(con, target);
  try {
    await con.run(`CREATE OR REPLACE TEMP TABLE ${AUDITED_VIEW_ROWS} AS SELECT * FROM ${target.relation}`);
  } catch (err) {
    throw new ModelError(`the audits of ${target.model.name} could not read the view: ${(err as Error).message}`, target.model.where, target.model.name);
  }
  let ok = false;
  try {
    const results = await runEach(con, { ...target, relation: AUDITED_VIEW_ROWS });
    ok = true;
    return results;
  } finally {
    // After a failed statement inside a transaction nothing more runs; its rollback drops the table.
    await con.run(`DROP TABLE IF EXISTS ${AUDITED_VIEW_ROWS}`).catch((err: unknown) => {
      if (ok) throw err;
    });
  }
}

async function runEach(con: DuckDBConnection, target: AuditTarget): Promise<AuditResult[]> {
  const results: AuditResult[] = [];
  for (const ref of target.model.audits) {
    results.push(await runCompiledAudit(con, compileAudit(ref, target)));
  }
  return results;
}

export const BUILT_IN_AUDITS: readonly string[] = Object.keys(BUILT_INS);

/** One audit's SQL and blocking flag, without running it; throws ModelError for a bad reference. */
export function compileAudit(ref: AuditRef, target: AuditTarget): CompiledAudit {
  const { model } = target;
  const suffixed = ref.name.endsWith(NON_BLOCKING);
  const baseName = suffixed ? ref.name.slice(0, -NON_BLOCKING.length) : ref.name;
  // `blocking := false` is an argument in SQLMesh's syntax; it is not the audit's own argument.
  const { blocking: blockingArg, ...args } = ref.args;
  const blockingWanted = ref.blocking && !suffixed && blockingArg !== false;
  const thisModel = auditedRelation(target);

  const custom = target.customAudits.get(ref.name) ?? target.customAudits.get(baseName);
  if (custom) {
    return {
      audit: ref.name, blocking: blockingWanted && custom.blocking, sql: customAuditSql(custom, args, thisModel, target), where: custom.where,
      ...(custom.macros?.length ? { macros: custom.macros } : {}),
    };
  }
  const builtIn = BUILT_INS[baseName];
  if (!builtIn) {
    const known = [...Object.keys(BUILT_INS), ...target.customAudits.keys()].sort().join(', ');
    throw new ModelError(`unknown audit '${ref.name}' (known: ${known})`, model.where, model.name);
  }
  const reader = new ArgReader(baseName, args, model);
  reader.rejectUnknown(builtIn.params);
  return { audit: ref.name, blocking: blockingWanted, sql: builtIn.sql(reader, thisModel), where: model.where };
}

async function runCompiledAudit(con: DuckDBConnection, audit: CompiledAudit): Promise<AuditResult> {
  // One scan: the window count rides along the sampled rows (and is absent when there are none).
  const probe = `SELECT *, count(*) OVER () AS ${COUNT_COLUMN} FROM (\n${audit.sql}\n) LIMIT ${AUDIT_SAMPLE_ROWS}`;
  let found: Record<string, unknown>[];
  try {
    // The versions exist once a model calling them was built; IF NOT EXISTS never replaces one.
    if (audit.macros) await con.run(`create schema if not exists ${quoteIdent(PHYSICAL_SCHEMA)}`);
    for (const m of audit.macros ?? []) await con.run(m.create);
    found = await rows(con, probe);
  } catch (err) {
    throw new ModelError(`audit ${audit.audit} could not run: ${(err as Error).message}\n${audit.sql}`, audit.where);
  }
  const badRows = Number(found[0]?.[COUNT_COLUMN] ?? 0);
  const sample = found.map(({ [COUNT_COLUMN]: _count, ...row }) => row);
  return { audit: audit.audit, blocking: audit.blocking, ok: badRows === 0, badRows, sample, sql: audit.sql };
}

/** `@this_model`: the table, or for an incremental model with an interval, only that interval's rows. */
function auditedRelation({ relation, model, interval }: AuditTarget): string {
  if (!interval || model.kind.name !== 'INCREMENTAL_BY_TIME_RANGE') return relation;
  const column = quotedIdentifier(model.kind.timeColumn);
  if (!column) throw new ModelError(`time_column '${model.kind.timeColumn}' is not a column name`, model.where, model.name);
  return `(SELECT * FROM ${relation} WHERE ${column} >= ${sqlLiteral(interval.start)} AND ${column} < ${sqlLiteral(interval.end)})`;
}

// ---------------------------------------------------------------------------------------------
// Custom audits.

/**
 * The custom audit's query with its macros substituted by macros.ts: `@this_model`, the time macros
 * when an interval was built, and its arguments, from the model's reference else the audit's
 * defaults. An argument the query uses that neither gives is an error at the model's header.
 * Arguments render as header.ts keeps them: a name (string) as a checked, quoted identifier,
 * `{ sql }` (string literals, expressions) verbatim, a list comma-separated for `IN (@values)`.
 */
function customAuditSql(def: AuditDef, args: Record<string, AuditArg>, thisModel: string, target: AuditTarget): string {
  const { model, interval } = target;
  const fail = (message: string): never => {
    throw new ModelError(message, model.where, model.name);
  };
  const render = (v: AuditArg, name: string): string => {
    if (Array.isArray(v)) return v.map((x) => render(x, name)).join(', ');
    if (typeof v === 'string') return quotedIdentifier(v) ?? fail(`audit '${def.name}': argument ${name}: ${JSON.stringify(v)} is not a column name`);
    if (v !== null && typeof v === 'object') return v.sql;
    return sqlLiteral(v)!;
  };
  const values: MacroValues = interval ? timeMacros(interval, target.execution ?? interval.end) : {};
  for (const [name, v] of Object.entries({ ...def.defaults, ...args })) values[name.toLowerCase()] = render(v, name);
  values[THIS_MODEL] = thisModel;
  const src = { file: def.where.file, queryLine: def.queryLine };
  for (const use of findMacros(def.query, src)) {
    if (use.name in values || TIME_MACROS.includes(use.name)) continue;
    fail(`audit '${def.name}' (${def.where.file}:${def.where.line}) needs argument '${use.name}': give it in this model's audits (${def.name}(${use.name} := ...)) or as a default in the audit's header`);
  }
  // macroQuery: the same text with its macros.name( calls naming the macros' versions (compile.ts).
  return stripStatementEnd(substituteMacros(def.macroQuery ?? def.query, values, src));
}
