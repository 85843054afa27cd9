/**
 * Test-only: small model trees written as real files (MODEL header + query) into a temporary
 * folder and loaded through the real pipeline (loadProject, compileProject), plus an in-memory
 * DuckDB with the runner's state.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compileProject } from '../compile/compile';
import { loadProject } from '../files/project';
import { ensureState } from './state';
import type { CompiledModel, Project } from '../types';

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

export async function memoryDb(): Promise<{ con: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("set TimeZone = 'UTC'");
  await ensureState(con);
  return { con, close: () => { con.closeSync(); instance.closeSync(); } };
}

export const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
export const at = (iso: string) => Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);

/** A test's warehouse: in-memory DuckDB with the runner's state and `raw.ev` (holding `values`, SQL tuples), and a model workspace. */
export interface RawEvWarehouse { db: { con: DuckDBConnection; close(): void }; con: DuckDBConnection; ws: Workspace; close(): void }

export async function rawEvWarehouse(values?: string, opts?: Parameters<typeof workspace>[1]): Promise<RawEvWarehouse> {
  const db = await memoryDb();
  const ws = workspace(db.con, opts);
  await db.con.run(`create schema raw; create table raw.ev (ts timestamp, player varchar, amount int)${values ? `;\n    insert into raw.ev values ${values}` : ''}`);
  return { db, con: db.con, ws, close: () => { db.close(); ws.remove(); } };
}
