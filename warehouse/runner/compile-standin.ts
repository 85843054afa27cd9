/**
 * TEMPORARY stand-in for the compile layer (render.ts, macros.ts, dag.ts, written on branch
 * h-compile). The engine needs three things from it: a topological order, the downstream closure,
 * and a query rendered with each parent reference pointing at a chosen relation and the time macros
 * holding an interval. Replaced by the real modules when h-compile is merged; delete then.
 */
import type { Interval } from './intervals';
import type { CompiledModel } from './types';

/** Parents before children; names sorted within a level so the order is stable. */
export function topologicalOrder(models: ReadonlyMap<string, CompiledModel>): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`cycle through ${name}`);
    state.set(name, 'visiting');
    for (const p of models.get(name)?.parents ?? []) if (models.has(p)) visit(p);
    state.set(name, 'done');
    out.push(name);
  };
  for (const name of [...models.keys()].sort()) visit(name);
  return out;
}

/** `names` and every model that reads from them, directly or not. */
export function downstreamClosure(models: ReadonlyMap<string, CompiledModel>, names: Iterable<string>): Set<string> {
  const out = new Set(names);
  for (const name of topologicalOrder(models)) {
    if (models.get(name)!.parents.some((p) => out.has(p))) out.add(name);
  }
  return out;
}

const iso = (t: number) => new Date(t).toISOString();
const tsText = (t: number) => iso(t).replace('T', ' ').replace('Z', '');

/** SQLMesh's time macros for [start, end): the *_ds / *_ts end values are inclusive (end minus one ms). */
export function macroValues([start, end]: Interval): Record<string, string> {
  const last = end - 1;
  return {
    start_ds: `'${iso(start).slice(0, 10)}'`,
    end_ds: `'${iso(last).slice(0, 10)}'`,
    start_ts: `'${tsText(start)}'`,
    end_ts: `'${tsText(last)}'`,
    start_date: `DATE '${iso(start).slice(0, 10)}'`,
    end_date: `DATE '${iso(last).slice(0, 10)}'`,
    start_dt: `TIMESTAMP '${tsText(start)}'`,
    end_dt: `TIMESTAMP '${tsText(last)}'`,
    start_epoch: String(start / 1000),
    end_epoch: String(last / 1000),
    start_millis: String(start),
    end_millis: String(last),
  };
}

/** The query with each parent reference replaced by `relationOf(parent)` and `@macro`s substituted. */
export function renderQuery(compiled: CompiledModel, opts: { relationOf: (model: string) => string; macros: Record<string, string> }): string {
  let sql = compiled.def.query;
  for (const ref of [...compiled.refs].sort((a, b) => b.start - a.start)) {
    sql = sql.slice(0, ref.start) + opts.relationOf(ref.name) + sql.slice(ref.end);
  }
  return sql.replace(/@([a-z_]+)/g, (whole, name: string) => opts.macros[name] ?? whole);
}
