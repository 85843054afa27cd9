import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGGREGATES, isNonBreaking, outputFollowsStar } from './categorize';
import { normalize } from '../compile/compile';
import type { Json } from '../compile/columns';
import { stateDb } from '../test-fixtures';

let db: Awaited<ReturnType<typeof stateDb>>;
beforeAll(async () => { db = await stateDb(); });
afterAll(() => db.close());

/** The query's node without locations, as compile.ts stores it. */
async function tree(sql: string): Promise<string> {
  const r = await db.con.runAndReadAll(`select json_serialize_sql('${sql.replaceAll("'", "''")}')`);
  const parsed = JSON.parse(String(r.getRows()[0]![0])) as { statements: { node: Json }[] };
  return normalize(parsed.statements[0]!.node);
}

const nonBreaking = async (a: string, b: string) => isNonBreaking(await tree(a), await tree(b));

describe('isNonBreaking', () => {
  it('accepts added output columns and nothing else', async () => {
    expect(await nonBreaking('select a, sum(x) as s from t group by a', 'select a, sum(x) as s, count(*) as n from t group by a')).toBe(true);
    expect(await nonBreaking('select a, b from t', 'select a, 1 as one, b from t')).toBe(true);
    expect(await nonBreaking('with f as (select a from t) select * from f', 'with f as (select a, b from t) select * from f')).toBe(true);
  });

  it('calls breaking whatever changes rows, types or existing columns', async () => {
    expect(await nonBreaking('select a, b from t', 'select a, b from t where a > 1')).toBe(false);
    expect(await nonBreaking('select a, b from t', 'select a, b + 1 as b from t')).toBe(false);
    expect(await nonBreaking('select a, b from t', 'select a from t')).toBe(false);
    expect(await nonBreaking('select a, b from t', 'select b, a from t')).toBe(false);
    expect(await nonBreaking('select distinct a from t', 'select distinct a, b from t')).toBe(false);
    expect(await nonBreaking('select a, sum(x) as s from t group by all', 'select a, b, sum(x) as s from t group by all')).toBe(false);
    // ORDER BY ALL ... LIMIT: a new column is a new sort key, so other rows make the cut
    expect(await nonBreaking('select a, b from t order by all limit 10', 'select a, b, c from t order by all limit 10')).toBe(false);
    expect(await nonBreaking('select a, b from t order by 2 desc limit 10', 'select a, c, b from t order by 2 desc limit 10')).toBe(false);
    // an aggregate added to a query that did not aggregate turns its rows into one
    expect(await nonBreaking("select 'x' as k from t", "select 'x' as k, count(*) as n from t")).toBe(false);
    expect(await nonBreaking("select 'x' as k from t group by all", "select 'x' as k, count(*) as n from t group by all")).toBe(false);
    expect(await nonBreaking('select a from t', 'select a, unnest(l) as u from t')).toBe(false);
    // a CTE read by another CTE: its new column could change that one
    expect(await nonBreaking('with f as (select a from t), g as (select * from f) select * from f', 'with f as (select a, b from t), g as (select * from f) select * from f')).toBe(false);
  });
});

describe('GROUP BY ALL', () => {
  it('an added aggregate (or constant) is no group key: non-breaking; a column, a window or a mix is breaking', async () => {
    const q = 'select a, sum(x) as s from t group by all';
    expect(await nonBreaking(q, 'select a, sum(x) as s, count(*) as n from t group by all')).toBe(true);
    expect(await nonBreaking(q, 'select a, sum(x) as s, max(b) filter (where c > 0) / nullif(count(distinct d), 0) as r from t group by all')).toBe(true);
    expect(await nonBreaking(q, "select a, 'v1' as tag, sum(x) as s from t group by all")).toBe(true);
    expect(await nonBreaking(q, 'select a, sum(x) as s, b from t group by all')).toBe(false);
    expect(await nonBreaking(q, 'select a, sum(x) as s, upper(b) as ub from t group by all')).toBe(false);
    expect(await nonBreaking(q, 'select a, sum(x) as s, row_number() over (order by a) as rn from t group by all')).toBe(false);
    expect(await nonBreaking(q, 'select a, sum(x) as s, (select max(y) from u) as m from t group by all')).toBe(false);
    expect(await nonBreaking(q, 'select a, sum(x) as s, s * 2 as d from t group by all')).toBe(false); // an alias is a column here
  });

  it('knows only names that are aggregates and nothing else in this DuckDB', async () => {
    const r = await db.con.runAndReadAll(`select distinct function_name from duckdb_functions() where function_type <> 'aggregate'`);
    const other = new Set(r.getRows().map((x) => String(x[0])));
    expect([...AGGREGATES].filter((f) => other.has(f))).toEqual([]);
    const a = await db.con.runAndReadAll(`select distinct function_name from duckdb_functions() where function_type = 'aggregate'`);
    const aggregates = new Set(a.getRows().map((x) => String(x[0])));
    expect([...AGGREGATES].filter((f) => !aggregates.has(f))).toEqual([]);
  });
});

describe('outputFollowsStar', () => {
  it('finds stars that carry the parent columns to the output, through CTEs and subqueries', async () => {
    expect(outputFollowsStar(await tree('select * from s.p'), 's.p')).toBe(true);
    expect(outputFollowsStar(await tree('with x as (select * from s.p) select * from x'), 's.p')).toBe(true);
    expect(outputFollowsStar(await tree('select * from (select * from s.p) q join s.o using (id)'), 's.p')).toBe(true);
    expect(outputFollowsStar(await tree('with x as (select * from s.p) select a, b from x'), 's.p')).toBe(false);
    expect(outputFollowsStar(await tree('with x as (select a from s.p), final as (select * from x) select * from final'), 's.p')).toBe(false);
    expect(outputFollowsStar(await tree('select * from s.other'), 's.p')).toBe(false);
  });
});
