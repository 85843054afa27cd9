/**
 * W2's floor: the model files of a project executed directly by DuckDB, with no runner in between.
 *
 * This reads the same `MODEL (...) ; <query>` files the runner reads, but only as much of the header
 * as the floor needs (name, kind, time column, unique key), orders the models by the `schema.table`
 * names their queries mention (good enough for a known tree: the runner itself uses the parse tree),
 * replaces the macros by literals and runs:
 *
 *   full build          CREATE TABLE <model> AS <query> (materialized kinds, macros = the whole range),
 *                       CREATE VIEW <model> AS <query> (VIEW); EXTERNAL models are the tables already there
 *   one day             per model in the same order, each in its own transaction:
 *                       INCREMENTAL_BY_TIME_RANGE: DELETE the day on the time column, INSERT the query for the day
 *                       INCREMENTAL_BY_UNIQUE_KEY: the query for the day into a temp table, DELETE the keys it holds, INSERT it
 *                       FULL: CREATE OR REPLACE TABLE; VIEW: nothing (it reads its parents live)
 *
 * That is the least any runner has to do for these models, so `ours / floor` is the runner's own
 * overhead: versioned physical tables, environment views, interval bookkeeping, parsing and planning.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';

export type DirectKind = 'VIEW' | 'FULL' | 'INCREMENTAL_BY_TIME_RANGE' | 'INCREMENTAL_BY_UNIQUE_KEY' | 'SEED' | 'EXTERNAL';

export interface DirectModel {
  /** `schema.table`, lower case. */
  name: string;
  kind: DirectKind;
  timeColumn?: string;
  uniqueKey?: string[];
  /** The query after the header, macros not yet replaced. */
  query: string;
  /** Relative path of the file. */
  file: string;
  /** Other models of the project the query names. */
  parents: string[];
}

/** Every `.sql` file under `root` (sorted), recursively. */
function sqlFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const p = join(dir, entry);
      if (statSync(p).isDirectory()) walk(p);
      else if (entry.endsWith('.sql')) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Index just past the `)` that closes the `(` at `open`, skipping quoted strings and comments. */
function closeParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const q = c;
      for (i++; i < text.length; i++) {
        if (text[i] === q) {
          if (text[i + 1] === q) i++;
          else break;
        }
      }
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  throw new Error('unbalanced parentheses in MODEL header');
}

