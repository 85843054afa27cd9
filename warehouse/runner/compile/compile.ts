/**
 * Compiling a project: each query is parsed by DuckDB itself (`json_serialize_sql`), never by
 * regexes, and its parse tree gives the model's parents (every table it reads, with CTE scopes
 * respected), the exact text spans of those references (for the engine to rewrite), the
 * normalized tree (formatting and comments gone) and from it the data and metadata hashes.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { analyzeQuery, isObject, normalize, type Json, type JsonObject, UNKNOWN_STAR } from './columns';
import { compileMacros, findMacroCalls, nameMacroVersion, type MacroCatalog, type ParseSql } from './sql-macros';
import { findMacros, THIS_MODEL, substitutePlaceholders } from '../files/macros';
import { seedPath } from '../files/project';
import { byteToCharOffsets, dottedNameSpan, lineAt, statements } from '../files/sql-text';
import { physicalMacroName, physicalMacroRelation } from '../names';
import { stripStatementEnd } from '../checks/sql-values';
import { type AuditDef, type CompiledModel, ModelError, type ModelDef, type Project, type TableRef } from '../types';

/** A query's first keyword that can begin a SELECT (DuckDB's FROM-first and VALUES included). */
const SELECT_STARTS = new Set(['select', 'with', 'from', 'values', '(', 'table']);

/** json_serialize_sql's `query_location` when a node has none (uint64 max). */
const NO_LOCATION = 2 ** 53;

/** One parsed query: the statement node with locations, and the placeholder text it was parsed from. */
interface Parsed {
  def: ModelDef;
  node: JsonObject;
  refs: TableRef[];
  parents: string[];
  /** `macros.name(` calls (offsets into the query) and the macros they name. */
  macroRefs: TableRef[];
}

const hash = (...parts: string[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 12);
};

/** Where an offset of a model's query is in its file. */
const queryWhere = (def: ModelDef, offset: number) => ({ file: def.where.file, line: lineAt(def.query, offset, def.queryLine) });

type Serializer = Awaited<ReturnType<DuckDBConnection['prepare']>>;

/** The parse tree of one SQL text, or DuckDB's error (`position` in bytes, when it has one). */
async function serialize(statement: Serializer, sql: string): Promise<JsonObject> {
  statement.bindVarchar(1, sql);
  const reader = await statement.runAndReadAll();
  const value = reader.getRows()[0]?.[0];
  const tree: Json = JSON.parse(String(value));
  if (!isObject(tree)) throw new Error(`json_serialize_sql returned ${String(value)}`);
  return tree;
}

/** json_serialize_sql as a ParseSql (sql-macros.ts): the one statement's node, or the error at a character offset. */
function parserOf(statement: Serializer): ParseSql {
  return async (sql) => {
    const tree = await serialize(statement, sql);
    if (tree['error']) {
      const position = Number(tree['position']);
      const message = String(tree['error_message'] ?? 'unknown error');
      return { error: tree['error_type'] === 'parser' ? message : `${String(tree['error_type'])} error: ${message}`, position: Number.isFinite(position) ? byteToCharOffsets(sql)(position) : null };
    }
    const list = Array.isArray(tree['statements']) ? tree['statements'] : [];
    const node = list.length === 1 && isObject(list[0]) && isObject(list[0]['node']) ? list[0]['node'] : null;
    return node ? { node } : { error: 'expected one expression (or, AS TABLE, one query)', position: null };
  };
}

