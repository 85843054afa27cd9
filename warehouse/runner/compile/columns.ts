/**
 * What a query's SELECT produces: each output column with its name, its expression and the input
 * columns it is computed from, resolved through the query's relations (model tables, CTEs,
 * subqueries, joins, set operations). compile.ts takes the names (outputColumns), lineage.ts the
 * inputs. It reads DuckDB's parse tree (json_serialize_sql), not SQL text, and says where it stops
 * being exact instead of guessing.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A parse tree without positions, keys sorted: formatting and comments do not change it. */
export function normalize(node: Json): string {
  const strip = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(strip);
    if (!isObject(v)) return v;
    const out: JsonObject = {};
    for (const key of Object.keys(v).sort()) if (key !== 'query_location') out[key] = strip(v[key]!);
    return out;
  };
  return JSON.stringify(strip(node));
}
const str = (v: Json | undefined): string => (typeof v === 'string' ? v : '');
const arr = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const obj = (v: Json | undefined): JsonObject | null => (isObject(v) ? v : null);

/** An output column whose name DuckDB derives from the expression text (`sum(x)`), which the runner does not reproduce. */
export const UNNAMED = '?';
/** Stands for the columns of a `*` over a source whose columns are not known. */
export const UNKNOWN_STAR = '*';

/** A relation a query reads: a model table, a CTE, a subquery, a branch of a set operation, or something opaque. */
export interface Source {
  kind: 'model' | 'cte' | 'subquery' | 'branch' | 'opaque';
  /** The name columns are qualified with (`e` in `raw.events e`). */
  alias: string;
  /** For display: `raw.events`, `cte daily`, `subquery s`, `union branch 2`, `table function read_csv`. */
  label: string;
  model?: string;
  /** The source's columns in order; null when not known (then `reason` says why). */
  columns: string[] | null;
  /** For CTEs, subqueries and branches: their analysed output, to follow lineage inside the model. */
  outputs?: OutputColumn[];
  reason?: string;
}

export interface ColumnInput {
  source: Source;
  column: string;
  /** For a set operation's branch: the column's position (its own name may be UNNAMED). */
  index?: number;
}

export interface OutputColumn {
  /** Output name: the alias, a column's own name, UNNAMED or UNKNOWN_STAR. */
  name: string;
  /** The expression (absent when the column comes straight from a `*`). */
  expr?: JsonObject;
  inputs: ColumnInput[];
  /** Set when the inputs are incomplete or uncertain. */
  reason?: string;
}

/** What the analysis needs from outside the query: the known columns of a model (declared or derived), or null. */
export interface ModelColumns { (model: string): string[] | null }

type Ctes = Map<string, Source>;

/** The output columns of a statement node (`statements[0].node` of json_serialize_sql). */
export function analyzeQuery(node: JsonObject, modelColumns: ModelColumns): OutputColumn[] {
  return new Analyzer(modelColumns).query(node, new Map(), []);
}

class Analyzer {
  constructor(private readonly modelColumns: ModelColumns) {}

  /** A query node: SELECT_NODE, SET_OPERATION_NODE, RECURSIVE_CTE_NODE (CTE_NODE wrappers walked through). */
  query(node: JsonObject, outerCtes: Ctes, outer: Source[]): OutputColumn[] {
    const ctes = this.ctes(node, outerCtes, outer);
    switch (str(node['type'])) {
      case 'SELECT_NODE': return this.select(node, ctes, outer);
      case 'SET_OPERATION_NODE': return this.setOperation(node, ctes, outer);
      case 'RECURSIVE_CTE_NODE': {
        const left = this.query(obj(node['left'])!, ctes, outer);
        return this.combine([left], [this.branch(left, 1)], str(node['setop_type']) === 'UNION_BY_NAME');
      }
      default: {
        const child = obj(node['child']) ?? obj(node['node']);
        if (child) return this.query(child, ctes, outer);
        return [{ name: UNKNOWN_STAR, inputs: [], reason: `query node ${str(node['type'])} is not analysed` }];
      }
    }
  }

