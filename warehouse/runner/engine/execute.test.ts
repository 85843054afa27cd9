import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { materialize, type BuildTarget } from './execute';
import { enumerate } from './intervals';
import { physicalRelation, quoteIdent } from '../names';
import { select, tableIntervals } from './state';
import { day, rawEvWarehouse, RAW_EV, type RawEvWarehouse, type FileModel, type Workspace } from '../test-fixtures';

let con: DuckDBConnection;
let ws: Workspace;
let wh: RawEvWarehouse;
beforeEach(async () => ({ con, ws } = wh = await rawEvWarehouse(`('2026-01-01 10:00', 'a', 5), ('2026-01-01 11:00', 'b', 7), ('2026-01-02 09:00', 'a', 1), ('2026-01-03 23:59:59', 'c', 2)`)));
afterEach(() => wh.close());

/** Builds `name` of these models at version v1, its parents read from their v1 tables. */
async function target(models: FileModel[], name: string, files: Record<string, string> = {}): Promise<BuildTarget> {
  ws.write([RAW_EV, ...models], files);
  const { compiled } = await ws.load();
  return {
    compiled: compiled.get(name)!, version: 'v1', root: ws.root,
    relationOf: (m) => (compiled.get(m)?.def.kind.name === 'EXTERNAL' ? m.split('.').map(quoteIdent).join('.') : physicalRelation(m, 'v1')),
  };
}

const table = (t: BuildTarget) => physicalRelation(t.compiled.def.name, t.version);
const DAYS = enumerate(day('2026-01-01'), day('2026-01-04'), 'day');

describe('materialize', () => {
  it('fills an incremental model per batch, filtering its output to the interval, and records the intervals', async () => {
    // The query ignores its interval on purpose: the output filter keeps each batch to its own days.
    const t = await target([{ name: 's.daily', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d, batch_size 2)'], query: 'select cast(ts as date) as d, player, sum(amount) as amount from raw.ev group by all' }], 's.daily');
    const r = await materialize(con, t, { intervals: DAYS.slice(0, 2), now: day('2026-01-05') });
    expect(r.computed).toEqual([[day('2026-01-01'), day('2026-01-03')]]);
    expect(await select(con, `select d::varchar as d, player, amount from ${table(t)} order by 1, 2`)).toEqual([
      { d: '2026-01-01', player: 'a', amount: 5n }, { d: '2026-01-01', player: 'b', amount: 7n }, { d: '2026-01-02', player: 'a', amount: 1n },
    ].map((x) => ({ ...x, amount: Number(x.amount) })));
    // recomputing a day replaces it, never duplicates it
    await con.run(`insert into raw.ev values ('2026-01-02 10:00', 'a', 10)`);
    await materialize(con, t, { intervals: [DAYS[1]!, DAYS[2]!], now: day('2026-01-05') });
    expect(await select(con, `select d::varchar as d, sum(amount)::int as amount from ${table(t)} group by 1 order by 1`)).toEqual([
      { d: '2026-01-01', amount: 12 }, { d: '2026-01-02', amount: 11 }, { d: '2026-01-03', amount: 2 },
    ]);
    expect((await tableIntervals(con, 's.daily', 'v1')).done).toEqual([[day('2026-01-01'), day('2026-01-04')]]);
  });

  it('commits each batch with its interval: a failing batch leaves the earlier ones and records nothing of its own', async () => {
    const t = await target([{ name: 's.daily', header: ['kind INCREMENTAL_BY_TIME_RANGE (time_column d, batch_size 1)'], query: `select cast(ts as date) as d, case when @start_ds = '2026-01-02' then error('boom') else 1 end as x from raw.ev` }], 's.daily');
    await expect(materialize(con, t, { intervals: DAYS, now: day('2026-01-05') })).rejects.toThrow(/boom/);
    expect((await tableIntervals(con, 's.daily', 'v1')).done).toEqual([DAYS[0]]);
  });

  it('merges a unique-key model: rows with a key already present are replaced', async () => {
    const t = await target([{ name: 's.players', header: ['kind INCREMENTAL_BY_UNIQUE_KEY (unique_key player)'], query: 'select player, max(ts) as last_at, sum(amount) as amount from raw.ev where ts >= @start_ts and ts <= @end_ts group by player' }], 's.players');
    await materialize(con, t, { intervals: [DAYS[0]!], now: day('2026-01-05') });
    await materialize(con, t, { intervals: [DAYS[1]!, DAYS[2]!], now: day('2026-01-05') });
    expect(await select(con, `select player, amount::int as amount from ${table(t)} order by 1`)).toEqual([
      { player: 'a', amount: 1 }, { player: 'b', amount: 7 }, { player: 'c', amount: 2 },
    ]);
  });

  it('builds FULL as a table, VIEW as a view, SEED from its CSV with declared types', async () => {
    const models: FileModel[] = [
      { name: 'seeds.games', header: ["kind SEED (path 'games.csv')", 'columns (game_id INTEGER, rtp DECIMAL(5,4))'] },
      { name: 'm.totals', header: ['kind FULL'], query: 'select player, sum(amount) as amount from raw.ev group by 1' },
      { name: 'm.v', header: ['kind VIEW'], query: 'select * from m.totals where amount > 2' },
    ];
    const csv = { 'seeds/games.csv': 'game_id,rtp\n1,0.97\n2,0.95\n' };
    const whole = [[day('2026-01-01'), day('2026-01-04')] as const];
    for (const name of ['seeds.games', 'm.totals', 'm.v']) await materialize(con, await target(models, name, csv), { intervals: whole, now: day('2026-01-04') });
    expect(await select(con, `select typeof(rtp) as t, count(*)::int as n from ${physicalRelation('seeds.games', 'v1')} group by 1`)).toEqual([{ t: 'DECIMAL(5,4)', n: 2 }]);
    expect(await select(con, `select player from ${physicalRelation('m.v', 'v1')} order by 1`)).toEqual([{ player: 'a' }, { player: 'b' }]);
    expect(await select(con, `select table_type from information_schema.tables where table_name = 'm__v__v1'`)).toEqual([{ table_type: 'VIEW' }]);
  });

  it('adds the columns a forward-only change introduces to the kept table', async () => {
    const kind = 'kind INCREMENTAL_BY_TIME_RANGE (time_column d, forward_only true)';
    const before = await target([{ name: 's.daily', header: [kind], query: 'select cast(ts as date) as d, sum(amount) as amount from raw.ev group by 1' }], 's.daily');
    await materialize(con, before, { intervals: [DAYS[0]!], now: day('2026-01-05') });
    const after = await target([{ name: 's.daily', header: [kind], query: 'select cast(ts as date) as d, sum(amount) as amount, count(*) as n from raw.ev group by 1' }], 's.daily');
    await materialize(con, after, { intervals: [DAYS[1]!], now: day('2026-01-05') });
    expect(await select(con, `select d::varchar as d, n::int as n from ${table(after)} order by 1`)).toEqual([{ d: '2026-01-01', n: null }, { d: '2026-01-02', n: 1 }]);
  });
});