/** Parses a model's query and resolves its table references; every problem is a ModelError at its line. */
async function parseModelQuery(def: ModelDef, project: Project, serializer: Serializer, macros: MacroCatalog): Promise<Parsed> {
  const src = { file: def.where.file, queryLine: def.queryLine };
  const ph = substitutePlaceholders(def.query, src, [THIS_MODEL]);
  const stmts = statements(ph.text);
  const first = stmts[0];
  if (!first) throw new ModelError(`model ${def.name} has no query`, def.where, def.name);
  const firstAt = queryWhere(def, ph.toOriginal(first.start));
  if (!SELECT_STARTS.has(first.keyword)) {
    throw new ModelError(`a model's query is one SELECT (or WITH ... SELECT, a set operation); found ${first.keyword.toUpperCase()}`, firstAt, def.name);
  }
  if (stmts[1]) {
    throw new ModelError('a model holds exactly one query; a second statement starts here', queryWhere(def, ph.toOriginal(stmts[1].start)), def.name);
  }
  const tree = await serialize(serializer, ph.text);
  const toChar = byteToCharOffsets(ph.text);
  if (tree['error']) {
    const message = String(tree['error_message'] ?? 'unknown error');
    if (/Only SELECT statements/i.test(message)) {
      throw new ModelError(`a model's query is one SELECT (or WITH ... SELECT, a set operation); ${first.keyword.toUpperCase()} ... is not`, firstAt, def.name);
    }
    const position = Number(tree['position']);
    const where = Number.isFinite(position) ? queryWhere(def, ph.toOriginal(toChar(position))) : firstAt;
    throw new ModelError(tree['error_type'] === 'parser' ? message : `${String(tree['error_type'])} error: ${message}`, where, def.name);
  }
  const statementsJson = Array.isArray(tree['statements']) ? tree['statements'] : [];
  const node = isObject(statementsJson[0]) && isObject(statementsJson[0]['node']) ? statementsJson[0]['node'] : null;
  if (!node || statementsJson.length !== 1) throw new ModelError('a model holds exactly one query', firstAt, def.name);

  const refs: TableRef[] = [];
  walkTables(node, new Set(), (table, scope) => {
    const schema = String(table['schema_name'] ?? '').toLowerCase();
    const name = String(table['table_name'] ?? '').toLowerCase();
    const catalog = String(table['catalog_name'] ?? '');
    const location = Number(table['query_location']);
    if (!(location < NO_LOCATION)) throw new Error(`${def.where.file}: table ${schema}.${name} has no location in the parse tree`);
    const start = toChar(location);
    const where = queryWhere(def, ph.toOriginal(start));
    if (!schema && scope.has(name)) return; // a CTE
    if (!schema && name === `@${THIS_MODEL}`) return; // the model's own table, rendered by the engine
    if (catalog) throw new ModelError(`table ${catalog}.${schema}.${name}: catalog-qualified names are not supported, use schema.table`, where, def.name);
    if (!schema) throw new ModelError(`table ${name} is not schema-qualified: write schema.table (a model or an EXTERNAL model), or define a CTE ${name}`, where, def.name);
    const model = `${schema}.${name}`;
    if (!project.models.has(model)) throw new ModelError(`unknown table ${model}: not a model of the project (declare tables the runner does not build as kind EXTERNAL)`, where, def.name);
    const span = dottedNameSpan(ph.text, start, 2);
    if (!span || span.names.join('.').toLowerCase() !== model) throw new Error(`${where.file}:${where.line}: cannot find the text of ${model} at offset ${start}`);
    refs.push({ name: model, start: ph.toOriginal(start), end: ph.toOriginal(span.end) });
    table['schema_name'] = schema;
    table['table_name'] = name;
  });
  refs.sort((a, b) => a.start - b.start);
  // A user macro call names the macro's version in the tree (so the data hash, and the change
  // category, follow the macro's text) and is rewritten to it when rendered.
  const macroRefs: TableRef[] = [];
  for (const call of findMacroCalls(node, ph.text)) {
    const m = macros.get(call.name);
    if (!m) throw new ModelError(`unknown macro macros.${call.name}: no CREATE MACRO ${call.name} in macros/*.sql`, queryWhere(def, ph.toOriginal(call.start)), def.name);
    nameMacroVersion(call, physicalMacroName(m.name, m.version));
    macroRefs.push({ name: call.name, start: ph.toOriginal(call.start), end: ph.toOriginal(call.end) });
  }
  return { def, node, refs, parents: [...new Set(refs.map((r) => r.name))].sort(), macroRefs };
}

/**
 * A custom audit's calls to user SQL macros, expanded as a model's are: parsed by DuckDB (its
 * `@arguments` held as identifiers), each `macros.name(` call rewritten to the macro's version and
 * the versions it needs kept with the audit (AuditDef.macroQuery, .macros). An audit that calls
 * none is left as it is; an unknown macro is a ModelError at the audit's line.
 */
