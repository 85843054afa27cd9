import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonBreaking, outputFollowsStar } from './categorize';
import { normalize } from './compile';
import type { Json } from './columns';
import { memoryDb } from './test-models';

let db: Awaited<ReturnType<typeof memoryDb>>;
beforeAll(async () => { db = await memoryDb(); });
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
    expect(await nonBreaking('select a from t', 'select a, unnest(l) as u from t')).toBe(false);
    // a CTE read by another CTE: its new column could change that one
    expect(await nonBreaking('with f as (select a from t), g as (select * from f) select * from f', 'with f as (select a, b from t), g as (select * from f) select * from f')).toBe(false);
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