/** Splits a model file into its header (the text inside `MODEL ( ... )`) and its query. */
export function splitModelFile(text: string, file: string): { header: string; query: string } {
  const m = /^\s*(?:--[^\n]*\n\s*)*MODEL\s*\(/i.exec(text);
  if (!m) throw new Error(`${file}: no MODEL (...) header`);
  const open = m.index + m[0].length - 1;
  const close = closeParen(text, open);
  const rest = text.slice(close).replace(/^\s*;/, '');
  return { header: text.slice(open + 1, close - 1), query: rest.trim().replace(/;\s*$/, '') };
}

function parseModel(text: string, file: string): Omit<DirectModel, 'parents'> {
  const { header, query } = splitModelFile(text, file);
  const name = /\bname\s+([A-Za-z_][\w]*\.[A-Za-z_][\w]*)/i.exec(header)?.[1]?.toLowerCase();
  if (!name) throw new Error(`${file}: MODEL header has no name`);
  const kind = (/\bkind\s+([A-Z_]+)/i.exec(header)?.[1]?.toUpperCase() ?? 'VIEW') as DirectKind;
  const model: Omit<DirectModel, 'parents'> = { name, kind, query, file };
  if (kind === 'INCREMENTAL_BY_TIME_RANGE') {
    const tc = /\btime_column\s*\(?\s*([A-Za-z_]\w*)/i.exec(header)?.[1];
    if (!tc) throw new Error(`${file}: INCREMENTAL_BY_TIME_RANGE without time_column`);
    model.timeColumn = tc.toLowerCase();
  }
  if (kind === 'INCREMENTAL_BY_UNIQUE_KEY') {
    const uk = /\bunique_key\s+(\[[^\]]*\]|\([^)]*\)|[A-Za-z_]\w*)/i.exec(header)?.[1];
    if (!uk) throw new Error(`${file}: INCREMENTAL_BY_UNIQUE_KEY without unique_key`);
    model.uniqueKey = uk.replace(/[[\]()]/g, '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  }
  return model;
}

/** The models of a project directory, in an order where every model comes after its parents. */
export function loadDirectModels(root: string): DirectModel[] {
  const parsed = sqlFiles(root).map((p) => parseModel(readFileSync(p, 'utf8'), relative(root, p)));
  const byName = new Map(parsed.map((m) => [m.name, m]));
  if (byName.size !== parsed.length) throw new Error(`${root}: two files define the same model`);
  const models = parsed.map((m): DirectModel => {
    const parents: string[] = [];
    const text = stripComments(m.query).toLowerCase();
    for (const other of byName.keys()) {
      if (other === m.name) continue;
      const re = new RegExp(`(?<![\\w."])${other.replace('.', '\\.')}(?![\\w"])`);
      if (re.test(text)) parents.push(other);
    }
    return { ...m, parents: parents.sort() };
  });
  return topoSort(models);
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

function topoSort(models: DirectModel[]): DirectModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: DirectModel[] = [];
  const visit = (m: DirectModel) => {
    if (done.has(m.name)) return;
    if (visiting.has(m.name)) throw new Error(`cycle through ${m.name}`);
    visiting.add(m.name);
    for (const p of m.parents) visit(byName.get(p)!);
    visiting.delete(m.name);
    done.add(m.name);
    out.push(m);
  };
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) visit(m);
  return out;
}

/** YYYY-MM-DD of a Date (UTC). */
export const ymd = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The query with SQLMesh's date macros as literals for the inclusive day range [start, end], as
 * SQLMesh (and the runner's files/macros.ts) render them: @start_ds / @end_ds -> '2026-10-22' (strings),
 * @start_date / @end_date -> CAST('2026-10-22' AS DATE), @start_ts -> '2026-10-22 00:00:00',
 * @end_ts -> '2026-11-20 23:59:59.999999' (the inclusive end).
 */
export function renderMacros(query: string, start: string, end: string): string {
  return query
    .replace(/@start_ds\b/gi, `'${start}'`)
    .replace(/@end_ds\b/gi, `'${end}'`)
    .replace(/@start_date\b/gi, `CAST('${start}' AS DATE)`)
    .replace(/@end_date\b/gi, `CAST('${end}' AS DATE)`)
    .replace(/@start_ts\b/gi, `'${start} 00:00:00'`)
    .replace(/@end_ts\b/gi, `'${end} 23:59:59.999999'`);
}

const q = (name: string) => name.split('.').map((p) => `"${p}"`).join('.');

export type DirectTiming = { ms: number; per_model_ms: Record<string, number> };

/** The full build: every non-external model created from scratch over the inclusive range [start, end]. */
export async function directFull(con: DuckDBConnection, models: DirectModel[], start: string, end: string): Promise<DirectTiming> {
  const t0 = performance.now();
  const per: Record<string, number> = {};
  const schemas = new Set(models.filter((m) => m.kind !== 'EXTERNAL').map((m) => m.name.split('.')[0]!));
  for (const s of schemas) await con.run(`CREATE SCHEMA IF NOT EXISTS "${s}"`);
  for (const m of models) {
    if (m.kind === 'EXTERNAL') continue;
    if (m.kind === 'SEED') throw new Error(`${m.file}: SEED models are not part of W2`);
    const t = performance.now();
    const sql = renderMacros(m.query, start, end);
    await con.run(m.kind === 'VIEW' ? `CREATE VIEW ${q(m.name)} AS ${sql}` : `CREATE TABLE ${q(m.name)} AS ${sql}`);
    per[m.name] = Math.round(performance.now() - t);
  }
  return { ms: performance.now() - t0, per_model_ms: per };
}

/** One more day: every model brought up to date for the day `day`, after the tables of directFull exist. */
export async function directDay(con: DuckDBConnection, models: DirectModel[], day: string): Promise<DirectTiming> {
  const t0 = performance.now();
  const per: Record<string, number> = {};
  for (const m of models) {
    if (m.kind === 'EXTERNAL' || m.kind === 'VIEW') continue;
    const t = performance.now();
    const sql = renderMacros(m.query, day, day);
    const target = q(m.name);
    await con.run('BEGIN TRANSACTION');
    try {
      if (m.kind === 'FULL') {
        await con.run(`CREATE OR REPLACE TABLE ${target} AS ${sql}`);
      } else if (m.kind === 'INCREMENTAL_BY_TIME_RANGE') {
        await con.run(`DELETE FROM ${target} WHERE "${m.timeColumn}" BETWEEN DATE '${day}' AND DATE '${day}'`);
        await con.run(`INSERT INTO ${target} BY NAME SELECT * FROM (${sql})`);
      } else if (m.kind === 'INCREMENTAL_BY_UNIQUE_KEY') {
        const keys = m.uniqueKey!.map((k) => `"${k}"`).join(', ');
        await con.run(`CREATE TEMP TABLE w2_batch AS ${sql}`);
        await con.run(`DELETE FROM ${target} WHERE (${keys}) IN (SELECT (${keys}) FROM w2_batch)`);
        await con.run(`INSERT INTO ${target} BY NAME SELECT * FROM w2_batch`);
        await con.run('DROP TABLE w2_batch');
      }
      await con.run('COMMIT');
    } catch (err) {
      await con.run('ROLLBACK');
      throw new Error(`direct day ${day}: ${m.file}: ${(err as Error).message}`);
    }
    per[m.name] = Math.round(performance.now() - t);
  }
  return { ms: performance.now() - t0, per_model_ms: per };
}