  /** The CTEs a node defines, each analysed with the ones before it (and itself when recursive) in scope. */
  private ctes(node: JsonObject, outerCtes: Ctes, outer: Source[]): Ctes {
    const map = arr(obj(node['cte_map'])?.['map']);
    if (map.length === 0) return outerCtes;
    const ctes: Ctes = new Map(outerCtes);
    for (const entry of map) {
      if (!isObject(entry)) continue;
      const name = str(entry['key']).toLowerCase();
      const value = obj(entry['value']);
      const body = obj(obj(value?.['query'])?.['node']);
      const aliases = arr(value?.['aliases']).map((a) => str(a));
      const source: Source = { kind: 'cte', alias: name, label: `cte ${name}`, columns: null };
      if (body) {
        if (str(body['type']) === 'RECURSIVE_CTE_NODE') {
          // The recursive part reads the CTE itself: its columns are the anchor's.
          const anchor = this.query(obj(body['left'])!, ctes, outer);
          ctes.set(name, { ...source, columns: rename(anchor, aliases).map((c) => c.name), outputs: rename(anchor, aliases) });
          const recursive = this.query(obj(body['right'])!, ctes, outer);
          source.outputs = rename(this.combine([anchor, recursive], [this.branch(anchor, 1), this.branch(recursive, 2)], false), aliases);
        } else source.outputs = rename(this.query(body, ctes, outer), aliases);
        source.columns = source.outputs.some((c) => c.name === UNKNOWN_STAR) ? null : source.outputs.map((c) => c.name);
        if (!source.columns) source.reason = `cte ${name} has a * over a source with unknown columns`;
      }
      ctes.set(name, source);
    }
    return ctes;
  }

  private branch(outputs: OutputColumn[], n: number): Source {
    return { kind: 'branch', alias: '', label: `set operation branch ${n}`, columns: outputs.map((c) => c.name), outputs };
  }

  private setOperation(node: JsonObject, ctes: Ctes, outer: Source[]): OutputColumn[] {
    // Flatten a chain of the same operation (a UNION ALL b UNION ALL c) into its branches.
    const op = `${str(node['setop_type'])}/${String(node['setop_all'])}`;
    const branches: OutputColumn[][] = [];
    const collect = (n: JsonObject, top: boolean) => {
      const same = str(n['type']) === 'SET_OPERATION_NODE' && `${str(n['setop_type'])}/${String(n['setop_all'])}` === op
        && arr(obj(n['cte_map'])?.['map']).length === 0 && arr(n['modifiers']).length === 0;
      if (top || same) { collect(obj(n['left'])!, false); collect(obj(n['right'])!, false); }
      else branches.push(this.query(n, ctes, outer));
    };
    collect(node, true);
    const byName = str(node['setop_type']) === 'UNION_BY_NAME';
    return this.combine(branches, branches.map((b, i) => this.branch(b, i + 1)), byName);
  }

  /** Output columns of a set operation: by position (names from the first branch), or by name for UNION BY NAME. */
  private combine(branches: OutputColumn[][], sources: Source[], byName: boolean): OutputColumn[] {
    const first = branches[0] ?? [];
    if (!byName) {
      return first.map((c, i) => ({
        name: c.name,
        inputs: branches.flatMap((b, j) => (b[i] ? [{ source: sources[j]!, column: b[i]!.name, index: i }] : [])),
      }));
    }
    const names: string[] = [];
    for (const b of branches) for (const c of b) if (!names.includes(c.name)) names.push(c.name);
    return names.map((name) => ({
      name,
      inputs: branches.flatMap((b, j) => (b.some((c) => c.name === name) ? [{ source: sources[j]!, column: name }] : [])),
    }));
  }

  private select(node: JsonObject, ctes: Ctes, outer: Source[]): OutputColumn[] {
    const from = obj(node['from_table']);
    const { sources, using } = from ? this.relations(from, ctes, outer) : { sources: [], using: new Set<string>() };
    const out: OutputColumn[] = [];
    for (const item of arr(node['select_list'])) {
      if (!isObject(item)) continue;
      if (str(item['class']) === 'STAR' && !item['columns'] && item['expr'] === null) {
        out.push(...this.star(item, sources, using));
        continue;
      }
      const alias = str(item['alias']);
      const name = alias || (str(item['class']) === 'COLUMN_REF' ? str(arr(item['column_names']).at(-1)!) : UNNAMED);
      const { inputs, reasons } = this.expressionInputs(item, sources, ctes, outer, out);
      out.push({ name, expr: item, inputs, ...(reasons.length ? { reason: reasons.join('; ') } : {}) });
    }
    return out;
  }

