/**
 * Audits against a real DuckDB table: every built-in passing and failing with its exact bad-row
 * count, the non-blocking variants, custom audits with defaults and overrides, errors that name the
 * model's file and line, and incremental models audited on the interval just built.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudits, type AuditInterval } from './audit';
import { loadProject } from '../files/project';
import { audit, auditDef, memoryDb, model, type Db } from '../test-fixtures';
import { ModelError, type AuditDef, type AuditRef, type ModelDef } from '../types';

const REL = '"wh_physical"."bets"';
/** A string literal as header.ts keeps it: `'won'` is { sql: "'won'" }, a bare `won` would be a column name. */
const lit = (s: string) => ({ sql: `'${s}'` });
let db: Db;

beforeAll(async () => {
  db = await memoryDb(
    'create schema wh_physical',
    `create table wh_physical.bets as select * from (values
       (1, 'p1', 'won', 10.0, DATE '2026-11-01', NULL::VARCHAR),
       (2, 'p1', 'lost', 5.0, DATE '2026-11-01', NULL),
       (3, 'p2', 'won', 0.0, DATE '2026-11-02', NULL),
       (3, 'p3', 'void', NULL, DATE '2026-11-02', NULL),
       (5, NULL, 'lost', 250.0, DATE '2026-11-03', NULL)
     ) t(bet_id, player_id, outcome, stake, bet_date, note)`,
    'create table wh_physical.empty (x INTEGER)',
  );
});
afterAll(() => db.close());

const bets = (audits: AuditRef[], overrides: Partial<ModelDef> = {}) => model('marts.bets', { audits, ...overrides });

async function one(ref: AuditRef, opts: { custom?: AuditDef[]; interval?: AuditInterval; model?: Partial<ModelDef>; relation?: string } = {}) {
  const [result] = await runAudits(db.con, {
    relation: opts.relation ?? REL,
    model: bets([ref], opts.model),
    customAudits: new Map((opts.custom ?? []).map((d) => [d.name, d])),
    interval: opts.interval,
  });
  return result!;
}

const badRows = async (name: string, args: AuditRef['args']) => (await one(audit(name, args))).badRows;

