/**
 * Compiling user SQL macros (files/sql-macros.ts reads them). Each body is parsed by DuckDB
 * (json_serialize_sql, like model queries) to find the macros it calls (`macros.name(`) and to
 * version it: a macro's version hashes its parameters and its normalized body, in which every
 * call to another macro already names that macro's version, so editing a macro re-versions the
 * macros that call it and, through compile.ts, exactly the models that use any of them.
 *
 * In the warehouse a macro version is `wh_physical.macro__<name>__<version>`, created before the
 * first model that uses it is built and never replaced (same name, same text): views that call it
 * keep working for every process that opens the file, and a dev plan's edit cannot change what
 * prod's views compute. Every macro is also created once, as written, in a scratch in-memory
 * database at compile time, so a mistake DuckDB's binder finds (an unknown function) is reported
 * with its file before any plan.
 */
import { createHash } from 'node:crypto';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { isObject, normalize, type Json, type JsonObject } from './columns';
import { byteToCharOffsets, dottedNameSpan, lineAt } from '../files/sql-text';
import { MACRO_SCHEMA, PHYSICAL_SCHEMA, physicalMacroName, physicalMacroRelation, quoteIdent } from '../names';
import { type CompiledMacro, ModelError, type Project, type SqlMacroDef } from '../types';

/** A parser: the statement node of one SQL text, or a ModelError (`position` in characters of `sql`). */
export type ParseSql = (sql: string) => Promise<{ node: JsonObject } | { error: string; position: number | null }>;

/** A `macros.name(...)` call found in a parse tree: the FUNCTION node and where its name starts (characters). */
/**
 * One call to a user macro as written: its name, its text span, and every node of the parse tree
 * that stands for it (usually one; DuckDB copies a simple CASE's operand into each WHEN, so
 * `CASE macros.f(x) WHEN 1 ... WHEN 2 ...` has one call in the text and a node per WHEN).
 */
export interface MacroCall { name: string; nodes: JsonObject[]; start: number; end: number }