  /** `*`, `t.*`, with EXCLUDE, REPLACE and RENAME. */
  private star(item: JsonObject, sources: Source[], using: Set<string>): OutputColumn[] {
    const relation = str(item['relation_name']).toLowerCase();
    const picked = relation ? sources.filter((s) => s.alias === relation) : sources;
    const exclude = new Set(arr(item['exclude_list']).map((e) => str(e).toLowerCase()));
    for (const q of arr(item['qualified_exclude_list'])) if (isObject(q)) exclude.add(str(q['column']).toLowerCase());
    const replace = new Map<string, JsonObject>();
    for (const r of arr(item['replace_list'])) if (isObject(r) && isObject(r['value'])) replace.set(str(r['key']).toLowerCase(), r['value']);
    const renames = new Map<string, string>();
    for (const r of arr(item['rename_list'])) if (isObject(r) && isObject(r['key'])) renames.set(str(r['key']['column']).toLowerCase(), str(r['value']));
    const out: OutputColumn[] = [];
    const seenUsing = new Set<string>();
    for (const s of picked) {
      if (!s.columns) {
        out.push({ name: UNKNOWN_STAR, inputs: [], reason: `star over a source with unknown columns (${s.label}${s.reason ? `: ${s.reason}` : ''})` });
        continue;
      }
      for (const column of s.columns) {
        const key = column.toLowerCase();
        if (exclude.has(key)) continue;
        // A USING column appears once in `*` (DuckDB merges the two sides).
        if (!relation && using.has(key)) {
          if (seenUsing.has(key)) continue;
          seenUsing.add(key);
          const sides = sources.filter((o) => o.columns?.some((c) => c.toLowerCase() === key));
          out.push({ name: column, inputs: sides.map((o) => ({ source: o, column })) });
          continue;
        }
        const replaced = replace.get(key);
        if (replaced) {
          const { inputs, reasons } = this.expressionInputs(replaced, sources, new Map(), [], out);
          out.push({ name: column, expr: replaced, inputs, ...(reasons.length ? { reason: reasons.join('; ') } : {}) });
        } else out.push({ name: renames.get(key) ?? column, inputs: [{ source: s, column }] });
      }
    }
    if (picked.length === 0) out.push({ name: UNKNOWN_STAR, inputs: [], reason: relation ? `no relation ${relation} in FROM` : 'star without a FROM' });
    return out;
  }

  /** The relations of a FROM clause, flattened, with the USING / NATURAL columns of its joins. */
  private relations(ref: JsonObject, ctes: Ctes, outer: Source[]): { sources: Source[]; using: Set<string> } {
    const sources: Source[] = [];
    const using = new Set<string>();
    const visit = (r: JsonObject) => {
      const alias = str(r['alias']).toLowerCase();
      const columnAliases = arr(r['column_name_alias']).map((a) => str(a));
      switch (str(r['type'])) {
        case 'JOIN': {
          visit(obj(r['left'])!);
          const before = sources.length;
          visit(obj(r['right'])!);
          for (const u of arr(r['using_columns'])) using.add(str(u).toLowerCase());
          if (str(r['ref_type']) === 'NATURAL') {
            const left = new Set(sources.slice(0, before).flatMap((s) => s.columns ?? []).map((c) => c.toLowerCase()));
            for (const s of sources.slice(before)) for (const c of s.columns ?? []) if (left.has(c.toLowerCase())) using.add(c.toLowerCase());
          }
          return;
        }
        case 'BASE_TABLE': {
          const table = str(r['table_name']).toLowerCase();
          const schema = str(r['schema_name']).toLowerCase();
          const cte = !schema ? ctes.get(table) : undefined;
          if (cte) { sources.push(renameSource({ ...cte, alias: alias || table }, columnAliases)); return; }
          const model = schema ? `${schema}.${table}` : table;
          const columns = this.modelColumns(model);
          sources.push(renameSource({ kind: 'model', alias: alias || table, label: model, model, columns,
            ...(columns ? {} : { reason: `the columns of ${model} are not known` }) }, columnAliases));
          return;
        }
        case 'SUBQUERY': {
          const sub = obj(obj(r['subquery'])?.['node']);
          // A LATERAL subquery may read the relations before it.
          const outputs = sub ? rename(this.query(sub, ctes, [...sources, ...outer]), columnAliases) : [];
          const unknown = outputs.some((c) => c.name === UNKNOWN_STAR);
          sources.push({ kind: 'subquery', alias, label: `subquery ${alias || '(unnamed)'}`, columns: unknown ? null : outputs.map((c) => c.name), outputs,
            ...(unknown ? { reason: 'it has a * over a source with unknown columns' } : {}) });
          return;
        }
        case 'EMPTY': return;
        case 'TABLE_FUNCTION': {
          const fn = str(obj(r['function'])?.['function_name']);
          sources.push({ kind: 'opaque', alias: alias || fn, label: `table function ${fn}`, columns: columnAliases.length ? columnAliases : null, reason: 'its columns are only known when it runs' });
          return;
        }
        default:
          sources.push({ kind: 'opaque', alias, label: str(r['type']).toLowerCase(), columns: null, reason: `${str(r['type'])} is not analysed` });
      }
    };
    visit(ref);
    return { sources, using };
  }

