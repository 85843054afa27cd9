/**
 * Loading a model tree: every `.sql` file is a model (except under `audits/`, custom audits,
 * `macros/`, user SQL macros, and `tests/`, YAML unit tests), plus an optional `config.yaml`. Only files are read here; queries are
 * parsed by compile.ts. Every problem is a ModelError naming the file (and line).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { parseAudits, parseModel } from './header';
import { parseMacroFile } from './sql-macros';
import { statements } from './sql-text';
import { MACRO_SCHEMA, PHYSICAL_SCHEMA } from '../names';
import { type AuditDef, ModelError, type ModelDef, type Project, type ProjectConfig, type SqlMacroDef, type UnitTestDef } from '../types';

export const DEFAULT_CONFIG: ProjectConfig = { start: '2026-01-01', cron: '@daily', janitorTtlHours: 168 };

/** Bounds on a model tree (a runaway symlink loop or a wrong --project must not walk the disk). */
const MAX_FILES = 10_000;
const MAX_DEPTH = 16;

/** Relative paths (with `/`) of the files under `root`, sorted, skipping hidden folders and node_modules. */
async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new ModelError(`${relative(root, dir)}: folders nested deeper than ${MAX_DEPTH}`);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await visit(path, depth + 1);
      else if (entry.isFile()) {
        out.push(relative(root, path).split(sep).join('/'));
        if (out.length > MAX_FILES) throw new ModelError(`more than ${MAX_FILES} files under ${root}: is this the model tree?`);
      }
    }
  };
  await visit(root, 0);
  return out.sort();
}

export async function loadProject(root: string): Promise<Project> {
  if (!existsSync(root)) throw new ModelError(`no model tree at ${root}`);
  const files = await walk(root);
  const config = files.includes('config.yaml') ? parseConfig(await readFile(join(root, 'config.yaml'), 'utf8')) : DEFAULT_CONFIG;
  const models = new Map<string, ModelDef>();
  const audits = new Map<string, AuditDef>();
  const tests: UnitTestDef[] = [];
  const macros = new Map<string, SqlMacroDef>();
  for (const file of files) {
    const top = file.split('/')[0];
    const text = () => readFile(join(root, file), 'utf8');
    if (top === 'audits' && file.endsWith('.sql')) {
      for (const a of parseAudits(await text(), file)) {
        const other = audits.get(a.name);
        if (other) throw new ModelError(`audit ${a.name} is also defined in ${other.where.file}:${other.where.line}`, a.where);
        audits.set(a.name, a);
      }
    } else if (top === 'tests' && /\.ya?ml$/.test(file)) {
      tests.push(...parseTests(await text(), file));
    } else if (top === MACRO_SCHEMA && file.endsWith('.sql')) {
      for (const m of parseMacroFile(await text(), file)) {
        const other = macros.get(m.name);
        if (other) throw new ModelError(`macro ${m.name} is also defined in ${other.where.file}:${other.where.line}`, m.where);
        macros.set(m.name, m);
      }
    } else if (top !== 'audits' && top !== 'tests' && top !== MACRO_SCHEMA && file.endsWith('.sql')) {
      const def = parseModel(await text(), file, { cron: config.cron });
      checkModel(def, root);
      if (def.extra['enabled'] === false) continue; // SQLMesh's `enabled false`: the model is not part of the project
      const other = models.get(def.name);
      if (other) throw new ModelError(`model ${def.name} is also defined in ${other.where.file}`, def.where, def.name);
      models.set(def.name, def);
    }
  }
  return { root, config, models, audits, tests, macros };
}

/** What a header alone cannot check: the name against the file, the seed CSV, a query where one belongs. */
function checkModel(def: ModelDef, root: string): void {
  const parts = def.name.split('.');
  if (parts.length === 3) throw new ModelError(`model name ${def.name}: catalog.schema.table names are not supported, use schema.table`, def.where, def.name);
  if (parts.length !== 2 || parts.some((p) => p === '')) throw new ModelError(`model name ${def.name}: expected schema.table`, def.where, def.name);
  const [schema, table] = parts as [string, string];
  // `<schema>__<env>` holds a dev environment's views: a model schema with `__` would be one of them.
  if (schema.includes('__')) throw new ModelError(`model name ${def.name}: a schema name may not contain __ (dev environments' schemas are <schema>__<env>)`, def.where, def.name);
  if (schema === PHYSICAL_SCHEMA || schema === 'meta' || schema === MACRO_SCHEMA) throw new ModelError(`model name ${def.name}: schema ${schema} is the runner's own`, def.where, def.name);
  const fileTable = basename(def.where.file, '.sql').toLowerCase();
  if (fileTable !== table) throw new ModelError(`model ${def.name} must be in a file named ${table}.sql, not ${basename(def.where.file)}`, def.where, def.name);
  const hasQuery = statements(def.query).length > 0;
  if (def.kind.name === 'SEED' || def.kind.name === 'EXTERNAL') {
    if (hasQuery) throw new ModelError(`a ${def.kind.name} model has no query: remove the text after the header`, { file: def.where.file, line: def.queryLine }, def.name);
  } else if (!hasQuery) {
    throw new ModelError(`model ${def.name} has no query after its header`, def.where, def.name);
  }
  if (def.kind.name === 'EXTERNAL' && Object.keys(def.columns).length === 0) {
    throw new ModelError(`EXTERNAL model ${def.name} must declare its columns (columns (name TYPE, ...))`, def.where, def.name);
  }
  if (def.kind.name === 'SEED') {
    const csv = join(root, dirname(def.where.file), def.kind.path);
    if (!existsSync(csv)) throw new ModelError(`seed CSV ${def.kind.path} not found (looked for ${relative(root, csv).split(sep).join('/')})`, def.where, def.name);
  }
}