/** Every call to a user macro in a parse tree (scalar calls and table functions alike), in text order, one per call written. */
export function findMacroCalls(tree: Json, text: string): MacroCall[] {
  const toChar = byteToCharOffsets(text);
  const byStart = new Map<number, MacroCall>();
  const visit = (v: Json): void => {
    if (Array.isArray(v)) { for (const x of v) visit(x); return; }
    if (!isObject(v)) return;
    if (v['class'] === 'FUNCTION' && String(v['schema'] ?? '').toLowerCase() === MACRO_SCHEMA && !v['catalog']) {
      const start = toChar(Number(v['query_location']));
      const seen = byStart.get(start);
      if (seen) seen.nodes.push(v);
      else {
        const span = dottedNameSpan(text, start, 2);
        if (!span) throw new Error(`cannot find the text of macros.${String(v['function_name'])} at offset ${start}`);
        byStart.set(start, { name: String(v['function_name']).toLowerCase(), nodes: [v], start, end: span.end });
      }
    }
    for (const x of Object.values(v)) visit(x);
  };
  visit(tree);
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/** Renames every node of `call` to the macro version it is rewritten to (so the tree, and the hashes over it, name the version). */
export function nameMacroVersion(call: MacroCall, physicalName: string): void {
  for (const node of call.nodes) {
    node['schema'] = PHYSICAL_SCHEMA;
    node['function_name'] = physicalName;
  }
}

/** What compile.ts needs of the project's macros: each compiled, and the ones each calls. */
export interface MacroCatalog {
  get(name: string): (CompiledMacro & { calls: string[] }) | undefined;
  /** `names` and every macro they call, callees first (the order their CREATEs must run in). */
  closure(names: Iterable<string>): CompiledMacro[];
}

const hash = (...parts: string[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('hex').slice(0, 12);
};

/** The statement creating the macro as its file writes it, in schema `macros` (unit tests, compile's check). */
export function writtenMacroSql(def: SqlMacroDef): string {
  return `CREATE MACRO ${quoteIdent(MACRO_SCHEMA)}.${quoteIdent(def.name)}(${def.params}) AS ${def.table ? 'TABLE ' : ''}${def.body}\n`;
}

/**
 * Creates the macros as written in schema `macros` of `con`. DuckDB binds a macro's body when it is
 * created, so a macro must follow those it calls: the ones that fail are retried while others
 * succeed. Throws a ModelError naming the file of the first one that cannot be created.
 */
export async function createWrittenMacros(con: DuckDBConnection, defs: Iterable<SqlMacroDef>): Promise<void> {
  let pending = [...defs];
  if (pending.length === 0) return;
  await con.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(MACRO_SCHEMA)}`);
  while (pending.length > 0) {
    const failed: { def: SqlMacroDef; err: Error }[] = [];
    for (const def of pending) {
      try {
        await con.run(writtenMacroSql(def));
      } catch (err) {
        failed.push({ def, err: err as Error });
      }
    }
    if (failed.length === pending.length) {
      const { def, err } = failed[0]!;
      throw new ModelError(`macro ${def.name} cannot be created: ${err.message.split('\n')[0]}`, def.where);
    }
    pending = failed.map((f) => f.def);
  }
}

/** Parses, checks and versions every macro of the project. */
export async function compileMacros(project: Pick<Project, 'macros'>, parse: ParseSql): Promise<MacroCatalog> {
  const parsed = new Map<string, { def: SqlMacroDef; text: string; node: JsonObject; calls: MacroCall[]; prefix: number }>();
  for (const def of [...project.macros.values()].sort((a, b) => a.name.localeCompare(b.name))) {
    // A scalar body is an expression: parsed as the select list of a query.
    const prefix = def.table ? 0 : 'SELECT '.length;
    const text = `${def.table ? '' : 'SELECT '}${def.body}`;
    const at = (offset: number) => ({ file: def.where.file, line: lineAt(def.body, Math.max(0, offset - prefix), def.bodyLine) });
    const result = await parse(text);
    if ('error' in result) throw new ModelError(`macro ${def.name}: ${result.error}`, result.position === null ? def.where : at(result.position));
    const calls = findMacroCalls(result.node, text);
    for (const c of calls) {
      if (!project.macros.has(c.name)) throw new ModelError(`unknown macro ${MACRO_SCHEMA}.${c.name}: no CREATE MACRO ${c.name} in macros/*.sql`, at(c.start));
    }
    parsed.set(def.name, { def, text, node: result.node, calls, prefix });
  }

  const compiled = new Map<string, CompiledMacro & { calls: string[] }>();
  const visiting = new Set<string>();
  const compile = (name: string, from: string[]): void => {
    if (compiled.has(name)) return;
    const p = parsed.get(name)!;
    if (visiting.has(name)) throw new ModelError(`macro cycle: ${[...from, name].join(' -> ')}`, p.def.where);
    visiting.add(name);
    for (const c of p.calls) compile(c.name, [...from, name]);
    visiting.delete(name);
    // Calls renamed to the callee's version: the body's tree then says which versions it calls.
    let body = '';
    let pos = p.prefix;
    for (const c of p.calls) {
      const callee = compiled.get(c.name)!;
      nameMacroVersion(c, physicalMacroName(callee.name, callee.version));
      body += p.text.slice(pos, c.start) + physicalMacroRelation(callee.name, callee.version);
      pos = c.end;
    }
    body += p.text.slice(pos);
    const version = hash(name, p.def.table ? 'table' : 'scalar', p.def.params.replace(/\s+/g, ' '), normalize(p.node));
    compiled.set(name, {
      name, version, calls: [...new Set(p.calls.map((c) => c.name))],
      create: `CREATE MACRO IF NOT EXISTS ${physicalMacroRelation(name, version)}(${p.def.params}) AS ${p.def.table ? 'TABLE ' : ''}${body}\n`,
    });
  };
  for (const name of parsed.keys()) compile(name, []);

  if (parsed.size > 0) {
    // What DuckDB's binder says (an unknown function, a wrong parameter), before any plan.
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      await createWrittenMacros(con, project.macros.values());
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  }

  return {
    get: (name) => compiled.get(name),
    closure(names) {
      const out: CompiledMacro[] = [];
      const seen = new Set<string>();
      const add = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        const m = compiled.get(name)!;
        for (const c of m.calls) add(c);
        out.push({ name: m.name, version: m.version, create: m.create });
      };
      for (const n of [...names].sort()) add(n);
      return out;
    },
  };
}

