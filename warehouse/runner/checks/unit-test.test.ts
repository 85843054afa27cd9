/**
 * Unit tests run on fresh in-memory DuckDBs: passing, failing with messages that say which row and
 * column differ, per-CTE outputs, time macros from the test's vars, and values compared by meaning
 * (NULLs, 1 = 1.0, dates and timestamps by value).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../files/project';
import { model } from '../test-fixtures';
import type { ModelDef, Project, UnitTestDef } from '../types';
import { runUnitTest, runUnitTests } from './unit-test';

const events = model('raw.events', {
  kind: { name: 'EXTERNAL' },
  query: '',
  columns: { event_id: 'VARCHAR', event_type: 'VARCHAR', occurred_at: 'TIMESTAMP', event_date: 'DATE', player_id: 'VARCHAR', table_id: 'VARCHAR', jurisdiction: 'VARCHAR', payload: 'JSON' },
});
const upstream = new Map([[events.name, events]]);

/** models/marts/platform_events_daily.sql's query, as the first mart writes it. */
const daily = model('marts.platform_events_daily', {
  kind: { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'event_date', lookback: 2, forwardOnly: false },
  query: `SELECT
  event_date,
  event_type,
  coalesce(jurisdiction, '(none)') AS jurisdiction,
  count(*) AS events,
  count(DISTINCT player_id) AS players,
  count(DISTINCT table_id) AS tables
FROM raw.events
WHERE event_date BETWEEN @start_ds AND @end_ds
GROUP BY ALL
`,
});

const test = (t: Partial<UnitTestDef> & Pick<UnitTestDef, 'inputs' | 'outputs'>): UnitTestDef => ({
  name: 'test_x',
  model: daily.name,
  vars: {},
  where: { file: 'tests/test_x.yaml', line: 2 },
  ...t,
});

const rawRows = [
  { event_id: 'e1', event_type: 'player.registered', event_date: '2026-11-01', player_id: 'p1', table_id: null, jurisdiction: 'MT' },
  { event_id: 'e2', event_type: 'player.registered', event_date: '2026-11-01', player_id: 'p2', table_id: null, jurisdiction: 'MT' },
  { event_id: 'e3', event_type: 'wallet.hold.reserved', event_date: '2026-11-01', player_id: 'p1', table_id: 'roulette-1', jurisdiction: 'MT' },
  { event_id: 'e4', event_type: 'wallet.hold.reserved', event_date: '2026-11-01', player_id: 'p1', table_id: 'roulette-1', jurisdiction: 'MT' },
  { event_id: 'e5', event_type: 'ops.alert.raised', event_date: '2026-11-01', player_id: null, table_id: null, jurisdiction: null },
  { event_id: 'e6', event_type: 'player.registered', event_date: '2026-11-02', player_id: 'p3', table_id: null, jurisdiction: 'MT' },
];
const dailyExpected = [
  { event_date: '2026-11-01', event_type: 'player.registered', jurisdiction: 'MT', events: 2, players: 2, tables: 0 },
  { event_date: '2026-11-01', event_type: 'wallet.hold.reserved', jurisdiction: 'MT', events: 2, players: 1, tables: 1 },
  { event_date: '2026-11-01', event_type: 'ops.alert.raised', jurisdiction: '(none)', events: 1, players: 0, tables: 0 },
];
const nov1 = { start: '2026-11-01', end: '2026-11-01' };

