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
 * DuckDB's aggregate functions that share their name with no scalar, macro or table function
 * (categorize.test.ts checks the list against the running DuckDB). A name missing here only makes
 * a change breaking.
 */
export const AGGREGATES: ReadonlySet<string> = new Set(`any_value approx_count_distinct approx_quantile approx_top_k arbitrary arg_max
  arg_max_null arg_max_nulls_last arg_min arg_min_null arg_min_nulls_last argmax argmin array_agg avg bit_and bit_or bit_xor
  bitstring_agg bool_and bool_or corr count count_if count_star countif covar_pop covar_samp cume_dist dense_rank entropy favg fill
  first first_value fsum group_concat histogram_exact kahan_sum kurtosis kurtosis_pop lag last last_value lead list listagg mad max
  max_by mean median min min_by mode nth_value ntile percent_rank product quantile quantile_cont quantile_disc rank rank_dense
  regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy reservoir_quantile row_number sem
  skewness stddev stddev_pop stddev_samp string_agg sum sum_no_overflow sumkahan var_pop var_samp variance`.split(/\s+/));

/**
 * What an expression reads: `free` a column outside any aggregate call (under GROUP BY ALL that
 * makes it a group key), `aggregate` an aggregate call, `opaque` something not followed here
 * (a window, a subquery, a star).
 */
function scan(v: Json): { free: boolean; aggregate: boolean; opaque: boolean } {
  const out = { free: false, aggregate: false, opaque: false };
  walk(v, (o) => {
    if (o['class'] === 'FUNCTION' && typeof o['function_name'] === 'string' && AGGREGATES.has(o['function_name'])) { out.aggregate = true; return 'skip'; }
    if (o['class'] === 'WINDOW' || o['class'] === 'SUBQUERY' || o['class'] === 'STAR') { out.opaque = true; return 'skip'; }
    if (o['class'] === 'COLUMN_REF') out.free = true;
    return undefined;
  });
  return out;
}

/** The query already collapses rows into groups (so an added aggregate cannot collapse them further). */
function aggregates(node: Obj): boolean {
  const list = Array.isArray(node['select_list']) ? node['select_list'] : [];
  if ((Array.isArray(node['group_expressions']) && node['group_expressions'].length > 0) || node['having'] !== null) return true;
  return list.some((x) => {
    const sc = scan(x);
    return sc.aggregate || (node['aggregate_handling'] === 'FORCE_AGGREGATES' && sc.free && !sc.opaque);
  });
}

/** LIMIT after ORDER BY ALL or by position: added columns can change which rows make the cut. */
function limitFollowsColumns(node: Obj, appended: boolean): boolean {
  const modifiers = Array.isArray(node['modifiers']) ? node['modifiers'] : [];
  if (!modifiers.some((m) => isObj(m) && typeof m['type'] === 'string' && m['type'].startsWith('LIMIT'))) return false;
  return modifiers.some((m) => isObj(m) && m['type'] === 'ORDER_MODIFIER' && Array.isArray(m['orders']) && m['orders'].some((o) => {
    const e = isObj(o) ? o['expression'] : null;
    return isObj(e) && (e['class'] === 'STAR' || (e['class'] === 'CONSTANT' && !appended));
  }));
}

/**
 * True when `next` is `prev` plus output columns and nothing else. Also looks through the
 * `with ... select * from final` pattern: the columns may be added in the CTE the star reads,
 * provided no other CTE reads that one.
 */
function addsColumnsOnly(prev: Obj, next: Obj): boolean {
  if (prev['type'] !== 'SELECT_NODE' || next['type'] !== 'SELECT_NODE') return false;
  // DISTINCT: a new column can change which rows there are.
  if (JSON.stringify(next['modifiers']).includes('DISTINCT')) return false;
  const groupByAll = next['aggregate_handling'] === 'FORCE_AGGREGATES';
  const a = prev['select_list'];
  const b = next['select_list'];
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  if (b.length > a.length && isSubsequence(a, b) && same(without(prev, 'select_list'), without(next, 'select_list'))) {
    const added = b.filter((x) => !a.some((y) => same(x, y)));
    if (ROW_CHANGING.test(JSON.stringify(added)) || limitFollowsColumns(next, isSubsequence(a, b.slice(0, a.length)))) return false;
    const wasAggregated = aggregates(prev);
    return added.every((x) => {
      const sc = scan(x);
      // GROUP BY ALL groups by every item that reads a column outside an aggregate: only an
      // aggregate or a constant leaves the groups alone (DuckDB refuses a mix of both).
      if (groupByAll && (sc.free || sc.opaque)) return false;
      // An aggregate added to a query that did not aggregate collapses its rows into one.
      return !sc.aggregate || wasAggregated;
    });
  }
  if (groupByAll || limitFollowsColumns(next, false)) return false;
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

/** Visits every object of the tree; `visit` returns true to stop (walk returns true), 'skip' not to descend. */
function walk(v: Json, visit: (o: Obj) => boolean | 'skip' | void): boolean {
  if (Array.isArray(v)) return v.some((x) => walk(x, visit));
  if (!isObj(v)) return false;
  const r = visit(v);
  if (r === true) return true;
  if (r === 'skip') return false;
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
