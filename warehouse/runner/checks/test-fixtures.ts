/**
 * Fixtures for the runner's own tests: ModelDefs written directly (so a test states only what it is
 * about) and a fresh in-memory DuckDB per test.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { AuditDef, AuditRef, ModelDef } from '../types';

export function model(name: string, overrides: Partial<ModelDef> = {}): ModelDef {
  const file = `${name.replace('.', '/')}.sql`;
  return {
    name,
    kind: { name: 'FULL' },
    cron: '@daily',
    grain: [],
    tags: [],
    columnDescriptions: {},
    columns: {},
    audits: [],
    allowPartials: false,
    query: 'SELECT 1 AS x',
    where: { file, line: 1 },
    queryLine: 10,
    extra: {},
    ...overrides,
  };
}

export function audit(name: string, args: AuditRef['args'] = {}, blocking = true): AuditRef {
  return { name, args, blocking };
}

export function auditDef(name: string, query: string, overrides: Partial<AuditDef> = {}): AuditDef {
  return { name, blocking: true, defaults: {}, query, where: { file: `audits/${name}.sql`, line: 1 }, queryLine: 2, ...overrides };
}

export type Db = { con: DuckDBConnection; close(): void };

/** A fresh in-memory database with the warehouse's UTC session zone. */
export async function memoryDb(...setup: string[]): Promise<Db> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("set TimeZone = 'UTC'");
  for (const sql of setup) await con.run(sql);
  return { con, close: () => { con.closeSync(); instance.closeSync(); } };
}
