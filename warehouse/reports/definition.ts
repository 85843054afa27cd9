/**
 * Reports as data: models/reports/<id>.yaml loaded into typed ReportDefinitions (shape in
 * docs/reports.md "Reports as data"). Everything a YAML file can get wrong is refused here, with
 * the file and line, before a single query runs: an analyst's typo must not become a regulator's
 * PDF with a silently missing column.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Column, ColumnType } from './document';
import { parseCron } from '../runner/engine/cron';
import { ReportInputError } from './errors';

export const REPORT_DIR = 'models/reports';

export const PARAMETER_NAMES = ['jurisdiction', 'brand', 'currency'] as const;
export type ParameterName = (typeof PARAMETER_NAMES)[number];
export const COLUMN_TYPES: readonly ColumnType[] = ['text', 'integer', 'money', 'decimal', 'percent', 'date', 'timestamp', 'boolean'];
const TOTAL_TYPES: readonly ColumnType[] = ['integer', 'money', 'decimal'];
const NUMERIC_TYPES: readonly ColumnType[] = ['integer', 'money', 'decimal', 'percent'];
export const AUDIENCES = ['regulator', 'management', 'compliance'] as const;
export const FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof FORMATS)[number];

export interface ParameterDef { required: boolean; per: boolean }

/** A column as the definition gives it: the document's Column plus where a money column's currency and exponent are. */
export interface ColumnDef extends Column {
  /** Money: the mart column holding the ISO currency of each row. */
  currency?: string;
  /** Money: the mart column holding the minor-unit exponent of each row. */
  exponent?: string;
}

export interface ChartDef { kind: 'bar' | 'line'; title: string; x: string; y: string[]; unit: string }

export interface SectionDef {
  id: string;
  title: string;
  description?: string;
  /** `schema.table` of the mart (prod's view; another environment's schema is derived from it). */
  from: string;
  /** A DATE column: the section keeps rows with period.start <= column < period.end. */
  period_column: string;
  /** mart column -> parameter: `column = <value>` when the parameter is set. */
  filters: Record<string, ParameterName>;
  /** Extra read-only predicate, checked by checkWhere (build.ts) and here. */
  where?: string;
  /** Column names, each optionally followed by ` asc` or ` desc`. */
  order_by: string[];
  columns: ColumnDef[];
  chart?: ChartDef;
  empty_text?: string;
  line: number;
}

export interface ScheduleDef {
  cron: string;
  timezone: string;
  /** Month reports: day of the following month by which it is due. Day reports: due the next day (absent). */
  due_day?: number;
}

export interface ReportDefinition {
  id: string;
  file: string;
  title: string;
  description?: string;
  audience: (typeof AUDIENCES)[number];
  period: 'month' | 'day';
  parameters: Partial<Record<ParameterName, ParameterDef>>;
  formats: ReportFormat[];
  schedule: ScheduleDef;
  sections: SectionDef[];
  footnotes: string[];
}

/** A refused definition: file, line and what is wrong. */
export class ReportDefinitionError extends Error {
  constructor(message: string, readonly file: string, readonly line: number) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ReportDefinitionError';
  }
}

const ID = /^[a-z][a-z0-9_]*$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RELATION = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;
const ORDER = /^([A-Za-z_][A-Za-z0-9_]*)(\s+(asc|desc))?$/i;