describe('runUnitTest on the first mart', () => {
  it('passes: input rows under raw.events, time macros from vars, rows in any order', async () => {
    const r = await runUnitTest(test({ vars: nov1, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: [...dailyExpected].reverse() } }), daily, upstream);
    expect(r).toEqual({ name: 'test_x', where: { file: 'tests/test_x.yaml', line: 2 }, ok: true, failures: [] });
  });

  it('time macros select the interval: another day gives other rows', async () => {
    const r = await runUnitTest(
      test({ vars: { start: '2026-11-02', end: '2026-11-02' }, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: [{ event_date: '2026-11-02', event_type: 'player.registered', events: 1 }] } }),
      daily,
      upstream,
    );
    expect(r.failures).toEqual([]);
    // without vars, a fixed day (2026-01-01): no rows
    const none = await runUnitTest(test({ inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: [] } }), daily, upstream);
    expect(none.failures).toEqual([]);
  });

  it('fails with the row and column that differ, expected against got', async () => {
    const wrong = dailyExpected.map((r, i) => (i === 1 ? { ...r, players: 3 } : r));
    const r = await runUnitTest(test({ vars: nov1, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: wrong } }), daily, upstream);
    expect(r.ok).toBe(false);
    expect(r.failures).toEqual([
      'output: expected row 2 {event_date: "2026-11-01", event_type: "wallet.hold.reserved", jurisdiction: "MT", events: 2, players: 3, tables: 1} is closest to a returned row that differs in column players: expected 3, got 1',
    ]);
  });

  it('reports missing and unexpected rows, and the row count', async () => {
    const r = await runUnitTest(
      test({ vars: nov1, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: [dailyExpected[0]!, { event_date: '2026-11-01', event_type: 'x.y', jurisdiction: 'GB', events: 9, players: 9, tables: 9 }] } }),
      daily,
      upstream,
    );
    expect(r.failures).toEqual([
      'output: expected 2 rows, got 3',
      'output: expected row 2 {event_date: "2026-11-01", event_type: "x.y", jurisdiction: "GB", events: 9, players: 9, tables: 9} is closest to a returned row that differs in column event_type: expected "x.y", got "wallet.hold.reserved"; column jurisdiction: expected "GB", got "MT"; column events: expected 9, got 2; column players: expected 9, got 1; column tables: expected 9, got 1',
      'output: unexpected row {event_date: "2026-11-01", event_type: "ops.alert.raised", jurisdiction: "(none)", events: 1, players: 0, tables: 0}',
    ]);
  });

  it('names an expected column the query does not return, and an input column the upstream does not declare', async () => {
    const missing = await runUnitTest(test({ vars: nov1, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: [{ ...dailyExpected[0]!, ggr: 0 }] } }), daily, upstream);
    expect(missing.failures).toEqual(['output: column ggr is expected, but the query returns (event_date, event_type, jurisdiction, events, players, tables)']);
    const undeclared = await runUnitTest(test({ inputs: { 'raw.events': { rows: [{ event_id: 'e1', amount: 5 }] } }, outputs: { query: [] } }), daily, upstream);
    expect(undeclared.failures).toEqual([
      'input raw.events: amount not among the columns of raw.events (event_id, event_type, occurred_at, event_date, player_id, table_id, jurisdiction, payload)',
    ]);
  });
});

describe('per-CTE outputs', () => {
  const layered = model('marts.player_days', {
    query: `WITH registered AS (
  SELECT player_id, event_date FROM raw.events WHERE event_type = 'player.registered' -- a comment, (with parentheses
), per_day AS (
  SELECT event_date, count(*) AS players FROM registered GROUP BY event_date ORDER BY event_date
)
SELECT * FROM per_day ORDER BY event_date DESC;`,
  });

  it('checks each named CTE, ordered when the CTE has its own ORDER BY', async () => {
    const r = await runUnitTest(
      test({
        model: layered.name,
        inputs: { 'raw.events': { rows: rawRows } },
        outputs: {
          ctes: {
            registered: [{ player_id: 'p3', event_date: '2026-11-02' }, { player_id: 'p1', event_date: '2026-11-01' }, { player_id: 'p2', event_date: '2026-11-01' }],
            per_day: [{ event_date: '2026-11-01', players: 2 }, { event_date: '2026-11-02', players: 1 }],
          },
          query: [{ event_date: '2026-11-02', players: 1 }, { event_date: '2026-11-01', players: 2 }],
        },
      }),
      layered,
      upstream,
    );
    expect(r.failures).toEqual([]);
  });

  it('a CTE that differs, an ordered output in the wrong order, and an unknown CTE', async () => {
    const r = await runUnitTest(
      test({
        model: layered.name,
        inputs: { 'raw.events': { rows: rawRows } },
        outputs: {
          ctes: { per_day: [{ event_date: '2026-11-01', players: 3 }, { event_date: '2026-11-02', players: 1 }], daily: [] },
          query: [{ event_date: '2026-11-01', players: 2 }, { event_date: '2026-11-02', players: 1 }],
        },
      }),
      layered,
      upstream,
    );
    expect(r.failures).toEqual([
      'output row 1: column event_date: expected "2026-11-01", got "2026-11-02"; column players: expected 2, got 1',
      'output row 2: column event_date: expected "2026-11-02", got "2026-11-01"; column players: expected 1, got 2',
      'cte per_day row 1: column players: expected 3, got 2',
      'cte daily: the query has no such top-level CTE (it has registered, per_day)',
    ]);
  });
});