async function compileAuditMacros(def: AuditDef, serializer: Serializer, macros: MacroCatalog): Promise<AuditDef> {
  if (!/\bmacros\s*\./i.test(def.query)) return def;
  const src = { file: def.where.file, queryLine: def.queryLine };
  const ph = substitutePlaceholders(def.query, src, [...new Set(findMacros(def.query, src).map((m) => m.name))]);
  const where = (offset: number) => ({ file: def.where.file, line: lineAt(def.query, ph.toOriginal(offset), def.queryLine) });
  const parsed = await parserOf(serializer)(stripStatementEnd(ph.text));
  if ('error' in parsed) throw new ModelError(`audit ${def.name}: ${parsed.error}`, parsed.position === null ? def.where : where(parsed.position));
  const calls = findMacroCalls(parsed.node, ph.text);
  if (calls.length === 0) return def;
  let macroQuery = '';
  let pos = 0;
  for (const call of calls) {
    const m = macros.get(call.name);
    if (!m) throw new ModelError(`unknown macro macros.${call.name}: no CREATE MACRO ${call.name} in macros/*.sql`, where(call.start));
    const start = ph.toOriginal(call.start);
    macroQuery += def.query.slice(pos, start) + physicalMacroRelation(m.name, m.version);
    pos = ph.toOriginal(call.end);
  }
  macroQuery += def.query.slice(pos);
  return { ...def, macroQuery, macros: macros.closure(calls.map((c) => c.name)) };
}

/**
 * Calls `visit` for every BASE_TABLE of the tree with the CTE names in scope there. A WITH's names
 * are visible in its query and in the CTEs after each one; a recursive CTE also sees itself.
 */
export function walkTables(node: Json, scope: Set<string>, visit: (table: JsonObject, scope: Set<string>) => void): void {
  if (Array.isArray(node)) { for (const n of node) walkTables(n, scope, visit); return; }
  if (!isObject(node)) return;
  if (node['type'] === 'BASE_TABLE') { visit(node, scope); return; }
  let inner = scope;
  if (node['type'] === 'RECURSIVE_CTE_NODE' && typeof node['cte_name'] === 'string') inner = new Set([...inner, node['cte_name'].toLowerCase()]);
  const map = isObject(node['cte_map']) && Array.isArray(node['cte_map']['map']) ? node['cte_map']['map'] : [];
  for (const entry of map) {
    if (!isObject(entry)) continue;
    walkTables(entry['value'] ?? null, inner, visit);
    inner = new Set([...inner, String(entry['key']).toLowerCase()]);
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'cte_map') walkTables(value, inner, visit);
}

export { normalize };

/** Every file of a cycle of `parents`, as a ModelError at the first model's reference to the next; none: returns. */
function checkCycles(parsed: Map<string, Parsed>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      const files = cycle.map((m) => `${parsed.get(m)!.def.where.file} (${m})`).join(' -> ');
      const first = parsed.get(cycle[0]!)!;
      const ref = first.refs.find((r) => r.name === cycle[1]);
      throw new ModelError(`cycle: ${files}`, ref ? queryWhere(first.def, ref.start) : first.def.where, first.def.name);
    }
    state.set(name, 'visiting');
    stack.push(name);
    for (const p of parsed.get(name)?.parents ?? []) if (parsed.has(p)) visit(p);
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of [...parsed.keys()].sort()) visit(name);
}

/** Parents before children, by name among the ready ones (compile needs parents' columns first). */
function order(models: Map<string, { parents: string[] }>): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  const pending = [...models.keys()].sort();
  while (pending.length > 0) {
    const i = pending.findIndex((m) => models.get(m)!.parents.every((p) => done.has(p) || !models.has(p)));
    if (i < 0) throw new Error(`cycle among ${pending.join(', ')}`); // checkCycles reports it first
    const [m] = pending.splice(i, 1);
    out.push(m!);
    done.add(m!);
  }
  return out;
}

/** The header of a seed CSV: its column names. */
function csvHeader(csv: string): string[] {
  const line = csv.split(/\r?\n/, 1)[0] ?? '';
  return line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').toLowerCase()).filter((c) => c !== '');
}

/**
 * What shapes a model's rows, besides its query: changing any of it changes the data hash. Declared
 * column types shape a SEED (its CSV is read with them); elsewhere they document: an EXTERNAL's
 * declaration changing (a column added to raw.events) must not rebuild every model downstream.
 * `stamp` is SQLMesh's way to ask for a new version with nothing else changed.
 */
function kindData(def: ModelDef): Json {
  const k = def.kind;
  return {
    kind: k.name,
    stamp: def.extra['stamp'] === undefined ? null : String(def.extra['stamp']),
    timeColumn: k.name === 'INCREMENTAL_BY_TIME_RANGE' ? k.timeColumn : null,
    timeColumnFormat: k.name === 'INCREMENTAL_BY_TIME_RANGE' ? String(def.extra['kind.time_column_format'] ?? '') : null,
    uniqueKey: k.name === 'INCREMENTAL_BY_UNIQUE_KEY' ? k.uniqueKey : null,
    columns: k.name !== 'SEED' ? [] : Object.entries(def.columns).sort(([a], [b]) => a.localeCompare(b)).map(([c, t]) => `${c} ${t.toUpperCase().replace(/\s+/g, ' ')}`),
  };
}