/** Reads the YAML of one report; `file` is how errors name it. */
export function parseReport(text: string, file: string): ReportDefinition {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: unknown): number => {
    const range = (node as YamlNode | null | undefined)?.range;
    return range ? lines.linePos(range[0]).line : 1;
  };
  const fail = (message: string, node?: unknown): never => { throw new ReportDefinitionError(message, file, lineOf(node)); };
  const yamlErr = doc.errors[0];
  if (yamlErr) throw new ReportDefinitionError(`invalid YAML: ${yamlErr.message.split('\n')[0]}`, file, lines.linePos(yamlErr.pos[0]).line);
  const root = (doc as Document).contents;
  if (!isMap(root)) return fail('a report is a mapping (title, period, sections, ...)', root);

  /** The map's entries by key, refusing keys outside `allowed` and missing `required` ones. */
  const entries = (map: YAMLMap, what: string, allowed: readonly string[], required: readonly string[]): Map<string, YamlNode> => {
    const out = new Map<string, YamlNode>();
    for (const pair of map.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : fail(`${what}: keys must be plain names`, pair.key);
      if (!allowed.includes(key)) fail(`${what}: unknown key '${key}' (allowed: ${allowed.join(', ')})`, pair.key);
      out.set(key, (pair.value ?? pair.key) as YamlNode);
    }
    for (const r of required) if (!out.has(r)) fail(`${what}: '${r}' is required`, map);
    return out;
  };
  const str = (node: YamlNode | undefined, what: string): string => {
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') return fail(`${what} must be a non-empty string`, node);
    return node.value;
  };
  const optStr = (node: YamlNode | undefined, what: string) => (node === undefined ? undefined : str(node, what));
  const bool = (node: YamlNode | undefined, what: string): boolean => {
    if (node === undefined) return false;
    if (!isScalar(node) || typeof node.value !== 'boolean') return fail(`${what} must be true or false`, node);
    return node.value;
  };
  const oneOf = <T extends string>(node: YamlNode | undefined, what: string, values: readonly T[]): T => {
    const v = str(node, what);
    if (!values.includes(v as T)) fail(`${what} '${v}' is not one of ${values.join(', ')}`, node);
    return v as T;
  };
  const strList = (node: YamlNode | undefined, what: string): { value: string; node: YamlNode }[] => {
    if (!isSeq(node)) return fail(`${what} must be a list`, node);
    return node.items.map((n) => ({ value: str(n as YamlNode, `${what} entry`), node: n as YamlNode }));
  };

  const top = entries(root, 'report', ['title', 'description', 'audience', 'period', 'parameters', 'formats', 'schedule', 'sections', 'footnotes'],
    ['title', 'audience', 'period', 'formats', 'schedule', 'sections']);
  const id = basename(file).replace(/\.ya?ml$/, '');
  if (!ID.test(id)) fail(`report id '${id}' (the file name) must be lower-case letters, digits and _`);
  const period = oneOf(top.get('period'), 'period', ['month', 'day'] as const);

  const parameters: Partial<Record<ParameterName, ParameterDef>> = {};
  const paramsNode = top.get('parameters');
  if (paramsNode !== undefined) {
    if (!isMap(paramsNode)) fail('parameters must be a mapping of jurisdiction, brand, currency', paramsNode);
    for (const pair of (paramsNode as YAMLMap).items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!(PARAMETER_NAMES as readonly string[]).includes(name)) fail(`unknown parameter '${name}' (parameters: ${PARAMETER_NAMES.join(', ')}; the period is always one)`, pair.key);
      const value = pair.value as YamlNode | null;
      if (value === null || (isScalar(value) && value.value === null)) { parameters[name as ParameterName] = { required: false, per: false }; continue; }
      if (!isMap(value)) fail(`parameter ${name} must be a mapping { required, per }`, value);
      const p = entries(value as YAMLMap, `parameter ${name}`, ['required', 'per'], []);
      parameters[name as ParameterName] = { required: bool(p.get('required'), `parameter ${name}: required`), per: bool(p.get('per'), `parameter ${name}: per`) };
    }
  }

  const formats = strList(top.get('formats'), 'formats').map(({ value, node }) => {
    if (!(FORMATS as readonly string[]).includes(value)) fail(`unknown format '${value}' (formats: ${FORMATS.join(', ')})`, node);
    return value as ReportFormat;
  });
  if (formats.length === 0) fail('formats: at least one of pdf, xlsx, csv', top.get('formats'));

  const scheduleNode = top.get('schedule');
  if (!isMap(scheduleNode)) fail('schedule must be a mapping { cron, timezone, due_day }', scheduleNode);
  const s = entries(scheduleNode as YAMLMap, 'schedule', ['cron', 'timezone', 'due_day'], ['cron', 'timezone']);
  const cron = str(s.get('cron'), 'schedule.cron');
  try { parseCron(cron); } catch (err) { fail(`schedule.cron '${cron}': ${(err as Error).message}`, s.get('cron')); }
  const timezone = str(s.get('timezone'), 'schedule.timezone');
  try { new Intl.DateTimeFormat('en', { timeZone: timezone }); } catch { fail(`schedule.timezone '${timezone}' is not an IANA time zone`, s.get('timezone')); }
  let due_day: number | undefined;
  const dueNode = s.get('due_day');
  if (dueNode !== undefined) {
    if (period === 'day') fail('schedule.due_day is for month reports (a day report is due the next day)', dueNode);
    const v = isScalar(dueNode) ? dueNode.value : undefined;
    // 28: every month has that day, so "due on the 30th" never silently means March 2nd
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 28) fail('schedule.due_day must be a whole day 1..28 of the following month', dueNode);
    due_day = v as number;
  } else if (period === 'month') fail('schedule.due_day is required for a month report', scheduleNode);

  const sectionsNode = top.get('sections');
  if (!isSeq(sectionsNode) || sectionsNode.items.length === 0) fail('sections must be a non-empty list', sectionsNode);
  const seen = new Map<string, number>();
  const sections = (sectionsNode as { items: unknown[] }).items.map((node) => {
    if (!isMap(node)) return fail('a section is a mapping (id, title, from, columns, ...)', node);
    const e = entries(node, 'section', ['id', 'title', 'description', 'from', 'period_column', 'filters', 'where', 'order_by', 'columns', 'chart', 'empty_text'],
      ['id', 'title', 'from', 'period_column', 'columns']);
    const sid = str(e.get('id'), 'section id');
    if (!ID.test(sid)) fail(`section id '${sid}' must be lower-case letters, digits and _`, e.get('id'));
    const where = `section ${sid}`;
    if (seen.has(sid)) fail(`duplicate section id '${sid}' (also on line ${seen.get(sid)})`, e.get('id'));
    seen.set(sid, lineOf(node));
    const from = str(e.get('from'), `${where}: from`);
    if (!RELATION.test(from)) fail(`${where}: from '${from}' must be schema.table`, e.get('from'));
    const periodColumn = str(e.get('period_column'), `${where}: period_column`);
    if (!IDENT.test(periodColumn)) fail(`${where}: period_column '${periodColumn}' is not a column name`, e.get('period_column'));

    const filters: Record<string, ParameterName> = {};
    const fNode = e.get('filters');
    if (fNode !== undefined) {
      if (!isMap(fNode)) fail(`${where}: filters must be a mapping { mart_column: parameter }`, fNode);
      for (const pair of (fNode as YAMLMap).items) {
        const col = isScalar(pair.key) ? String(pair.key.value) : '';
        if (!IDENT.test(col)) fail(`${where}: filter column '${col}' is not a column name`, pair.key);
        const param = str(pair.value as YamlNode, `${where}: filter ${col}`);
        if (!(PARAMETER_NAMES as readonly string[]).includes(param)) fail(`${where}: filter ${col}: unknown parameter '${param}' (parameters: ${PARAMETER_NAMES.join(', ')})`, pair.value);
        if (!parameters[param as ParameterName]) fail(`${where}: filter ${col} uses parameter '${param}', which the report does not declare under parameters`, pair.value);
        filters[col] = param as ParameterName;
      }
    }
    const whereNode = e.get('where');
    const whereText = optStr(whereNode, `${where}: where`);
    if (whereText !== undefined) {
      const problem = wherePredicateProblem(whereText);
      if (problem) fail(`${where}: where ${problem}`, whereNode);
    }

    const columnsNode = e.get('columns');
    if (!isSeq(columnsNode) || columnsNode.items.length === 0) fail(`${where}: columns must be a non-empty list`, columnsNode);
    const names = new Set<string>();
    const columns = (columnsNode as { items: unknown[] }).items.map((cn): ColumnDef => {
      if (!isMap(cn)) return fail(`${where}: a column is a mapping { name, label, type }`, cn);
      const c = entries(cn, `${where}: column`, ['name', 'label', 'type', 'scale', 'total', 'currency', 'exponent'], ['name', 'label', 'type']);
      const name = str(c.get('name'), `${where}: column name`);
      if (!IDENT.test(name)) fail(`${where}: column '${name}' is not a column name`, c.get('name'));
      if (names.has(name)) fail(`${where}: column '${name}' listed twice`, c.get('name'));
      names.add(name);
      const what = `${where}: column ${name}`;
      const type = str(c.get('type'), `${what}: type`) as ColumnType;
      if (!COLUMN_TYPES.includes(type)) fail(`${what}: unknown type '${type}' (types: ${COLUMN_TYPES.join(', ')})`, c.get('type'));
      const col: ColumnDef = { name, label: str(c.get('label'), `${what}: label`), type };
      const scaleNode = c.get('scale');
      if (scaleNode !== undefined) {
        if (type !== 'decimal' && type !== 'percent') fail(`${what}: scale is for decimal and percent columns (money takes its currency's exponent)`, scaleNode);
        const v = isScalar(scaleNode) ? scaleNode.value : undefined;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 12) fail(`${what}: scale must be a whole number 0..12`, scaleNode);
        col.scale = v as number;
      } else if (type === 'decimal') fail(`${what}: a decimal column needs a scale (its totals are summed at that scale)`, cn);
      if (bool(c.get('total'), `${what}: total`)) {
        if (!TOTAL_TYPES.includes(type)) fail(`${what}: total is for integer, money and decimal columns, not ${type}`, c.get('total'));
        col.total = true;
      }
      const cur = optStr(c.get('currency'), `${what}: currency`);
      const exp = optStr(c.get('exponent'), `${what}: exponent`);
      if (type === 'money') {
        if (cur === undefined || exp === undefined) fail(`${what}: a money column must name the mart columns of its currency and exponent (currency: ..., exponent: ...)`, cn);
        if (!IDENT.test(cur!)) fail(`${what}: currency '${cur}' is not a column name`, c.get('currency'));
        if (!IDENT.test(exp!)) fail(`${what}: exponent '${exp}' is not a column name`, c.get('exponent'));
        col.currency = cur;
        col.exponent = exp;
      } else if (cur !== undefined || exp !== undefined) fail(`${what}: currency and exponent are for money columns`, c.get(cur !== undefined ? 'currency' : 'exponent'));
      return col;
    });
    // Totals are one row per currency: every totalled money column must take its currency from the same mart column.
    const totalCurrencies = new Set(columns.filter((c) => c.type === 'money' && c.total).map((c) => c.currency));
    if (totalCurrencies.size > 1) fail(`${where}: totalled money columns take their currency from different columns (${[...totalCurrencies].join(', ')}): totals are per one currency column`, columnsNode);

    const order_by = e.get('order_by') === undefined ? [] : strList(e.get('order_by'), `${where}: order_by`).map(({ value, node: n }) => {
      if (!ORDER.test(value.trim())) fail(`${where}: order_by '${value}' must be a column name, optionally followed by asc or desc`, n);
      return value.trim();
    });

    let chart: ChartDef | undefined;
    const chartNode = e.get('chart');
    if (chartNode !== undefined) {
      if (!isMap(chartNode)) fail(`${where}: chart must be a mapping { kind, title, x, y, unit }`, chartNode);
      const ch = entries(chartNode as YAMLMap, `${where}: chart`, ['kind', 'title', 'x', 'y', 'unit'], ['kind', 'title', 'x', 'y', 'unit']);
      const x = str(ch.get('x'), `${where}: chart.x`);
      if (!names.has(x)) fail(`${where}: chart.x '${x}' is not one of the section's columns`, ch.get('x'));
      const y = strList(ch.get('y'), `${where}: chart.y`).map(({ value, node: n }) => {
        const c = columns.find((col) => col.name === value);
        if (!c) fail(`${where}: chart.y '${value}' is not one of the section's columns`, n);
        if (!NUMERIC_TYPES.includes(c!.type)) fail(`${where}: chart.y '${value}' is a ${c!.type} column; a chart plots integer, money, decimal or percent`, n);
        return value;
      });
      if (y.length === 0) fail(`${where}: chart.y needs at least one column`, ch.get('y'));
      chart = { kind: oneOf(ch.get('kind'), `${where}: chart.kind`, ['bar', 'line'] as const), title: str(ch.get('title'), `${where}: chart.title`), x, y, unit: str(ch.get('unit'), `${where}: chart.unit`) };
    }

    const section: SectionDef = { id: sid, title: str(e.get('title'), `${where}: title`), from, period_column: periodColumn, filters, order_by, columns, line: lineOf(node) };
    const description = optStr(e.get('description'), `${where}: description`);
    if (description !== undefined) section.description = description;
    if (whereText !== undefined) section.where = whereText;
    if (chart) section.chart = chart;
    const empty = optStr(e.get('empty_text'), `${where}: empty_text`);
    if (empty !== undefined) section.empty_text = empty;
    return section;
  });

  const footnotes = top.get('footnotes') === undefined ? [] : strList(top.get('footnotes'), 'footnotes').map((f) => f.value);
  const def: ReportDefinition = {
    id, file, title: str(top.get('title'), 'title'),
    audience: oneOf(top.get('audience'), 'audience', AUDIENCES),
    period, parameters, formats, schedule: due_day === undefined ? { cron, timezone } : { cron, timezone, due_day }, sections, footnotes,
  };
  const description = optStr(top.get('description'), 'description');
  if (description !== undefined) def.description = description;
  return def;
}

