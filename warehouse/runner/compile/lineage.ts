/**
 * Column-level lineage from the parse trees: `marts.m.col` <- the expression computing it <- the
 * columns it reads, through the model's CTEs and subqueries, then into the parents' models, down to
 * EXTERNAL and SEED columns. Exact for select lists, aliases, functions, CASE, casts, aggregates,
 * windows, joins (USING too), set operations by position, `*` / `t.*` with EXCLUDE/REPLACE/RENAME
 * over known columns. Where it cannot be exact it stops and says why in the node (`reason`).
 * Only the columns an output is computed from count: filters and join keys are not inputs.
 */
import { analyzeQuery, type ColumnInput, expressionText, isObject, type Json, type OutputColumn, UNKNOWN_STAR } from './columns';
import type { CompiledModel, KindName } from '../types';

export interface LineageNode {
  model: string;
  column: string;
  /** The step inside the model (`cte final`, `subquery s`, `set operation branch 2`); absent for the model's output. */
  step?: string;
  /** For a model's output: its kind (EXTERNAL and SEED nodes are where lineage ends). */
  kind?: KindName;
  /** How the column is computed from its children, when it is more than a column reference. */
  expression?: string;
  children: LineageNode[];
  /** Why lineage stops or is not exact here. */
  reason?: string;
}

/** Bound on the depth of a lineage tree (a long model chain with CTEs stays far below it). */
const MAX_DEPTH = 2_000;

type Models = ReadonlyMap<string, Pick<CompiledModel, 'def' | 'normalized' | 'outputColumns'>>;

/** The lineage of `model.column` (`marts.fct_ggr_daily.ggr_eur`). Throws when the model or column does not exist. */
export function lineage(compiled: Models, target: string): LineageNode {
  const parts = target.toLowerCase().split('.');
  if (parts.length !== 3) throw new Error(`lineage of '${target}': expected schema.model.column`);
  const model = `${parts[0]}.${parts[1]}`;
  const column = parts[2]!;
  const c = compiled.get(model);
  if (!c) throw new Error(`unknown model ${model}`);
  const known = c.outputColumns.filter((x) => x !== UNKNOWN_STAR);
  if (!c.outputColumns.includes(UNKNOWN_STAR) && !known.some((x) => x.toLowerCase() === column)) {
    throw new Error(`${model} has no column ${column} (columns: ${known.join(', ')})`);
  }
  return new Tracer(compiled).model(model, column, 0);
}

class Tracer {
  private readonly outputs = new Map<string, OutputColumn[]>();
  /** One node per model column: a column read along several paths is the same object (the tree is a DAG in memory). */
  private readonly nodes = new Map<string, LineageNode>();
  constructor(private readonly compiled: Models) {}

  private known = (model: string): string[] | null => {
    const c = this.compiled.get(model);
    if (!c || c.outputColumns.length === 0 || c.outputColumns.includes(UNKNOWN_STAR)) return null;
    return c.outputColumns;
  };

  private analyzed(model: string): OutputColumn[] {
    let out = this.outputs.get(model);
    if (!out) {
      const tree: Json = JSON.parse(this.compiled.get(model)!.normalized);
      out = isObject(tree) ? analyzeQuery(tree, this.known) : [];
      this.outputs.set(model, out);
    }
    return out;
  }

  model(model: string, column: string, depth: number): LineageNode {
    const key = `${model}.${column.toLowerCase()}`;
    let node = this.nodes.get(key);
    if (!node) {
      node = this.trace(model, column, depth);
      this.nodes.set(key, node);
    }
    return node;
  }

  private trace(model: string, column: string, depth: number): LineageNode {
    const c = this.compiled.get(model);
    if (!c) return { model, column, children: [], reason: `${model} is not a model of the project` };
    const kind = c.def.kind.name;
    if (kind === 'EXTERNAL' || kind === 'SEED') {
      const has = c.outputColumns.length === 0 || c.outputColumns.some((x) => x.toLowerCase() === column.toLowerCase());
      return { model, column, kind, children: [], ...(has ? {} : { reason: `${model} declares no column ${column}` }) };
    }
    return { ...this.column(model, this.analyzed(model), column, depth), kind };
  }

  /** An output column of a query (the model's, a CTE's, a subquery's) and, recursively, what it reads. */
  private column(model: string, outputs: OutputColumn[], column: string, depth: number, step?: string, index?: number): LineageNode {
    const base = { model, column, ...(step ? { step } : {}) };
    const out = index !== undefined ? outputs[index] : outputs.find((o) => o.name.toLowerCase() === column.toLowerCase());
    if (!out) {
      const star = outputs.find((o) => o.name === UNKNOWN_STAR);
      return { ...base, children: [], reason: star?.reason ?? `no column ${column} here` };
    }
    if (depth > MAX_DEPTH) return { ...base, children: [], reason: `lineage deeper than ${MAX_DEPTH} steps` };
    const expr = out.expr && out.expr['class'] !== 'COLUMN_REF' ? expressionText(out.expr) : undefined;
    return {
      ...base, column: index !== undefined ? column : out.name,
      ...(expr ? { expression: expr } : {}),
      children: out.inputs.map((i) => this.input(model, i, depth + 1, out.name)),
      ...(out.reason ? { reason: out.reason } : {}),
    };
  }

  private input(model: string, input: ColumnInput, depth: number, name: string): LineageNode {
    const { source, column } = input;
    switch (source.kind) {
      case 'model': return this.model(source.model!, column, depth);
      case 'branch': // by position, shown under the set operation's column name
        return this.column(model, source.outputs ?? [], name, depth, source.label, input.index);
      case 'cte': case 'subquery':
        return this.column(model, source.outputs ?? [], column, depth, source.label);
      case 'opaque':
        return { model, column, step: source.label, children: [], reason: source.reason ?? `${source.label} is not analysed` };
    }
  }
}

/** Bound on the lines of a rendered tree. */
const MAX_LINES = 5_000;

/**
 * The tree as indented text, one column per line. A model column reached again is written once
 * and later marked `(see above)`, so shared upstream columns do not multiply the output.
 */
export function renderLineage(node: LineageNode): string {
  const lines: string[] = [];
  const expanded = new Set<LineageNode>();
  const visit = (n: LineageNode, prefix: string, last: boolean, root: boolean) => {
    if (lines.length >= MAX_LINES) return;
    const name = n.step ? `${n.model} › ${n.step}.${n.column}` : `${n.model}.${n.column}`;
    const again = expanded.has(n) && n.children.length > 0;
    const text = `${name}${n.kind ? ` (${n.kind})` : ''}${again ? ' (see above)' : `${n.expression ? ` = ${n.expression}` : ''}${n.reason ? `  [stops: ${n.reason}]` : ''}`}`;
    lines.push(root ? text : `${prefix}${last ? '└─ ' : '├─ '}${text}`);
    if (lines.length === MAX_LINES) lines.push(`... (more than ${MAX_LINES} lines)`);
    if (again) return;
    if (n.kind) expanded.add(n);
    const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    n.children.forEach((c, i) => visit(c, childPrefix, i === n.children.length - 1, false));
  };
  visit(node, '', true, true);
  return `${lines.join('\n')}\n`;
}