describe('built-in audits', () => {
  it('not_null: rows with a NULL in any listed column', async () => {
    expect(await badRows('not_null', { columns: ['bet_id', 'outcome'] })).toBe(0);
    expect(await badRows('not_null', { columns: ['player_id', 'stake'] })).toBe(2);
    // a single column may be written without brackets
    expect(await badRows('not_null', { columns: 'player_id' })).toBe(1);
  });

  it('unique_values: each column on its own, rows beyond the first of a value', async () => {
    expect(await badRows('unique_values', { columns: ['stake'] })).toBe(0);
    expect(await badRows('unique_values', { columns: ['bet_id'] })).toBe(1);
    expect(await badRows('unique_values', { columns: ['bet_id', 'outcome'] })).toBe(3);
    const r = await one(audit('unique_values', { columns: ['bet_id'] }));
    // the sample shows the offending row itself, not only a rank
    expect(r.sample).toHaveLength(1);
    expect(r.sample[0]).toMatchObject({ bet_id: 3 });
    expect(Object.keys(r.sample[0]!)).toEqual(['bet_id', 'player_id', 'outcome', 'stake', 'bet_date', 'note']);
  });

  it('unique_combination_of_columns: one bad row per repeated combination, with an optional condition', async () => {
    expect(await badRows('unique_combination_of_columns', { columns: ['bet_date', 'outcome'] })).toBe(0);
    const r = await one(audit('unique_combination_of_columns', { columns: ['player_id'] }));
    expect(r.badRows).toBe(1);
    expect(r.sample).toEqual([{ player_id: 'p1', duplicate_rows: 2 }]);
    expect(await badRows('unique_combination_of_columns', { columns: ['player_id'], condition: { sql: "outcome <> 'lost'" } })).toBe(0);
  });

  it('accepted_values and not_accepted_values', async () => {
    expect(await badRows('accepted_values', { column: 'outcome', is_in: [lit('won'), lit('lost'), lit('void')] })).toBe(0);
    expect(await badRows('accepted_values', { column: 'outcome', is_in: [lit('won'), lit('lost')] })).toBe(1);
    // NULL is neither accepted nor refused (SQL's NOT IN, as in SQLMesh)
    expect(await badRows('accepted_values', { column: 'player_id', is_in: [lit('p1'), lit('p2'), lit('p3')] })).toBe(0);
    expect(await badRows('accepted_values', { column: 'bet_id', is_in: [1, 2, 3] })).toBe(1);
    expect(await badRows('not_accepted_values', { column: 'outcome', is_in: [lit('cancelled')] })).toBe(0);
    expect(await badRows('not_accepted_values', { column: 'outcome', is_in: [lit('void'), lit('won')] })).toBe(3);
  });

  it('accepted_range: inclusive by default, open on a missing bound, NULL passes', async () => {
    expect(await badRows('accepted_range', { column: 'stake', min_v: 0, max_v: 250 })).toBe(0);
    expect(await badRows('accepted_range', { column: 'stake', min_v: 0, max_v: 250, inclusive: false })).toBe(2);
    expect(await badRows('accepted_range', { column: 'stake', min_v: 1 })).toBe(1);
    expect(await badRows('accepted_range', { column: 'stake', max_v: 9.99 })).toBe(2);
    // a date bound as a string literal, compared with a DATE column
    expect(await badRows('accepted_range', { column: 'bet_date', min_v: lit('2026-11-02') })).toBe(2);
  });

  it('number_of_rows: fails when the table has threshold rows or fewer (SQLMesh)', async () => {
    expect(await badRows('number_of_rows', { threshold: 4 })).toBe(0);
    const r = await one(audit('number_of_rows', { threshold: 5 }));
    expect(r).toMatchObject({ ok: false, badRows: 1, sample: [{ row_count: 5 }] });
  });

  it('at_least_one: fails on an all-NULL column, and on an empty table', async () => {
    expect(await badRows('at_least_one', { column: 'player_id' })).toBe(0);
    expect(await badRows('at_least_one', { column: 'note' })).toBe(1);
    const empty = await one(audit('at_least_one', { column: 'x' }), { relation: '"wh_physical"."empty"' });
    expect(empty).toMatchObject({ ok: false, badRows: 1, sample: [{ row_count: 0 }] });
  });

  it('forall: rows for which any criterion is false', async () => {
    expect(await badRows('forall', { criteria: [{ sql: 'stake >= 0' }, { sql: "outcome <> 'void' OR stake IS NULL" }] })).toBe(0);
    expect(await badRows('forall', { criteria: [{ sql: 'stake < 100' }, { sql: 'bet_id < 5' }] })).toBe(1);
    expect(await badRows('forall', { criteria: [{ sql: 'stake < 100' }, { sql: "outcome = 'won'" }] })).toBe(3);
  });

  it('keeps at most five bad rows and reports the SQL it ran', async () => {
    const r = await one(audit('forall', { criteria: [{ sql: 'false' }] }));
    expect(r.badRows).toBe(5);
    expect(r.sample).toHaveLength(5);
    expect(r.sql).toBe(`SELECT * FROM ${REL} WHERE (NOT ((false)))`);
  });

  it('runs every audit of the header in order, blocking unless _non_blocking or blocking := false', async () => {
    const results = await runAudits(db.con, {
      relation: REL,
      model: bets([
        audit('not_null', { columns: ['player_id'] }),
        audit('not_null_non_blocking', { columns: ['player_id'] }),
        audit('not_null', { columns: ['player_id'], blocking: false }),
        audit('unique_values_non_blocking', { columns: ['stake'] }),
      ]),
      customAudits: new Map(),
    });
    expect(results.map(({ audit, blocking, ok, badRows }) => ({ audit, blocking, ok, badRows }))).toEqual([
      { audit: 'not_null', blocking: true, ok: false, badRows: 1 },
      { audit: 'not_null_non_blocking', blocking: false, ok: false, badRows: 1 },
      { audit: 'not_null', blocking: false, ok: false, badRows: 1 },
      { audit: 'unique_values_non_blocking', blocking: false, ok: true, badRows: 0 },
    ]);
  });
});