// Statements and the words that start them: a `where` is a predicate over the mart, nothing more.
const FORBIDDEN_WORDS = ['select', 'insert', 'update', 'delete', 'merge', 'drop', 'create', 'alter', 'truncate', 'attach', 'detach', 'copy', 'export', 'import',
  'pragma', 'install', 'load', 'call', 'set', 'reset', 'checkpoint', 'vacuum', 'grant', 'revoke', 'begin', 'commit', 'rollback', 'use', 'execute', 'prepare', 'summarize', 'describe', 'show'];

/**
 * Why `where` is not a plain read-only predicate, or undefined. String literals are blanked first
 * (so `status <> 'drop'` is fine); what remains may not hold `;`, a comment, a statement keyword
 * (select too: a subquery would read tables the report's model list does not name), or unbalanced
 * parentheses (which could close the engine's own `(...)` around it).
 */
export function wherePredicateProblem(where: string): string | undefined {
  let code = '';
  for (let i = 0; i < where.length; i++) {
    const ch = where[i]!;
    if (ch === "'" || ch === '"') {
      const end = where.indexOf(ch, i + 1);
      if (end < 0) return 'has an unterminated quote';
      // '' inside a literal is an escaped quote: the next loop turn starts a new literal, same effect
      code += ch === '"' ? where.slice(i, end + 1) : " '' ";
      i = end;
    } else code += ch;
  }
  if (code.includes(';')) return "must not contain ';' (one predicate, not statements)";
  if (code.includes('--') || code.includes('/*') || code.includes('*/')) return 'must not contain comments';
  const word = code.toLowerCase().match(/[a-z_][a-z0-9_]*/g)?.find((w) => FORBIDDEN_WORDS.includes(w));
  if (word) return `must be a plain predicate: '${word}' is not allowed`;
  let depth = 0;
  for (const ch of code) {
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    if (depth < 0) return 'has unbalanced parentheses';
  }
  if (depth !== 0) return 'has unbalanced parentheses';
  return undefined;
}

/** Every report of `dir` (models/reports), sorted by id. */
export async function loadReports(dir: string): Promise<ReportDefinition[]> {
  if (!existsSync(dir)) return [];
  const files = (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  const out: ReportDefinition[] = [];
  for (const f of files) out.push(parseReport(await readFile(join(dir, f), 'utf8'), join(dir, f)));
  return out;
}

/** The report `id` of `dir`; an id without a file is bad input (unknown_report), a broken file a ReportDefinitionError. */
export async function loadReport(dir: string, id: string): Promise<ReportDefinition> {
  const ids = existsSync(dir) ? (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).map((f) => f.replace(/\.ya?ml$/, '')).sort() : [];
  if (!ID.test(id) || !ids.includes(id)) throw new ReportInputError('unknown_report', `unknown report '${id}' (reports in ${dir}: ${ids.join(', ') || 'none'})`);
  const file = existsSync(join(dir, `${id}.yaml`)) ? join(dir, `${id}.yaml`) : join(dir, `${id}.yml`);
  return parseReport(await readFile(file, 'utf8'), file);
}