/** The seed CSV of a SEED model, as a path under the project root. */
export function seedPath(project: Pick<Project, 'root'>, def: ModelDef): string | undefined {
  return def.kind.name === 'SEED' ? join(project.root, dirname(def.where.file), def.kind.path) : undefined;
}

// ---- YAML ----

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function yamlError(message: string, file: string, lines: LineCounter, node?: YamlNode | null): ModelError {
  const line = node?.range ? lines.linePos(node.range[0]).line : 1;
  return new ModelError(message, { file, line });
}

function parseYaml(text: string, file: string): { doc: ReturnType<typeof parseDocument>; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const err = doc.errors[0];
  if (err) throw new ModelError(`invalid YAML: ${err.message.split('\n')[0]}`, { file, line: lines.linePos(err.pos[0]).line });
  return { doc, lines };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `config.yaml`: `model_defaults: { start, cron }`, `janitor: { ttl_hours }`; SQLMesh's other keys are ignored. */
export function parseConfig(text: string, file = 'config.yaml'): ProjectConfig {
  const { doc } = parseYaml(text, file);
  const data: unknown = doc.toJS() ?? {};
  const at = (path: string[]): unknown => path.reduce<unknown>((v, k) => (isRecord(v) ? v[k] : undefined), data);
  const config = { ...DEFAULT_CONFIG };
  const start = at(['model_defaults', 'start']);
  if (start !== undefined) {
    if (typeof start !== 'string' || !DAY.test(start)) throw new ModelError(`model_defaults.start: expected a day 'YYYY-MM-DD', got ${JSON.stringify(start)}`, { file, line: 1 });
    config.start = start;
  }
  const cron = at(['model_defaults', 'cron']);
  if (cron !== undefined) {
    if (typeof cron !== 'string') throw new ModelError(`model_defaults.cron: expected a string, got ${JSON.stringify(cron)}`, { file, line: 1 });
    config.cron = cron;
  }
  const ttl = at(['janitor', 'ttl_hours']);
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !(ttl >= 0)) throw new ModelError(`janitor.ttl_hours: expected a number of hours, got ${JSON.stringify(ttl)}`, { file, line: 1 });
    config.janitorTtlHours = ttl;
  }
  return config;
}

type Rows = Record<string, unknown>[];

/**
 * A unit test file in SQLMesh's shape: `test_name: { model, vars, inputs: { upstream: rows |
 * { rows } | { query } }, outputs: { query: rows | { rows }, ctes: { name: rows | { rows } } } }`.
 */
export function parseTests(text: string, file: string): UnitTestDef[] {
  const { doc, lines } = parseYaml(text, file);
  if (doc.contents === null) return [];
  if (!isMap(doc.contents)) throw yamlError('a test file maps test names to tests', file, lines, doc.contents);
  const data: unknown = doc.toJS();
  if (!isRecord(data)) throw yamlError('a test file maps test names to tests', file, lines, doc.contents);
  return doc.contents.items.map((pair) => {
    const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const where = { file, line: isNode(pair.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : 1 };
    const fail = (message: string) => new ModelError(`test ${name}: ${message}`, where);
    const body = data[name];
    if (!isRecord(body)) throw fail('expected a mapping with model, inputs and outputs');
    if (typeof body['model'] !== 'string') throw fail('needs model: schema.table');
    const rows = (v: unknown, what: string): Rows => {
      const list = isRecord(v) && 'rows' in v ? v['rows'] : v;
      if (!Array.isArray(list) || !list.every(isRecord)) throw fail(`${what}: expected a list of rows (or rows: [...])`);
      return list;
    };
    const inputs: UnitTestDef['inputs'] = {};
    const rawInputs = body['inputs'] ?? {};
    if (!isRecord(rawInputs)) throw fail('inputs: expected a mapping of upstream models');
    for (const [model, v] of Object.entries(rawInputs)) {
      if (isRecord(v) && typeof v['query'] === 'string') inputs[model.toLowerCase()] = { query: v['query'] };
      else inputs[model.toLowerCase()] = { rows: rows(v, `inputs ${model}`) };
    }
    const rawOutputs = body['outputs'];
    if (!isRecord(rawOutputs)) throw fail('needs outputs: { query: rows } and/or { ctes: { name: rows } }');
    const outputs: UnitTestDef['outputs'] = {};
    if (rawOutputs['query'] !== undefined) outputs.query = rows(rawOutputs['query'], 'outputs query');
    if (rawOutputs['ctes'] !== undefined) {
      if (!isRecord(rawOutputs['ctes'])) throw fail('outputs ctes: expected a mapping of CTE names to rows');
      outputs.ctes = Object.fromEntries(Object.entries(rawOutputs['ctes']).map(([cte, v]) => [cte.toLowerCase(), rows(v, `outputs ctes ${cte}`)]));
    }
    if (!outputs.query && !outputs.ctes) throw fail('outputs: expected query and/or ctes');
    const vars: Record<string, string> = {};
    const rawVars = body['vars'] ?? {};
    if (!isRecord(rawVars)) throw fail('vars: expected a mapping');
    for (const [k, v] of Object.entries(rawVars)) vars[k.toLowerCase()] = v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
    return { name, model: body['model'].toLowerCase(), inputs, outputs, vars, where };
  });
}
