/**
 * Environments: a set of schemas of views over physical tables (`marts` in prod, `marts__<env>` in
 * dev). Swapping an environment is one transaction: every view re-pointed, removed models' views
 * dropped and the state updated together, so a reader sees the old environment or the new one,
 * never a mix. Dropping a dev environment removes its views and schemas, never a physical table
 * (the janitor collects those once nothing references them); prod cannot be dropped.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkEnvName, envRelation, envSchema, physicalRelation, PROD, quoteIdent, splitName } from '../names';
import type { EnvironmentInfo, EnvironmentModel } from './state';
import { deleteEnvironment, ensureState, environmentSnapshots, listEnvironments, select, stateExists, transaction, writeEnvironment } from './state';
import type { KindName } from '../types';

export interface EnvironmentEntry extends EnvironmentModel { kind: KindName }

/** Points every view of `env` at its entry's physical object and drops the views of `removed`, atomically. */
export async function swapEnvironment(con: DuckDBConnection, env: string, entries: readonly EnvironmentEntry[], opts: { removed: readonly string[]; planId: string; now: number; expiresAt: number | null }): Promise<void> {
  await transaction(con, async () => {
    for (const name of opts.removed) await con.run(`drop view if exists ${envRelation(name, env)}`);
    const schemas = new Set<string>();
    for (const e of entries) {
      if (e.kind === 'EXTERNAL') continue; // read by name in every environment
      const schema = envSchema(splitName(e.model).schema, env);
      if (!schemas.has(schema)) await con.run(`create schema if not exists ${quoteIdent(schema)}`);
      schemas.add(schema);
      await con.run(`create or replace view ${envRelation(e.model, env)} as select * from ${physicalRelation(e.model, e.version)}`);
    }
    await writeEnvironment(con, env, entries, { planId: opts.planId, now: opts.now, expiresAt: opts.expiresAt });
  });
}

/** Every environment; reads only, so it works on a read-only connection (none before the first plan). */
export async function environments(con: DuckDBConnection): Promise<EnvironmentInfo[]> {
  return (await stateExists(con)) ? listEnvironments(con) : [];
}

/** Drops a dev environment's views, its schemas once empty, and its state. */
export async function dropEnvironment(con: DuckDBConnection, env: string, now: number = Date.now()): Promise<{ views: number }> {
  checkEnvName(env);
  if (env === PROD) throw new Error('prod cannot be dropped');
  await ensureState(con);
  const snapshots = await environmentSnapshots(con, env);
  let views = 0;
  await transaction(con, async () => {
    const schemas = new Set<string>();
    for (const s of snapshots.values()) {
      if (s.compiled.def.kind.name === 'EXTERNAL') continue;
      await con.run(`drop view if exists ${envRelation(s.model, env)}`);
      schemas.add(envSchema(splitName(s.model).schema, env));
      views++;
    }
    for (const schema of schemas) {
      const left = await select<{ n: number }>(con, `select (select count(*) from duckdb_tables() where schema_name = $1)
        + (select count(*) from duckdb_views() where schema_name = $1 and not internal) as n`, [schema]);
      if ((left[0]?.n ?? 0) === 0) await con.run(`drop schema if exists ${quoteIdent(schema)}`);
    }
    await deleteEnvironment(con, env, now);
  });
  return { views };
}