describe('audit errors name the model file and line', () => {
  const error = async (ref: AuditRef, custom: AuditDef[] = []) => {
    const err = await one(ref, { custom, model: { where: { file: 'marts/bets.sql', line: 4 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    return (err as ModelError).message;
  };

  it('a missing argument', async () => {
    expect(await error(audit('not_null', {}))).toBe("marts/bets.sql:4: audit not_null: missing argument 'columns' (write not_null(columns := ...))");
    expect(await error(audit('accepted_range', { column: 'stake' }))).toBe('marts/bets.sql:4: audit accepted_range: needs min_v or max_v (or both)');
  });

  it('an unknown audit or argument', async () => {
    expect(await error(audit('not_nul', { columns: ['x'] }))).toMatch(/^marts\/bets\.sql:4: unknown audit 'not_nul' \(known: accepted_range, .*not_null.*\)$/);
    expect(await error(audit('not_null', { column: ['x'] }))).toBe("marts/bets.sql:4: audit not_null: unknown argument 'column' (it takes columns)");
  });

  it('a column that is not a plain identifier (no SQL through a column name)', async () => {
    expect(await error(audit('not_null', { columns: ['x; drop table bets'] }))).toBe('marts/bets.sql:4: audit not_null: columns: "x; drop table bets" is not a column name');
    expect(await error(audit('number_of_rows', { threshold: -1 }))).toBe('marts/bets.sql:4: audit number_of_rows: threshold must be a whole number >= 0, not -1');
  });

  it('a query DuckDB refuses names the audit file', async () => {
    const broken = auditDef('broken', 'SELECT * FROM @this_model WHERE no_such_column > 0', { where: { file: 'audits/broken.sql', line: 3 } });
    expect(await error(audit('broken'), [broken])).toMatch(/^audits\/broken\.sql:3: audit broken could not run: Binder Error/);
  });
});

describe('custom audits', () => {
  const stakeAbove = auditDef('stake_above', 'SELECT * FROM @this_model WHERE @column > @threshold; -- big bets\n', {
    defaults: { threshold: 100 },
    where: { file: 'audits/stake_above.sql', line: 1 },
  });

  it('substitutes @this_model and arguments, defaults unless the model overrides them', async () => {
    const byDefault = await one(audit('stake_above', { column: 'stake' }), { custom: [stakeAbove] });
    expect(byDefault).toMatchObject({ audit: 'stake_above', blocking: true, ok: false, badRows: 1 });
    expect(byDefault.sql).toBe(`SELECT * FROM ${REL} WHERE "stake" > 100`);
    expect((await one(audit('stake_above', { column: 'stake', threshold: 5 }), { custom: [stakeAbove] })).badRows).toBe(2);
    expect((await one(audit('stake_above', { column: 'stake', threshold: 1000 }), { custom: [stakeAbove] })).ok).toBe(true);
  });

  it('string literals, lists and SQL expressions as arguments; @ inside quotes left alone', async () => {
    const def = auditDef('outcome_in', "SELECT *, '@column' AS label FROM @this_model WHERE @column IN (@values) AND @extra");
    const r = await one(audit('outcome_in', { column: 'outcome', values: [lit('won'), lit('two words')], extra: { sql: 'stake > 1' } }), { custom: [def] });
    expect(r.sql).toBe(`SELECT *, '@column' AS label FROM ${REL} WHERE "outcome" IN ('won', 'two words') AND stake > 1`);
    expect(r.badRows).toBe(1);
  });

  it('a non-blocking audit file, or its _non_blocking name, only warns', async () => {
    const soft = auditDef('soft', 'SELECT * FROM @this_model WHERE stake IS NULL', { blocking: false });
    expect(await one(audit('soft'), { custom: [soft] })).toMatchObject({ blocking: false, ok: false, badRows: 1 });
    expect(await one(audit('stake_above_non_blocking', { column: 'stake' }), { custom: [stakeAbove] })).toMatchObject({ blocking: false, badRows: 1 });
  });

  it('an argument neither the model nor the defaults give is an error at the model header', async () => {
    const err = await one(audit('stake_above', { threshold: 5 }), { custom: [stakeAbove], model: { where: { file: 'marts/bets.sql', line: 4 } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toBe(
      "marts/bets.sql:4: audit 'stake_above' (audits/stake_above.sql:1) needs argument 'column': give it in this model's audits (stake_above(column := ...)) or as a default in the audit's header",
    );
  });
});

describe('incremental models', () => {
  const incremental: Partial<ModelDef> = { kind: { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'bet_date', lookback: 0, forwardOnly: false } };
  const utc = (day: string) => new Date(`${day}T00:00:00Z`);
  const days = (start: string, end: string) => ({ model: incremental, interval: { start: utc(start), end: utc(end) } });

  it('audits only the interval just built: [start, end)', async () => {
    expect((await one(audit('not_null', { columns: ['player_id'] }), days('2026-11-01', '2026-11-03'))).badRows).toBe(0);
    expect((await one(audit('not_null', { columns: ['player_id'] }), days('2026-11-03', '2026-11-04'))).badRows).toBe(1);
    expect((await one(audit('unique_values', { columns: ['bet_id'] }), days('2026-11-02', '2026-11-03'))).badRows).toBe(1);
    expect((await one(audit('number_of_rows', { threshold: 1 }), days('2026-11-02', '2026-11-03'))).ok).toBe(true);
    expect((await one(audit('number_of_rows', { threshold: 1 }), days('2026-11-03', '2026-11-04'))).ok).toBe(false);
  });

  it('custom audits see the filtered table as @this_model, and the time macros of the interval', async () => {
    const def = auditDef('has_void', "SELECT * FROM @this_model WHERE outcome = 'void'");
    expect((await one(audit('has_void'), { custom: [def], ...days('2026-11-02', '2026-11-03') })).badRows).toBe(1);
    expect((await one(audit('has_void'), { custom: [def], ...days('2026-11-01', '2026-11-02') })).badRows).toBe(0);
    // a full model's audit can use the interval's macros as well (SQLMesh renders them for audits)
    const since = auditDef('stake_since', 'SELECT * FROM @this_model WHERE bet_date BETWEEN @start_ds AND @end_ds AND stake > 1');
    const r = await one(audit('stake_since'), { custom: [since], interval: { start: utc('2026-11-01'), end: utc('2026-11-02') } });
    expect(r.sql).toBe(`SELECT * FROM ${REL} WHERE bet_date BETWEEN '2026-11-01' AND '2026-11-01' AND stake > 1`);
    expect(r.badRows).toBe(2);
  });

  it('a full model ignores the interval for @this_model: it was rebuilt whole', async () => {
    expect((await one(audit('not_null', { columns: ['player_id'] }), { interval: { start: utc('2026-11-01'), end: utc('2026-11-02') } })).badRows).toBe(1);
  });

  it('SQLMesh function macros in a custom audit are refused at their line', async () => {
    const def = auditDef('each', 'SELECT *\nFROM @this_model WHERE @EACH(@columns, c -> c IS NULL)', { where: { file: 'audits/each.sql', line: 1 }, queryLine: 2 });
    await expect(one(audit('each', { columns: ['stake'] }), { custom: [def] })).rejects.toThrow('audits/each.sql:3: @EACH(...) is a SQLMesh function macro');
  });
});

describe('audits as header.ts parses them', () => {
  it("fixtures/basic's fct_ggr_daily: SQLMesh syntax, built-ins and a _non_blocking custom audit", async () => {
    const project = await loadProject(fileURLToPath(new URL('../fixtures/basic', import.meta.url)));
    const fct = project.models.get('marts.fct_ggr_daily')!;
    await db.con.run(`create or replace table wh_physical.ggr as select * from (values
      ('t1', DATE '2026-01-01', 2, 14.60::DECIMAL(18, 2), 10.60::DECIMAL(18, 2)),
      ('t1', DATE '2026-01-01', 1, 1.00, 2.00),
      (NULL, DATE '2026-01-02', 1, 1.00, -2000000.00)
    ) t(table_id, event_date, bets, stakes_eur, ggr_eur)`);
    const results = await runAudits(db.con, { relation: '"wh_physical"."ggr"', model: fct, customAudits: project.audits });
    expect(results.map(({ audit, blocking, badRows }) => ({ audit, blocking, badRows }))).toEqual([
      { audit: 'not_null', blocking: true, badRows: 1 },
      { audit: 'unique_combination_of_columns', blocking: true, badRows: 1 },
      { audit: 'accepted_range', blocking: true, badRows: 1 },
      // header.ts strips the _non_blocking suffix into blocking: false
      { audit: 'ggr_consistent', blocking: false, badRows: 1 },
    ]);
  });
});

describe("a VIEW's audits", () => {
  it("compute the view once for all its audits, not once per audit, and leave nothing behind", async () => {
    // Every row the view computes draws a number: the sequence counts the view's evaluations.
    const view = await memoryDb(
      'create schema wh_physical',
      'create sequence wh_physical.evaluated',
      "create view wh_physical.balances as select i as player, nextval('wh_physical.evaluated') as draw from range(100) t(i)",
    );
    try {
      const audits = [audit('not_null', { columns: ['player', 'draw'] }), audit('unique_values', { columns: ['player'] }), audit('forall', { criteria: [{ sql: 'draw > 0' }] })];
      const results = await runAudits(view.con, { relation: '"wh_physical"."balances"', model: model('marts.balances', { kind: { name: 'VIEW' }, audits }), customAudits: new Map() });
      expect(results.map((r) => [r.audit, r.ok])).toEqual([['not_null', true], ['unique_values', true], ['forall', true]]);
      const [{ n }] = (await view.con.runAndReadAll("select currval('wh_physical.evaluated') as n")).getRowObjects() as [{ n: bigint }];
      expect(Number(n)).toBe(100);
      const temp = (await view.con.runAndReadAll("select count(*)::int as n from duckdb_tables() where temporary")).getRowObjects()[0]!;
      expect(temp.n).toBe(0);
    } finally {
      view.close();
    }
  });
});
