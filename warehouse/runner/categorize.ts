/**
 * Change categories from parse trees (DuckDB's json_serialize_sql, locations removed). A change is
 * non-breaking when it only adds output columns: every existing row and column stays as it was, so
 * the children, which cannot be reading a column that did not exist, need no rebuild. Anything we
 * cannot prove that for is breaking: rebuilding too much costs time, rebuilding too little is wrong.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: Json | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

/** The query node of a normalized tree (compile.ts stores the statement's node; a whole serialization is accepted too). */
function topNode(normalized: string): Obj | null {
  try {
    const tree = JSON.parse(normalized) as Json;
    if (!isObj(tree)) return null;
    if (!('statements' in tree)) return typeof tree['type'] === 'string' ? tree : null;
    if (!Array.isArray(tree['statements']) || tree['statements'].length !== 1) return null;
    const st = tree['statements'][0];
    return isObj(st) && isObj(st['node']) ? st['node'] : null;
  } catch {
    return null;
  }
}

function without(o: Obj, ...keys: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** `small` is `big` with some items removed (order kept). */
function isSubsequence(small: Json[], big: Json[]): boolean {
  let i = 0;
  for (const item of big) if (i < small.length && same(small[i], item)) i++;
  return i === small.length;
}

/** Functions in the select list that change the number of rows, so adding one is never safe. */
const ROW_CHANGING = /"function_name":"(unnest|generate_subscripts|range|generate_series)"/;

function ctes(node: Obj): Map<string, Obj> {
  const map = isObj(node['cte_map']) && Array.isArray(node['cte_map']['map']) ? node['cte_map']['map'] : [];
  const out = new Map<string, Obj>();
  for (const e of map) {
    if (!isObj(e) || typeof e['key'] !== 'string' || !isObj(e['value'])) continue;
    const q = e['value']['query'];
    if (isObj(q) && isObj(q['node'])) out.set(e['key'], q['node']);
  }
  return out;
}

/**
 * True when `next` is `prev` plus output columns and nothing else. Also looks through the
 * `with ... select * from final` pattern: the columns may be added in the CTE the star reads,
 * provided no other CTE reads that one.
 */
function addsColumnsOnly(prev: Obj, next: Obj): boolean {
  if (prev['type'] !== 'SELECT_NODE' || next['type'] !== 'SELECT_NODE') return false;
  // DISTINCT or GROUP BY ALL: a new column can change which rows there are.
  if (JSON.stringify(next['modifiers']).includes('DISTINCT') || next['aggregate_handling'] === 'FORCE_AGGREGATES') return false;
  const a = prev['select_list'];
  const b = next['select_list'];
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  if (b.length > a.length && isSubsequence(a, b) && same(without(prev, 'select_list'), without(next, 'select_list'))) {
    const added = b.filter((x) => !a.some((y) => same(x, y)));
    return !ROW_CHANGING.test(JSON.stringify(added));
  }
  const from = next['from_table'];
  const star = b.length === 1 && isObj(b[0]) && b[0]['class'] === 'STAR' && !b[0]['columns'];
  if (!star || !same(a, b) || !isObj(from) || from['type'] !== 'BASE_TABLE' || from['schema_name'] !== '') return false;
  if (!same(without(prev, 'cte_map'), without(next, 'cte_map'))) return false;
  const name = String(from['table_name']);
  const [pc, nc] = [ctes(prev), ctes(next)];
  if (!same([...pc.keys()], [...nc.keys()]) || !pc.has(name)) return false;
  for (const [k, v] of nc) {
    if (k === name) continue;
    if (!same(pc.get(k), v) || readsTable(v, '', name)) return false;
  }
  return addsColumnsOnly(pc.get(name)!, nc.get(name)!);
}

/** The change from `prev` to `next` (normalized queries) only adds top-level output columns. */
export function isNonBreaking(prev: string, next: string): boolean {
  const [p, n] = [topNode(prev), topNode(next)];
  return p !== null && n !== null && addsColumnsOnly(p, n);
}

function walk(v: Json, visit: (o: Obj) => boolean | void): boolean {
  if (Array.isArray(v)) return v.some((x) => walk(x, visit));
  if (!isObj(v)) return false;
  if (visit(v) === true) return true;
  return Object.values(v).some((x) => walk(x, visit));
}

function readsTable(tree: Json, schema: string, table: string): boolean {
  return walk(tree, (o) => o['type'] === 'BASE_TABLE' && o['schema_name'] === schema && o['table_name'] === table);
}

/**
 * Whether the child's output columns follow the parent's through a `*` (SELECT * FROM parent,
 * directly or through CTEs and subqueries). Such a child changes shape when the parent gains a
 * column, so a non-breaking parent change must rebuild it (SQLMesh does the same, best effort).
 */
export function outputFollowsStar(childNormalized: string, parent: string): boolean {
  const top = topNode(childNormalized);
  if (top === null) return true;
  const dot = parent.indexOf('.');
  const tainted = new Set([`${parent.slice(0, dot)}.${parent.slice(dot + 1)}`]);
  const allCtes = new Map<string, Obj>();
  walk(top, (o) => { for (const [k, v] of ctes(o)) allCtes.set(k, v); });
  const isTainted = (node: Obj): boolean => {
    if (node['type'] === 'SET_OPERATION_NODE') return [node['left'], node['right']].some((x) => isObj(x) && isTainted(x));
    if (node['type'] !== 'SELECT_NODE') return false;
    const list = node['select_list'];
    if (!Array.isArray(list) || !list.some((x) => isObj(x) && x['class'] === 'STAR')) return false;
    return walk(node['from_table'] ?? null, (o) => {
      if (o['type'] === 'BASE_TABLE') return tainted.has(o['schema_name'] ? `${o['schema_name']}.${o['table_name']}` : String(o['table_name']));
      const sub = o['subquery'];
      return isObj(sub) && isObj(sub['node']) && isTainted(sub['node']);
    });
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const [name, node] of allCtes) {
      if (!tainted.has(name) && isTainted(node)) {
        tainted.add(name);
        changed = true;
      }
    }
  }
  return isTainted(top);
}