  /** The columns an expression reads (through functions, CASE, casts, aggregates, windows), resolved to sources. */
  private expressionInputs(expr: JsonObject, sources: Source[], ctes: Ctes, outer: Source[], earlier: OutputColumn[]): { inputs: ColumnInput[]; reasons: string[] } {
    const inputs: ColumnInput[] = [];
    const reasons: string[] = [];
    const lambdaParams = new Set<string>();
    const visit = (v: Json) => {
      if (Array.isArray(v)) { v.forEach(visit); return; }
      if (!isObject(v)) return;
      const cls = str(v['class']);
      if (cls === 'COLUMN_REF') {
        const names = arr(v['column_names']).map((n) => str(n).toLowerCase());
        if (names.length === 1 && lambdaParams.has(names[0]!)) return;
        const r = resolve(names, sources, outer, earlier);
        if ('reason' in r) reasons.push(r.reason);
        else inputs.push(...r.inputs);
        return;
      }
      if (cls === 'LAMBDA') {
        const lhs = obj(v['lhs']);
        for (const p of lhs && str(lhs['class']) === 'COLUMN_REF' ? [lhs] : arr(lhs?.['children'])) {
          if (isObject(p)) for (const n of arr(p['column_names'])) lambdaParams.add(str(n).toLowerCase());
        }
        visit(v['expr'] ?? null);
        return;
      }
      if (cls === 'SUBQUERY') {
        const sub = obj(obj(v['subquery'])?.['node']);
        if (sub && str(v['subquery_type']) === 'SCALAR') {
          const outputs = this.query(sub, ctes, [...sources, ...outer]);
          const source: Source = { kind: 'subquery', alias: '', label: 'scalar subquery', columns: outputs.map((c) => c.name), outputs };
          if (outputs[0]) inputs.push({ source, column: outputs[0].name });
        }
        visit(v['child'] ?? null);
        return;
      }
      if (cls === 'STAR') { reasons.push('a * inside an expression is not followed'); return; }
      for (const [k, child] of Object.entries(v)) if (k !== 'alias') visit(child);
    };
    visit(expr);
    return { inputs: dedupe(inputs), reasons };
  }
}

/** A column reference resolved against the FROM relations (then the outer query's, then earlier select aliases). */
function resolve(names: string[], sources: Source[], outer: Source[], earlier: OutputColumn[]): { inputs: ColumnInput[] } | { reason: string } {
  const has = (s: Source, c: string) => s.columns?.some((x) => x.toLowerCase() === c) ?? false;
  for (const scope of [sources, outer]) {
    if (names.length >= 2) {
      // t.col (and t.col.field for a struct); else col.field
      const s = scope.find((x) => x.alias === names[0]);
      if (s) return { inputs: [{ source: s, column: columnName(s, names[1]!) }] };
      const qualified = names.length >= 3 ? scope.find((x) => x.model === `${names[0]}.${names[1]}`) : undefined;
      if (qualified) return { inputs: [{ source: qualified, column: columnName(qualified, names[2]!) }] };
    }
    const col = names[0]!;
    const found = scope.filter((s) => has(s, col));
    if (found.length > 0) return { inputs: found.map((s) => ({ source: s, column: columnName(s, col) })) };
    const unknown = scope.filter((s) => s.columns === null);
    if (unknown.length === 1 && names.length === 1) return { inputs: [{ source: unknown[0]!, column: col }] };
    if (unknown.length > 1) return { reason: `column ${names.join('.')}: several sources with unknown columns could hold it` };
  }
  const lateral = earlier.find((c) => c.name.toLowerCase() === names[0]);
  if (lateral) return { inputs: lateral.inputs };
  return { reason: `column ${names.join('.')} not found in any source` };
}

