/**
 * Test-only: what the runner's own tests run on. Models two ways: ModelDefs written directly (so a
 * test states only what it is about), or small model trees written as real files (MODEL header +
 * query) into a temporary folder and loaded through the real pipeline (loadProject,
 * compileProject). And the one in-memory DuckDB they run against (memoryDb; stateDb adds the
 * runner's meta tables).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compileProject } from './compile/compile';
import { loadProject } from './files/project';
import { ensureState } from './engine/state';
import type { AuditDef, AuditRef, CompiledModel, ModelDef, Project } from './types';

export type Db = { con: DuckDBConnection; close(): void };

/** A fresh in-memory database with the warehouse's UTC session zone, after the setup statements. */
export async function memoryDb(...setup: string[]): Promise<Db> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("set TimeZone = 'UTC'");
  for (const sql of setup) await con.run(sql);
  return { con, close: () => { con.closeSync(); instance.closeSync(); } };
}

/** memoryDb with the runner's state tables (meta.*), for plans and runs. */
export async function stateDb(): Promise<Db> {
  const db = await memoryDb();
  await ensureState(db.con);
  return db;
}

// ModelDefs written directly

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

// Model trees written as files

export interface FileModel {
  name: string;
  /** Header properties after the name, one per line: `kind FULL`, `cron '@hourly'`, ... */
  header?: string[];
  query?: string;
}

/** The model file: `MODEL (` on line 1, the name on 2, each header line after, a blank line, the query. */
export function modelText(m: FileModel): string {
  const props = [`name ${m.name}`, ...(m.header ?? [])];
  return `MODEL (\n${props.map((p) => `  ${p},`).join('\n')}\n);\n${m.query ? `\n${m.query}\n` : ''}`;
}

export interface Workspace {
  root: string;
  /** Replaces the tree's files with these models (and extra files such as seed CSVs). */
  write(models: FileModel[], files?: Record<string, string>): void;
  load(): Promise<{ project: Project; compiled: Map<string, CompiledModel> }>;
  remove(): void;
}

export function workspace(con: DuckDBConnection, opts: { start?: string; ttlHours?: number } = {}): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'wh-models-'));
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  return {
    root,
    write(models, files = {}) {
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root);
      put('config.yaml', `model_defaults:\n  start: '${opts.start ?? '2026-01-01'}'\n  cron: '@daily'\njanitor:\n  ttl_hours: ${opts.ttlHours ?? 24}\n`);
      for (const m of models) put(`${m.name.replace('.', '/')}.sql`, modelText(m));
      for (const [rel, text] of Object.entries(files)) put(rel, text);
    },
    async load() {
      const project = await loadProject(root);
      return { project, compiled: await compileProject(project, con) };
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** The events table tests read, as the EXTERNAL model that declares it. */
export const RAW_EV: FileModel = { name: 'raw.ev', header: ['kind EXTERNAL', 'columns (ts TIMESTAMP, player VARCHAR, amount INTEGER)'] };

export const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
export const at = (iso: string) => Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);

/** A test's warehouse: in-memory DuckDB with the runner's state and `raw.ev` (holding `values`, SQL tuples), and a model workspace. */
export interface RawEvWarehouse { db: Db; con: DuckDBConnection; ws: Workspace; close(): void }

export async function rawEvWarehouse(values?: string, opts?: Parameters<typeof workspace>[1]): Promise<RawEvWarehouse> {
  const db = await stateDb();
  const ws = workspace(db.con, opts);
  await db.con.run(`create schema raw; create table raw.ev (ts timestamp, player varchar, amount int)${values ? `;\n    insert into raw.ev values ${values}` : ''}`);
  return { db, con: db.con, ws, close: () => { db.close(); ws.remove(); } };
}