/** Everything else of the header: changing it alone keeps the table. */
function metadata(def: ModelDef): Json {
  const k = def.kind;
  return {
    description: def.description ?? null, owner: def.owner ?? null, cron: def.cron, start: def.start ?? null, tags: def.tags, grain: def.grain,
    audits: JSON.stringify(def.audits), columnDescriptions: JSON.stringify(def.columnDescriptions), allowPartials: def.allowPartials,
    intervalUnit: def.intervalUnit ?? null,
    batchSize: k.name === 'INCREMENTAL_BY_TIME_RANGE' ? (k.batchSize ?? null) : null,
    lookback: k.name === 'INCREMENTAL_BY_TIME_RANGE' ? k.lookback : null,
    forwardOnly: k.name === 'INCREMENTAL_BY_TIME_RANGE' || k.name === 'INCREMENTAL_BY_UNIQUE_KEY' ? k.forwardOnly : null,
    extra: JSON.stringify(Object.entries(def.extra).sort(([a], [b]) => a.localeCompare(b))),
  };
}

/**
 * Compiles every model of the project. `con` is any DuckDB connection (only the parser is used; no
 * table is read). Throws the first ModelError: unknown or unqualified table, parse error, a query
 * that is not one SELECT, an unknown macro, a cycle.
 */
export async function compileProject(project: Project, con: DuckDBConnection): Promise<Map<string, CompiledModel>> {
  const parsed = new Map<string, Parsed>();
  const leaves = new Map<string, ModelDef>();
  // One prepared statement for every query: only DuckDB's parser runs, no table is read.
  const serializer = await con.prepare('select json_serialize_sql($1::varchar)');
  const macros = await compileMacros(project, parserOf(serializer)).catch((err: unknown) => {
    serializer.destroySync();
    throw err;
  });
  try {
    for (const name of [...project.models.keys()].sort()) {
      const def = project.models.get(name)!;
      if (def.kind.name === 'SEED' || def.kind.name === 'EXTERNAL') leaves.set(name, def);
      else parsed.set(name, await parseModelQuery(def, project, serializer, macros));
    }
    // Audits are kept with the snapshots of the models that name them (plan.ts): expanded here, once.
    for (const [name, def] of [...project.audits]) project.audits.set(name, await compileAuditMacros(def, serializer, macros));
  } finally {
    serializer.destroySync();
  }
  checkCycles(parsed);

  const compiled = new Map<string, CompiledModel>();
  for (const [name, def] of leaves) {
    let columns = Object.keys(def.columns);
    let content = '';
    const csv = seedPath(project, def);
    if (csv) {
      content = await readFile(csv, 'utf8');
      if (columns.length === 0) columns = csvHeader(content);
    }
    compiled.set(name, {
      def, parents: [], refs: [], normalized: '', outputColumns: columns,
      dataHash: hash(JSON.stringify(kindData(def)), createHash('sha256').update(content).digest('hex')),
      metadataHash: hash(JSON.stringify(metadata(def))),
    });
  }
  const known = (model: string): string[] | null => {
    const c = compiled.get(model);
    if (!c || c.outputColumns.length === 0 || c.outputColumns.includes(UNKNOWN_STAR)) return null;
    return c.outputColumns;
  };
  for (const name of order(parsed)) {
    const p = parsed.get(name)!;
    const normalized = normalize(p.node);
    const declared = Object.keys(p.def.columns);
    const tree: Json = JSON.parse(normalized);
    const derived = isObject(tree) ? analyzeQuery(tree, known).map((c) => c.name) : [];
    compiled.set(name, {
      def: p.def, parents: p.parents, refs: p.refs, normalized,
      ...(p.macroRefs.length > 0 ? { macroRefs: p.macroRefs, macros: macros.closure(p.macroRefs.map((r) => r.name)) } : {}),
      // Declared columns win over the derived names when the query's own are not all known.
      outputColumns: derived.includes(UNKNOWN_STAR) && declared.length > 0 ? declared : derived,
      dataHash: hash(normalized, JSON.stringify(kindData(p.def))),
      metadataHash: hash(JSON.stringify(metadata(p.def))),
    });
  }
  return new Map([...compiled].sort(([a], [b]) => a.localeCompare(b)));
}
