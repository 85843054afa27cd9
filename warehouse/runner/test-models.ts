/**
 * Test-only: builds ModelDef / CompiledModel objects directly, standing in for compile.ts until
 * h-compile is merged (references found by a plain search for the known model names; hashes of
 * the whitespace-collapsed query). Also an in-memory DuckDB with the runner's state.
 */
import { createHash } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ensureState } from './state';
import type { CompiledModel, Kind, ModelDef, Project, TableRef } from './types';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

export type TestModel = Partial<Omit<ModelDef, 'name' | 'query'>> & { name: string; query?: string };

export function def(m: TestModel): ModelDef {
  return {
    kind: { name: 'FULL' }, cron: '@daily', grain: [], tags: [], columnDescriptions: {}, columns: {}, audits: [],
    allowPartials: false, query: '', where: { file: `${m.name.replace('.', '/')}.sql`, line: 1 }, queryLine: 2, extra: {}, ...m,
  };
}

export const incremental = (timeColumn: string, o: Partial<{ batchSize: number; lookback: number; forwardOnly: boolean }> = {}): Kind => ({
  name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn, batchSize: o.batchSize, lookback: o.lookback ?? 0, forwardOnly: o.forwardOnly ?? false,
});

/**
 * Compiles test models: refs are the occurrences of other models' names (whole words); with a
 * connection, `normalized` is DuckDB's parse tree without locations (macros read as strings).
 */
export async function compileAll(models: TestModel[], con?: DuckDBConnection): Promise<Map<string, CompiledModel>> {
  const defs = models.map(def);
  const names = defs.map((d) => d.name);
  const out = new Map<string, CompiledModel>();
  for (const d of defs) {
    const refs: TableRef[] = [];
    for (const n of names) {
      const re = new RegExp(`(?<![\\w.])${n.replace('.', '\\.')}(?![\\w])`, 'g');
      for (const m of d.query.matchAll(re)) refs.push({ name: n, start: m.index, end: m.index + n.length });
    }
    refs.sort((a, b) => a.start - b.start);
    const collapsed = d.query.replace(/--[^\n]*/g, '').replace(/\s+/g, ' ').trim().toLowerCase();
    const normalized = con && d.query ? await parseTree(con, d.query) : collapsed;
    const select = /^select (.*?) from /.exec(collapsed)?.[1] ?? '';
    out.set(d.name, {
      def: d,
      parents: [...new Set(refs.map((r) => r.name))].sort(),
      refs,
      normalized,
      outputColumns: select.split(',').map((c) => c.trim().split(' ').pop() ?? ''),
      dataHash: sha(JSON.stringify([normalized, d.kind, d.columns])),
      metadataHash: sha(JSON.stringify([d.cron, d.owner, d.description, d.tags, d.audits, d.grain])),
    });
  }
  return out;
}

async function parseTree(con: DuckDBConnection, query: string): Promise<string> {
  const sql = query.replace(/@([a-z_]+)/g, "'@$1'").replaceAll("'", "''");
  const r = await con.runAndReadAll(`select json_serialize_sql('${sql}')`);
  return JSON.stringify(JSON.parse(String(r.getRows()[0]![0])), (k, v: unknown) => (k === 'query_location' ? undefined : v));
}

export function project(root: string, models: Map<string, CompiledModel>, start = '2026-01-01'): Project {
  return { root, config: { start, cron: '@daily', janitorTtlHours: 24 }, models: new Map([...models].map(([k, v]) => [k, v.def])), audits: new Map(), tests: [] };
}

export async function memoryDb(): Promise<{ con: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  await con.run("set TimeZone = 'UTC'");
  await ensureState(con);
  return { con, close: () => { con.closeSync(); instance.closeSync(); } };
}

export const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
export const at = (iso: string) => Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`);
