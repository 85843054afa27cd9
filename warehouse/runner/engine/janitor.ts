/**
 * `janitor`: collects what no environment uses any more. Dev environments past their expiry go
 * first (views and schemas; prod never expires). Then every physical table or view whose version no
 * environment references, and which is older than the TTL (counted from its snapshot's creation or
 * from the moment the last environment stopped pointing at it, whichever is later, so a rollback
 * stays a view swap for a while), is dropped with its snapshots and intervals. What an environment
 * references is never dropped: the check is repeated inside each drop's transaction. Last, the user
 * SQL macro versions (`wh_physical.macro__<name>__<version>`) that no remaining snapshot calls
 * (its query's or its custom audits' macros, callees included) are dropped: a snapshot waiting out
 * its TTL keeps the macros its table or view was built with.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { dropEnvironment } from './environments';
import { HOUR_MS } from './intervals';
import { PHYSICAL_SCHEMA, physicalMacroName, physicalName, physicalRelation, PROD, quoteIdent } from '../names';
import type { AuditDef, CompiledMacro } from '../types';
import { ensureState, listEnvironments, select, transaction } from './state';

export interface JanitorOptions {
  now: number;
  /** The project's janitorTtlHours, or the `--ttl-hours` override. */
  ttlHours: number;
}

export interface JanitorResult {
  droppedEnvironments: string[];
  droppedTables: { model: string; version: string }[];
  /** Unreferenced versions still within their TTL. */
  waiting: { model: string; version: string; dropAfter: number }[];
  /** Physical names of the macro versions dropped (`macro__<name>__<version>`). */
  droppedMacros: string[];
}

export async function janitor(con: DuckDBConnection, opts: JanitorOptions): Promise<JanitorResult> {
  if (!(opts.ttlHours >= 0)) throw new Error(`ttl hours must be a number >= 0, got ${opts.ttlHours}`);
  await ensureState(con);
  const droppedEnvironments: string[] = [];
  for (const e of await listEnvironments(con)) {
    if (e.env !== PROD && e.expiresAt !== null && e.expiresAt <= opts.now) {
      await dropEnvironment(con, e.env, opts.now);
      droppedEnvironments.push(e.env);
    }
  }

  const candidates = await select<{ model: string; version: string; since: number }>(con, `
    select s.model, s.version, epoch_ms(max(greatest(s.created_at, coalesce(s.released_at, s.created_at)))) as since
    from meta.snapshots s
    where not exists (select 1 from meta.environment_models e where e.model = s.model and e.version = s.version)
    group by s.model, s.version order by s.model, s.version`);
  const ttlMs = opts.ttlHours * HOUR_MS;
  const droppedTables: JanitorResult['droppedTables'] = [];
  const waiting: JanitorResult['waiting'] = [];
  for (const c of candidates) {
    if (c.since + ttlMs > opts.now) {
      waiting.push({ model: c.model, version: c.version, dropAfter: c.since + ttlMs });
      continue;
    }
    const dropped = await transaction(con, async () => {
      const referenced = await select<{ n: number }>(con, 'select count(*) as n from meta.environment_models where model = $1 and version = $2', [c.model, c.version]);
      if ((referenced[0]?.n ?? 0) > 0) return false;
      await dropPhysical(con, c.model, c.version);
      await con.run('delete from meta.intervals where model = $1 and version = $2', [c.model, c.version]);
      await con.run('delete from meta.snapshots where model = $1 and version = $2', [c.model, c.version]);
      return true;
    });
    if (dropped) droppedTables.push({ model: c.model, version: c.version });
  }
  return { droppedEnvironments, droppedTables, waiting, droppedMacros: await dropUnusedMacros(con) };
}

/** Drops the macro versions that no snapshot left in meta.snapshots calls; returns their names. */
async function dropUnusedMacros(con: DuckDBConnection): Promise<string[]> {
  const present = await select<{ name: string; table_macro: boolean }>(con, `
    select distinct function_name as name, function_type = 'table_macro' as table_macro from duckdb_functions()
    where schema_name = $1 and function_type in ('macro', 'table_macro') and starts_with(function_name, 'macro__')`, [PHYSICAL_SCHEMA]);
  if (present.length === 0) return [];
  const used = new Set<string>();
  for (const r of await select<{ def: string }>(con, 'select model_def::varchar as def from meta.snapshots')) {
    const { macros = [], customAudits = [] } = JSON.parse(r.def) as { macros?: CompiledMacro[]; customAudits?: AuditDef[] };
    for (const m of [...macros, ...customAudits.flatMap((a) => a.macros ?? [])]) used.add(physicalMacroName(m.name, m.version));
  }
  const dropped: string[] = [];
  for (const m of present) {
    if (used.has(m.name)) continue;
    await con.run(`drop macro ${m.table_macro ? 'table ' : ''}if exists ${quoteIdent(PHYSICAL_SCHEMA)}.${quoteIdent(m.name)}`);
    dropped.push(m.name);
  }
  return dropped.sort();
}

/** Drops the table or view of a version, whichever it is (neither: already gone, or an EXTERNAL). */
async function dropPhysical(con: DuckDBConnection, model: string, version: string): Promise<void> {
  const name = physicalName(model, version);
  const found = await select<{ kind: string }>(con, `
    select 'table' as kind from duckdb_tables() where schema_name = $1 and table_name = $2
    union all select 'view' from duckdb_views() where schema_name = $1 and view_name = $2`, [PHYSICAL_SCHEMA, name]);
  for (const f of found) await con.run(`drop ${f.kind === 'view' ? 'view' : 'table'} if exists ${physicalRelation(model, version)}`);
}
