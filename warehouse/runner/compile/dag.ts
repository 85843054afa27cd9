/**
 * The model graph: a stable topological order (parents first, by name among the ready ones), the
 * parent and child maps, closures up and down, and two renderings (an indented text tree for the
 * terminal, Mermaid `graph LR` for the docs).
 */
import type { CompiledModel, KindName } from '../types';

/** What the graph needs of a model: its parents (and kind, for rendering). */
export type GraphModel = Pick<CompiledModel, 'parents'> & { def: { kind: { name: KindName } } };

export interface Dag {
  /** Every model, parents before children; among models ready at once, by name. */
  order: string[];
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

export function buildDag(models: ReadonlyMap<string, GraphModel>): Dag {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const name of models.keys()) children.set(name, []);
  for (const [name, m] of models) {
    const ps = m.parents.filter((p) => models.has(p)).sort();
    parents.set(name, ps);
    for (const p of ps) children.get(p)!.push(name);
  }
  for (const list of children.values()) list.sort();
  const waiting = new Map([...parents].map(([n, ps]) => [n, ps.length]));
  const ready = [...waiting].filter(([, n]) => n === 0).map(([name]) => name).sort();
  const order: string[] = [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const c of children.get(name)!) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) insertSorted(ready, c);
    }
  }
  if (order.length !== models.size) {
    const stuck = [...waiting].filter(([, n]) => n > 0).map(([name]) => name).sort();
    throw new Error(`the model graph has a cycle among ${stuck.join(', ')}`);
  }
  return { order, parents, children };
}

function insertSorted(list: string[], name: string): void {
  const i = list.findIndex((x) => x > name);
  if (i < 0) list.push(name);
  else list.splice(i, 0, name);
}

function closure(dag: Dag, names: Iterable<string>, next: Map<string, string[]>): string[] {
  const seen = new Set<string>();
  const stack = [...names];
  for (const n of stack) if (!next.has(n)) throw new Error(`unknown model ${n}`);
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...next.get(n)!);
  }
  return dag.order.filter((n) => seen.has(n));
}

/** `names` and every model downstream of them, in topological order. */
export function downstream(models: ReadonlyMap<string, GraphModel>, names: Iterable<string>): string[] {
  const dag = buildDag(models);
  return closure(dag, names, dag.children);
}

/** `names` and every model they read from, directly or not, in topological order. */
export function upstream(models: ReadonlyMap<string, GraphModel>, names: Iterable<string>): string[] {
  const dag = buildDag(models);
  return closure(dag, names, dag.parents);
}

/**
 * An indented tree from the roots (models without parents) down. A model with several parents
 * appears under each; its subtree is written once and later marked `(see above)`.
 */
export function renderTree(models: ReadonlyMap<string, GraphModel>): string {
  const dag = buildDag(models);
  const lines: string[] = [];
  const expanded = new Set<string>();
  const visit = (name: string, prefix: string, last: boolean, root: boolean) => {
    const kind = models.get(name)!.def.kind.name;
    const kids = dag.children.get(name)!;
    const again = expanded.has(name) && kids.length > 0;
    lines.push(`${root ? '' : `${prefix}${last ? '└─ ' : '├─ '}`}${name} (${kind})${again ? ' (see above)' : ''}`);
    if (again) return;
    expanded.add(name);
    const childPrefix = root ? '' : `${prefix}${last ? '   ' : '│  '}`;
    kids.forEach((c, i) => visit(c, childPrefix, i === kids.length - 1, false));
  };
  for (const name of dag.order) if (dag.parents.get(name)!.length === 0) visit(name, '', true, true);
  return `${lines.join('\n')}\n`;
}

/** Mermaid flowchart source: externals as cylinders, seeds as files, the rest as boxes. */
export function renderMermaid(models: ReadonlyMap<string, GraphModel>): string {
  const dag = buildDag(models);
  const id = new Map(dag.order.map((name, i) => [name, `m${i}`]));
  const lines = ['graph LR'];
  for (const name of dag.order) {
    const kind = models.get(name)!.def.kind.name;
    const label = `"${name}"`;
    lines.push(`  ${id.get(name)}${kind === 'EXTERNAL' ? `[(${label})]` : kind === 'SEED' ? `[/${label}/]` : `[${label}]`}`);
  }
  for (const name of dag.order) for (const c of dag.children.get(name)!) lines.push(`  ${id.get(name)} --> ${id.get(c)}`);
  return `${lines.join('\n')}\n`;
}