describe('CTE queries come from the parse tree', () => {
  it('keeps 64-bit constants exact and ignores text that only looks like SQL', async () => {
    const m = model('marts.big', {
      query: "WITH a AS (SELECT 9007199254740993::BIGINT AS x, 'WITH b AS (' AS s /* ) */), b AS (SELECT x + 1 AS y FROM a) SELECT * FROM b",
    });
    const r = await runUnitTest(test({ model: m.name, inputs: {}, outputs: { ctes: { a: [{ x: '9007199254740993', s: 'WITH b AS (' }] }, query: [{ y: '9007199254740994' }] } }), m, new Map());
    expect(r.failures).toEqual([]);
  });
});

describe('values compare by meaning', () => {
  const typed = model('marts.typed', {
    query: `SELECT
  1::INTEGER AS one, 1.50::DECIMAL(10, 2) AS dec, 0.1::DOUBLE + 0.2::DOUBLE AS sum, 9007199254740993::BIGINT AS big,
  DATE '2026-11-01' AS d, TIMESTAMP '2026-11-01 10:00:00.25' AS ts, TIMESTAMPTZ '2026-11-01 10:00:00+00' AS tz,
  NULL::VARCHAR AS nothing, true AS yes, [1, 2] AS list, {'a': 1} AS st`,
  });
  const run = (expected: Record<string, unknown>[]) => runUnitTest(test({ model: typed.name, inputs: {}, outputs: { query: expected } }), typed, new Map());

  it('numbers numerically, dates and timestamps by value, NULL = NULL', async () => {
    const r = await run([{
      one: 1.0, dec: 1.5, sum: 0.3, big: '9007199254740993', d: '2026-11-01', ts: '2026-11-01T10:00:00.250Z', tz: new Date('2026-11-01T10:00:00Z'),
      nothing: null, yes: true, list: [1, 2.0], st: { a: 1 },
    }]);
    expect(r.failures).toEqual([]);
  });

  it('and differences read plainly', async () => {
    const r = await run([{ one: '2', big: 9007199254740992, d: '2026-11-02', ts: '2026-11-01 10:00:00', nothing: 'x', yes: false, list: [2, 1] }]);
    expect(r.failures).toEqual([
      'output: expected row 1 {one: "2", big: 9007199254740992, d: "2026-11-02", ts: "2026-11-01 10:00:00", nothing: "x", yes: false, list: [2,1]} is closest to a returned row that differs in ' +
        'column one: expected "2", got 1; column big: expected 9007199254740992, got 9007199254740993; column d: expected "2026-11-02", got "2026-11-01"; ' +
        'column ts: expected "2026-11-01 10:00:00", got "2026-11-01 10:00:00.25"; column nothing: expected "x", got NULL; column yes: expected false, got true; column list: expected [2,1], got [1,2]',
    ]);
  });
});

