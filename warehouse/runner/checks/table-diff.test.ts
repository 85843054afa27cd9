/**
 * The row-level diff on real DuckDB tables standing for prod and dev versions of a model: exact
 * counts of added, removed and changed rows, NULL-safe comparisons (in values and in the grain),
 * float tolerance, schema changes, and the errors an analyst can meet (no grain, repeated grain).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffTables, formatDiff, type DiffOptions } from './table-diff';
import { memoryDb, model, type Db } from '../test-fixtures';
import { ModelError } from '../types';

let db: Db;
const PROD = '"marts"."bets"';
const DEV = '"marts__dev"."bets"';

beforeAll(async () => {
  db = await memoryDb(
    'create schema marts',
    'create schema marts__dev',
    `create table marts.bets as select * from (values
       (1, 'p1', 'won', 10.0::DOUBLE, 1::INTEGER, 'a'),
       (2, 'p1', 'lost', 5.0, 1, NULL),
       (3, 'p2', 'won', 0.1::DOUBLE + 0.2::DOUBLE, 1, 'c'),
       (4, 'p3', 'void', NULL, 1, 'd'),
       (5, NULL, 'lost', 250.0, 1, 'e'),
       (8, 'p9', 'won', 3.0, 1, 'x')
     ) t(bet_id, player_id, outcome, stake, rounds, note)`,
    `create table marts__dev.bets as select * from (values
       (1, 'p1', 'won', 10.0::DOUBLE, 2::BIGINT, 'EUR'),
       (2, 'p1', 'won', 5.0, 1, 'EUR'),
       (3, 'p2', 'won', 0.3, 1, 'EUR'),
       (4, 'p3', 'void', 7.0, 1, 'EUR'),
       (5, NULL, 'lost', 250.0, 1, 'EUR'),
       (6, 'p4', 'won', 1.0, 1, 'EUR'),
       (7, 'p5', 'lost', 2.0, 1, 'EUR')
     ) t(bet_id, player_id, outcome, stake, rounds, currency)`,
    'create table marts__dev.bets_dup as select * from marts__dev.bets union all select * from marts__dev.bets where bet_id in (2, 3)',
  );
});
afterAll(() => db.close());

const bets = model('marts.bets', { grain: ['bet_id'], where: { file: 'marts/bets.sql', line: 3 } });
const diff = (opts: Partial<DiffOptions> = {}) => diffTables(db.con, { model: bets, left: PROD, right: DEV, labels: { left: 'prod', right: 'dev' }, ...opts });

describe('diffTables', () => {
  it('counts rows added, removed and changed per column, NULL-safe, on the grain', async () => {
    const d = await diff();
    expect(d).toMatchObject({ leftRows: 6, rightRows: 7, matched: 5, rowsChanged: 3, grain: ['bet_id'] });
    expect(d.added.count).toBe(2);
    expect(d.added.sample.map((r) => r.bet_id)).toEqual([6, 7]);
    expect(d.removed).toEqual({ count: 1, sample: [{ bet_id: 8, player_id: 'p9', outcome: 'won', stake: 3, rounds: 1, note: 'x' }] });
    expect(d.changed).toEqual([
      { column: 'outcome', changed: 1, sample: [{ key: { bet_id: 2 }, left: 'lost', right: 'won' }] },
      // NULL -> 7 is a change; 0.1 + 0.2 against 0.3 is not (float tolerance); NULL player = NULL player
      { column: 'stake', changed: 1, sample: [{ key: { bet_id: 4 }, left: null, right: 7 }] },
      // INTEGER against BIGINT compares as numbers: only the real change counts
      { column: 'rounds', changed: 1, sample: [{ key: { bet_id: 1 }, left: 1, right: 2 }] },
    ]);
  });

  it('reports columns only on one side and type changes', async () => {
    const d = await diff();
    expect(d.schemaChanges).toEqual([
      { column: 'note', change: 'only_left', left: 'VARCHAR' },
      { column: 'currency', change: 'only_right', right: 'VARCHAR' },
      { column: 'rounds', change: 'type', left: 'INTEGER', right: 'BIGINT' },
    ]);
  });

  it('compares floats exactly with tolerance 0', async () => {
    const d = await diff({ tolerance: 0 });
    expect(d.changed.find((c) => c.column === 'stake')?.changed).toBe(2);
    expect(d.rowsChanged).toBe(4);
  });

  it('joins a composite grain NULL-safely, and bounds samples', async () => {
    const d = await diff({ grain: ['player_id', 'bet_id'], sample: 1 });
    // bet 5 has a NULL player on both sides: the same row, not one added and one removed
    expect(d).toMatchObject({ matched: 5, added: { count: 2 }, removed: { count: 1 } });
    expect(d.added.sample).toHaveLength(1);
  });

  it('finds nothing between a table and itself', async () => {
    const d = await diff({ right: PROD });
    expect(d).toMatchObject({ leftRows: 6, rightRows: 6, matched: 6, rowsChanged: 0, added: { count: 0, sample: [] }, removed: { count: 0, sample: [] }, changed: [], schemaChanges: [] });
    expect(formatDiff(d)).toContain('no differences');
  });
});

describe('diff errors', () => {
  const error = async (opts: Partial<DiffOptions>) => {
    const err = await diff(opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    return (err as ModelError).message;
  };

  it('a model without a grain: suggests adding one', async () => {
    expect(await error({ model: model('marts.bets', { where: { file: 'marts/bets.sql', line: 3 } }) })).toBe(
      'marts/bets.sql:3: marts.bets has no grain, and a row-level diff joins the two sides on it: add one to its header, e.g. grain [event_date, player_id]',
    );
  });

  it('a grain that repeats, or that one side lacks', async () => {
    expect(await error({ right: '"marts__dev"."bets_dup"' })).toBe(
      'marts/bets.sql:3: the grain (bet_id) is not unique in dev: 2 keys repeat, e.g. {"bet_id":2} (2 rows); audit it with unique_combination_of_columns',
    );
    expect(await error({ grain: ['note'] })).toBe("marts/bets.sql:3: grain column 'note' is not in dev");
    expect(await error({ grain: ['bet_id; drop table x'] })).toBe("marts/bets.sql:3: grain column 'bet_id; drop table x' is not a column name");
  });

  it('a side that does not exist', async () => {
    expect(await error({ right: '"marts__nope"."bets"' })).toMatch(/^marts\/bets\.sql:3: cannot read dev \("marts__nope"\."bets"\): Catalog Error/);
  });
});

describe('formatDiff', () => {
  it('summarises, then shows per-column counts and samples', async () => {
    const text = formatDiff(await diff());
    expect(text.split('\n')).toEqual([
      'marts.bets: prod 6 rows, dev 7 rows, joined on (bet_id)',
      'schema: column note only in prod (VARCHAR)',
      'schema: column currency only in dev (VARCHAR)',
      'schema: column rounds is INTEGER in prod, BIGINT in dev',
      'rows: 2 only in dev (added), 1 only in prod (removed), 5 in both, 3 of them changed',
      '',
      'column   changed  of matched',
      '-------  -------  ----------',
      'outcome  1        20.0%',
      'stake    1        20.0%',
      'rounds   1        20.0%',
      '',
      'only in dev (first 2 of 2):',
      'bet_id  player_id  outcome  stake  rounds  currency',
      '------  ---------  -------  -----  ------  --------',
      '6       p4         won      1      1       EUR',
      '7       p5         lost     2      1       EUR',
      '',
      'only in prod (first 1 of 1):',
      'bet_id  player_id  outcome  stake  rounds  note',
      '------  ---------  -------  -----  ------  ----',
      '8       p9         won      3      1       x',
      '',
      'outcome changed (first 1 of 1):',
      'bet_id  prod  dev',
      '------  ----  ---',
      '2       lost  won',
      '',
      'stake changed (first 1 of 1):',
      'bet_id  prod  dev',
      '------  ----  ---',
      '4             7',
      '',
      'rounds changed (first 1 of 1):',
      'bet_id  prod  dev',
      '------  ----  ---',
      '1       1     2',
    ]);
  });
});