/** The column's name as the source spells it. */
function columnName(s: Source, lower: string): string {
  return s.columns?.find((c) => c.toLowerCase() === lower) ?? lower;
}

function rename(outputs: OutputColumn[], aliases: string[]): OutputColumn[] {
  return aliases.length === 0 ? outputs : outputs.map((c, i) => (aliases[i] ? { ...c, name: aliases[i] } : c));
}

function renameSource(s: Source, aliases: string[]): Source {
  if (aliases.length === 0 || !s.columns) return s;
  const renamed = s.columns.map((c, i) => aliases[i] ?? c);
  // Lineage follows the source's own names: remember them through `outputs` passthrough.
  const outputs: OutputColumn[] = s.columns.map((c, i) => ({ name: renamed[i]!, inputs: [{ source: s, column: c }] }));
  return { kind: 'subquery', alias: s.alias, label: `${s.label} (renamed columns)`, columns: renamed, outputs };
}

function dedupe(inputs: ColumnInput[]): ColumnInput[] {
  const seen = new Set<string>();
  return inputs.filter((i) => {
    const key = `${i.source.label}\u0000${i.source.alias}\u0000${i.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A short SQL rendering of an expression for display (lineage), not for execution. */
export function expressionText(e: Json): string {
  if (!isObject(e)) return String(e);
  const kids = arr(e['children']);
  const t = (x: Json | undefined) => expressionText(x ?? null);
  switch (str(e['class'])) {
    case 'COLUMN_REF': return arr(e['column_names']).map((n) => str(n)).join('.');
    case 'CONSTANT': {
      const v = obj(e['value']);
      if (v?.['is_null']) return 'NULL';
      const type = str(obj(v?.['type'])?.['id']);
      return type === 'VARCHAR' ? `'${String(v?.['value'])}'` : String(v?.['value']);
    }
    case 'FUNCTION': {
      const name = str(e['function_name']);
      if (e['is_operator'] && kids.length === 2) return `(${t(kids[0])} ${name} ${t(kids[1])})`;
      if (e['is_operator'] && kids.length === 1) return `${name}${t(kids[0])}`;
      if (name === 'count_star') return 'count(*)';
      return `${name}(${e['distinct'] ? 'DISTINCT ' : ''}${kids.map(t).join(', ')})`;
    }
    case 'WINDOW': {
      const over = [arr(e['partitions']).length ? `PARTITION BY ${arr(e['partitions']).map(t).join(', ')}` : '',
        arr(e['orders']).length ? `ORDER BY ${arr(e['orders']).map((o) => t(obj(o)?.['expression'])).join(', ')}` : ''].filter(Boolean).join(' ');
      return `${str(e['function_name'])}(${kids.map(t).join(', ')}) OVER (${over})`;
    }
    case 'CAST': return `CAST(${t(e['child'])} AS ${str(obj(e['cast_type'])?.['id'])})`;
    case 'CASE': {
      const checks = arr(e['case_checks']).map((c) => `WHEN ${t(obj(c)?.['when_expr'])} THEN ${t(obj(c)?.['then_expr'])}`);
      return `CASE ${checks.join(' ')} ELSE ${t(e['else_expr'])} END`;
    }
    case 'COMPARISON': return `(${t(e['left'])} ${comparison(str(e['type']))} ${t(e['right'])})`;
    case 'CONJUNCTION': return `(${kids.map(t).join(str(e['type']) === 'CONJUNCTION_AND' ? ' AND ' : ' OR ')})`;
    case 'BETWEEN': return `(${t(e['input'])} BETWEEN ${t(e['lower'])} AND ${t(e['upper'])})`;
    case 'OPERATOR': return `${str(e['type']).replace(/^OPERATOR_|^COMPARE_/, '').toLowerCase()}(${kids.map(t).join(', ')})`;
    case 'STAR': return str(e['relation_name']) ? `${str(e['relation_name'])}.*` : '*';
    case 'SUBQUERY': return '(subquery)';
    default: return str(e['class']).toLowerCase();
  }
}

const COMPARISONS: Record<string, string> = { COMPARE_EQUAL: '=', COMPARE_NOTEQUAL: '<>', COMPARE_LESSTHAN: '<', COMPARE_GREATERTHAN: '>', COMPARE_LESSTHANOREQUALTO: '<=',
    COMPARE_GREATERTHANOREQUALTO: '>=', COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM', COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM' };
const comparison = (type: string): string => COMPARISONS[type] ?? type;