describe('inputs', () => {
  it('types inferred from rows when the upstream schema is not known; {query} inputs', async () => {
    // the upstream reads a table outside the project: its columns cannot be derived
    const bets = model('staging.bets', { query: 'SELECT * FROM vendor.bets' });
    const monthly = model('marts.monthly', {
      query: "SELECT date_trunc('month', bet_date) AS month, sum(stake) AS stake, bool_and(settled) AS settled, max(placed_at) AS last FROM staging.bets JOIN staging.rates USING (currency) GROUP BY 1",
    });
    const r = await runUnitTest(
      test({
        model: monthly.name,
        inputs: {
          'staging.bets': { rows: [
            { bet_date: '2026-11-03', stake: 1.5, settled: true, currency: 'EUR', placed_at: '2026-11-03 10:00:00' },
            // an offset is honoured: 23:30 at +01:30 is 22:00 UTC
            { bet_date: '2026-11-20', stake: 2, settled: true, currency: 'EUR', placed_at: '2026-11-20T23:30:00+01:30' },
          ] },
          'staging.rates': { query: "SELECT 'EUR' AS currency, 1.0 AS rate" },
        },
        outputs: { query: [{ month: '2026-11-01', stake: 3.5, settled: true, last: '2026-11-20 22:00:00' }] },
      }),
      monthly,
      new Map([[bets.name, bets]]),
    );
    expect(r.failures).toEqual([]);
  });

  it("the upstream's columns derived from its query (no rows needed, absent columns NULL)", async () => {
    const deposits = model('staging.deposits', {
      query: "SELECT event_id AS deposit_id, event_date, player_id, (payload->>'$.amount_minor')::BIGINT AS amount_minor FROM raw.events WHERE event_type = 'wallet.deposit.completed'",
    });
    const perDay = model('marts.deposits_per_day', {
      query: 'SELECT event_date, count(*) AS deposits, count(player_id) AS with_player, sum(amount_minor) AS amount_minor FROM staging.deposits WHERE event_date BETWEEN @start_date AND @end_date GROUP BY ALL',
    });
    const ups = new Map([[events.name, events], [deposits.name, deposits]]);
    const empty = await runUnitTest(test({ model: perDay.name, inputs: { 'staging.deposits': { rows: [] } }, outputs: { query: [] } }), perDay, ups);
    expect(empty.failures).toEqual([]);
    // '2026-01-01' is a DATE because the upstream says so, and amount_minor a BIGINT
    const some = await runUnitTest(
      test({ model: perDay.name, inputs: { 'staging.deposits': { rows: [{ event_date: '2026-01-01', amount_minor: 5 }, { event_date: '2026-01-01', amount_minor: 7 }] } }, outputs: { query: [{ event_date: '2026-01-01', deposits: 2, with_player: 0, amount_minor: 12 }] } }),
      perDay,
      ups,
    );
    expect(some.failures).toEqual([]);
  });

  it('a VIEW upstream without an input is built from its own query over the inputs (a view of a view too); given as an input, it is a table', async () => {
    const currencies = model('seeds.currencies', { kind: { name: 'SEED', path: 'currencies.csv' }, query: '', columns: { code: 'VARCHAR', exponent: 'INTEGER' } });
    const envelope = model('staging.envelope', { kind: { name: 'VIEW' }, query: 'SELECT e.*, c.exponent AS currency_exponent FROM raw.events AS e LEFT JOIN seeds.currencies AS c ON c.code = e.currency' });
    const moneyOnly = model('staging.money_events', { kind: { name: 'VIEW' }, query: 'SELECT * FROM staging.envelope WHERE currency IS NOT NULL' });
    const perDay = model('marts.per_day', { query: 'SELECT event_date, count(*) AS events, max(currency_exponent) AS exponent FROM staging.money_events WHERE event_date BETWEEN @start_date AND @end_date GROUP BY ALL' });
    const moneyEvents = { ...events, columns: { ...events.columns, currency: 'VARCHAR' } };
    const ups = new Map([[moneyEvents.name, moneyEvents], [currencies.name, currencies], [envelope.name, envelope], [moneyOnly.name, moneyOnly]]);
    const rows = [
      { event_id: 'e1', event_type: 'wallet.deposit.completed', event_date: '2026-11-01', currency: 'BTC' },
      { event_id: 'e2', event_type: 'player.registered', event_date: '2026-11-01', currency: null },
    ];
    const viaViews = await runUnitTest(
      test({ model: perDay.name, vars: nov1, inputs: { 'raw.events': { rows }, 'seeds.currencies': { rows: [{ code: 'BTC', exponent: 8 }] } }, outputs: { query: [{ event_date: '2026-11-01', events: 1, exponent: 8 }] } }),
      perDay, ups,
    );
    expect(viaViews.failures).toEqual([]);
    // a parent of the view with no input is an empty table of its declared columns: the join finds no exponent
    const noSeed = await runUnitTest(
      test({ model: perDay.name, vars: nov1, inputs: { 'raw.events': { rows } }, outputs: { query: [{ event_date: '2026-11-01', events: 1, exponent: 8 }] } }),
      perDay, ups,
    );
    expect(noSeed.failures.join('\n')).toMatch(/exponent/);
    // the view given as an input: its rows, not its query
    const asInput = await runUnitTest(
      test({ model: perDay.name, vars: nov1, inputs: { 'staging.money_events': { rows: [{ event_date: '2026-11-01', currency_exponent: 2 }] } }, outputs: { query: [{ event_date: '2026-11-01', events: 1, exponent: 2 }] } }),
      perDay, ups,
    );
    expect(asInput.failures).toEqual([]);
  });

  it('an unknown macro or bad vars are failures naming the line', async () => {
    const typo = model('marts.typo', { query: 'SELECT 1 AS x\nWHERE @start_dss IS NOT NULL', where: { file: 'marts/typo.sql', line: 1 }, queryLine: 5 });
    const r = await runUnitTest(test({ model: typo.name, inputs: {}, outputs: { query: [] } }), typo, new Map());
    expect(r.failures).toHaveLength(1);
    expect(r.failures[0]).toMatch(/^marts\/typo\.sql:6: unknown macro @start_dss \(known here: @start_ds, /);
    const badVars = await runUnitTest(test({ model: daily.name, vars: { start: 'soon' }, inputs: {}, outputs: { query: [] } }), daily, upstream);
    expect(badVars.failures).toEqual(["tests/test_x.yaml:2: vars: start 'soon' is not a day (YYYY-MM-DD) or a timestamp"]);
  });

  it('a query that does not parse, or fails, is a failure, not a crash', async () => {
    const broken = model('marts.broken', { query: 'SELEC 1' });
    expect((await runUnitTest(test({ model: broken.name, inputs: {}, outputs: { query: [] } }), broken, new Map())).failures).toEqual([
      'the query of marts.broken does not parse: syntax error at or near "SELEC"',
    ]);
    const failing = model('marts.failing', { query: 'SELECT * FROM staging.nowhere' });
    const r = await runUnitTest(test({ model: failing.name, inputs: {}, outputs: { query: [] } }), failing, new Map());
    expect(r.failures[0]).toMatch(/^output: the query failed: Catalog Error: Table with name "staging.nowhere" does not exist/);
  });
});

describe('runUnitTests', () => {
  it('runs every test of the project and counts', async () => {
    const project: Project = {
      root: '/tmp/x',
      config: { start: '2026-01-01', cron: '@daily', janitorTtlHours: 168 },
      models: new Map<string, ModelDef>([[events.name, events], [daily.name, daily]]),
      audits: new Map(),
      macros: new Map(),
      tests: [
        test({ name: 'good', vars: nov1, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: dailyExpected } }),
        test({ name: 'bad', vars: nov1, inputs: { 'raw.events': { rows: rawRows } }, outputs: { query: [] } }),
        test({ name: 'orphan', model: 'marts.gone', inputs: {}, outputs: {} }),
      ],
    };
    const s = await runUnitTests(project);
    expect({ passed: s.passed, failed: s.failed }).toEqual({ passed: 1, failed: 2 });
    expect(s.results.map((r) => [r.name, r.ok, r.failures.length])).toEqual([['good', true, 0], ['bad', false, 4], ['orphan', false, 1]]);
    expect(s.results[2]!.failures).toEqual(['model marts.gone is not in the project']);
  });
});

describe('the project trees', () => {
  it('models/: every unit test of the real tree passes, the first mart\'s, the staging models\' and the duty rate\'s 2026-04-01 change among them', async () => {
    const project = await loadProject(fileURLToPath(new URL('../../../models', import.meta.url)));
    const s = await runUnitTests(project);
    expect(s.results.map((r) => [r.name, r.failures])).toEqual(s.results.map((r) => [r.name, []]));
    expect(s.results.map((r) => r.name)).toEqual(expect.arrayContaining(['test_platform_events_daily', 'test_stg_deposits', 'test_stg_bets', 'test_stg_duty_rate_daily']));
  });

  it('the compile fixture (fixtures/basic): seeds as inputs, CTE outputs, an empty input typed from its upstream', async () => {
    const project = await loadProject(fileURLToPath(new URL('../fixtures/basic', import.meta.url)));
    const s = await runUnitTests(project);
    expect(s.results.map((r) => [r.name, r.failures])).toEqual([['test_fct_ggr_daily', []], ['test_int_player_day', []]]);
  });
});
