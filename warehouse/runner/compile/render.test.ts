/** The SQL as executed: references and macros replaced in the original text, and it runs. */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { rows } from '../../db';
import { compileProject } from './compile';
import { parseModel } from '../files/header';
import { buildDag } from './dag';
import { timeMacros } from '../files/macros';
import { quoteIdent } from '../names';
import { loadProject, seedPath } from '../files/project';
import { renderQuery } from './render';

describe('renderQuery', () => {
  it('replaces references and macros in the original text', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const project = await loadProject(join(import.meta.dirname, '..', 'fixtures', 'basic'));
    const compiled = await compileProject(project, con);
    const day = timeMacros({ start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-01-02T00:00:00Z') }, new Date('2026-01-02T00:05:00Z'));
    const relationOf = (m: string) => `${quoteIdent('t')}.${quoteIdent(m.replace('.', '__'))}`;

    const sql = renderQuery(compiled.get('marts.fct_ggr_daily')!, { relationOf, macros: day });
    expect(sql).toContain('FROM "t"."staging__stg_bets" AS b\nJOIN "t"."seeds__fx_rates" AS fx USING (currency)');
    expect(sql).toContain("WHERE b.event_date BETWEEN CAST('2026-01-01' AS DATE) AND CAST('2026-01-01' AS DATE)");
    // the comment with '@not_a_macro' and @nor_this survives untouched
    expect(renderQuery(compiled.get('staging.stg_bets')!, { relationOf, macros: {} })).toContain("from \"t\".\"raw__events\" as e\nwhere e.event_type = 'table.bet.settled'  -- '@not_a_macro' in a string, @nor_this in a comment");
    expect(() => renderQuery(compiled.get('intermediate.int_player_day')!, { relationOf, macros: {} }))
      .toThrow('intermediate/int_player_day.sql:11: macro @start_ds has no value here (given: none)');

    // Every rendered query runs, parents first, on a tiny raw.events.
    await con.run('create schema t');
    await con.run(`create table t.raw__events as select 'e1' as event_id, 'table.bet.settled' as event_type, 1 as schema_version, timestamp '2026-01-01 10:00' as occurred_at,
      date '2026-01-01' as event_date, 'p1' as player_id, 't1' as table_id, 'r1' as round_id, 'mt' as jurisdiction, 'USD' as currency,
      '{"stake_minor": 500, "win_minor": 100}'::json as payload, 'o' as source_object, 1 as load_run, now() as loaded_at`);
    for (const name of buildDag(compiled).order) {
      const c = compiled.get(name)!;
      if (c.def.kind.name === 'EXTERNAL') continue;
      const body = c.def.kind.name === 'SEED' ? `select * from read_csv(${`'${seedPath(project, c.def)}'`})` : renderQuery(c, { relationOf, macros: day });
      await con.run(`create table ${relationOf(name)} as (${body})`);
    }
    expect(await rows(con, 'select table_id, event_date::varchar as d, bets, stakes_eur::double as s, ggr_eur::double as g from t.marts__fct_ggr_daily'))
      .toEqual([{ table_id: 't1', d: '2026-01-01', bets: 1, s: 4.6, g: 3.68 }]);
    con.closeSync(); instance.closeSync();
  });

  it('drops a trailing semicolon and keeps a trailing comment wrappable', () => {
    const def = parseModel('MODEL (name a.b);\nselect 1 as x; -- done\n;\n', 'a/b.sql');
    expect(renderQuery({ def, refs: [] }, { relationOf: () => '', macros: {} })).toBe('select 1 as x -- done\n');
  });
});
