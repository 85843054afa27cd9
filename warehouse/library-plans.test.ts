/**
 * The model library's query plans, checked for the join DuckDB falls back to when a join condition
 * is not a plain comparison of the two sides: BLOCKWISE_NL_JOIN compares every left row with every
 * right row, so its cost grows with the square of the data. It happened twice with a predicate on
 * the left table alone inside a LEFT JOIN's ON (`ON b.bet_source = 'table' AND h.hold_id = b.hold_id`):
 * marts.rg_risk (bets x wins) and intermediate.int_gaming_activity (bets x table holds, the W2
 * bench's slowest model: 314 s at 1M events, ~40x the floor's CPU for 10x the events at 10M).
 *
 * Fast: every model is planned (EXPLAIN, not run) over empty tables in a temp warehouse, in DAG
 * order, each model created empty for its children. Join choice does not depend on row counts here:
 * the same models are flagged on an empty and on a 1M-event warehouse.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openWarehouse } from './db';
import { compileProject } from './runner/compile/compile';
import { buildDag } from './runner/compile/dag';
import { renderQuery } from './runner/compile/render';
import { createMacros } from './runner/engine/execute';
import { timeMacros } from './runner/files/macros';
import { loadProject } from './runner/files/project';
import { quoteIdent } from './runner/names';
import { REPO_ROOT } from './source/local-r2';

/** Models whose nested-loop join is over a few dozen rows whatever the events: cohort x age cells of the LTV chain ladder. */
const SMALL_INPUTS = new Map([
  ['intermediate.int_ltv_development_factors', 'cutoffs x development pairs: cohorts x ages (tens of rows)'],
  ['marts.player_ltv_backtest', 'factors x cohorts by age range: cohorts x ages (tens of rows)'],
]);

const dir = mkdtempSync(join(tmpdir(), 'wh-library-plans-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('no model of the library plans a BLOCKWISE_NL_JOIN over event-sized inputs', async () => {
  const wh = await openWarehouse(join(dir, 'casino.duckdb'));
  try {
    const con = wh.con;
    const project = await loadProject(resolve(REPO_ROOT, 'models'));
    const compiled = await compileProject(project, con);
    const plain = (name: string) => name.split('.').map(quoteIdent).join('.');
    const macros = timeMacros({ start: new Date('2026-01-01T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z') }, new Date('2026-11-21T00:00:00Z'));
    const flagged: string[] = [];
    for (const name of buildDag(compiled).order) {
      const c = compiled.get(name)!;
      const kind = c.def.kind.name;
      if (kind === 'EXTERNAL') continue;
      await con.run(`create schema if not exists ${quoteIdent(name.split('.')[0]!)}`);
      if (kind === 'SEED') {
        await con.run(`create table ${plain(name)} (${Object.entries(c.def.columns).map(([n, t]) => `${quoteIdent(n)} ${t}`).join(', ')})`);
        continue;
      }
      await createMacros(con, c); // the SQL macro versions it calls (models/macros/)
      const query = renderQuery(c, { relationOf: plain, macros: { ...macros, this_model: plain(name) } });
      const plan = (await con.runAndReadAll(`explain ${query}`)).getRows().map((r) => String(r[1])).join('\n');
      if (plan.includes('BLOCKWISE_NL_JOIN') && !SMALL_INPUTS.has(name)) flagged.push(name);
      await con.run(kind === 'VIEW' ? `create view ${plain(name)} as ${query}` : `create table ${plain(name)} as select * from (${query}) limit 0`);
    }
    expect(flagged, 'these models join with a nested loop: move a one-sided predicate out of the ON, or make it a key (see int_gaming_activity)').toEqual([]);
  } finally {
    wh.close();
  }
}, 120_000);
