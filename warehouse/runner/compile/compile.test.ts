/** Compiling with DuckDB's own parser: parents, exact reference spans, versions, and every error at its line. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileProject } from './compile';
import { loadProject } from '../files/project';

const fixture = (...p: string[]) => join(import.meta.dirname, '..', 'fixtures', ...p);
let instance: DuckDBInstance;
let con: DuckDBConnection;
const tmp: string[] = [];
beforeAll(async () => { instance = await DuckDBInstance.create(':memory:'); con = await instance.connect(); });
afterAll(() => { con.closeSync(); instance.closeSync(); for (const d of tmp) rmSync(d, { recursive: true, force: true }); });

const compileError = (dir: string) => loadProject(fixture('broken', dir)).then((p) => compileProject(p, con)).then(() => 'no error', (e: Error) => `${e.name}: ${e.message}`);

const EVENTS = 'MODEL (name raw.events, kind EXTERNAL, columns (event_id VARCHAR, event_date DATE, player_id VARCHAR, amount BIGINT));\n';
/** A throwaway project of raw.events and one model file `marts/m.sql`. */
async function compileOne(modelFile: string) {
  const root = mkdtempSync(join(tmpdir(), 'wh-compile-'));
  tmp.push(root);
  mkdirSync(join(root, 'raw')); mkdirSync(join(root, 'marts'));
  writeFileSync(join(root, 'raw', 'events.sql'), EVENTS);
  writeFileSync(join(root, 'marts', 'm.sql'), modelFile);
  return (await compileProject(await loadProject(root), con)).get('marts.m')!;
}

const BASE = `MODEL (name marts.m, kind FULL, owner jen, description 'per player');
select player_id, sum(amount) as total
from raw.events
where event_date >= @start_ds
group by player_id
`;

describe('compileProject', () => {
  it('finds each parent and the exact text of each reference', async () => {
    const compiled = await compileProject(await loadProject(fixture('basic')), con);
    const fct = compiled.get('marts.fct_ggr_daily')!;
    expect(fct.parents).toEqual(['seeds.fx_rates', 'staging.stg_bets']);
    expect(fct.refs.map((r) => [r.name, fct.def.query.slice(r.start, r.end)])).toEqual([['staging.stg_bets', 'staging.stg_bets'], ['seeds.fx_rates', 'seeds.fx_rates']]);
    expect(compiled.get('intermediate.int_player_day')!.parents).toEqual(['staging.stg_bets', 'staging.stg_deposits']);
    expect(compiled.get('marts.rpt_activity')!.parents).toEqual(['staging.stg_bets', 'staging.stg_deposits']);
    expect(compiled.get('raw.events')!.parents).toEqual([]);
    // quoted and spaced names: the span covers the whole written text
    const m = await compileOne('MODEL (name marts.m, kind VIEW);\nselect * from "RAW" . "events" e join raw.EVENTS using (event_id)');
    expect(m.refs.map((r) => m.def.query.slice(r.start, r.end))).toEqual(['"RAW" . "events"', 'raw.EVENTS']);
    expect(m.parents).toEqual(['raw.events']);
  });

  it('derives the output columns, expanding * where the source columns are known', async () => {
    const compiled = await compileProject(await loadProject(fixture('basic')), con);
    expect(compiled.get('intermediate.int_player_day')!.outputColumns).toEqual(['player_id', 'event_date', 'staked_minor', 'ggr_minor', 'deposited_minor']);
    expect(compiled.get('marts.fct_ggr_daily')!.outputColumns).toEqual(['table_id', 'event_date', 'bets', 'stakes_eur', 'ggr_eur']);
    expect(compiled.get('seeds.fx_rates')!.outputColumns).toEqual(['currency', 'eur_per_unit']);
    expect((await compileOne('MODEL (name marts.m);\nselect * exclude (amount), amount + 1, from raw.events')).outputColumns)
      .toEqual(['event_id', 'event_date', 'player_id', '?']);
    expect((await compileOne("MODEL (name marts.m);\nselect * from read_csv('x.csv')")).outputColumns).toEqual(['*']);
    expect((await compileOne("MODEL (name marts.m, columns (a INT));\nselect * from read_csv('x.csv')")).outputColumns).toEqual(['a']);
  });

  it('respects CTE scopes: CTEs (nested, recursive, named like tables) and table functions are not dependencies', async () => {
    const compiled = await compileProject(await loadProject(fixture('cte-scope')), con);
    const m = compiled.get('staging.stg_players')!;
    expect(m.parents).toEqual(['raw.events']);
    expect(m.refs.map((r) => m.def.query.slice(r.start, r.end))).toEqual(['raw.events', 'raw.events']);
    expect(m.outputColumns).toEqual(['player_id', 'n', 'd']);
    // a CTE is only visible in its own query: the same name outside it is a table again
    await expect(compileOne('MODEL (name marts.m);\nselect * from (with events as (select 1) select * from events) s,\n  events'))
      .rejects.toThrow('marts/m.sql:3: table events is not schema-qualified');
    // @this_model (the model's own table, for incremental self-reads) is not a parent
    const self = await compileOne('MODEL (name marts.m, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key player_id));\nselect player_id from raw.events where player_id not in (select player_id from @this_model)');
    expect(self.parents).toEqual(['raw.events']);
    expect(self.refs).toHaveLength(1);
  });

  it('keeps the data hash under reformatting and comments, and changes it with the query', async () => {
    const base = await compileOne(BASE);
    const reformatted = await compileOne(`-- a leading comment
MODEL (
  name marts.m,
  kind FULL,   owner jen, description 'per player',
);
SELECT   player_id,   -- who
         SUM(amount) AS total /* how much */
FROM     raw.events
WHERE    event_date >= @start_ds
GROUP BY player_id;
`);
    expect(reformatted.dataHash).toBe(base.dataHash);
    expect(reformatted.metadataHash).toBe(base.metadataHash);
    expect(reformatted.normalized).toBe(base.normalized);
    for (const changed of [BASE.replace('sum(amount)', 'max(amount)'), BASE.replace('>= @start_ds', '> @start_ds'), BASE.replace('@start_ds', '@end_ds'),
      BASE.replace('kind FULL', 'kind INCREMENTAL_BY_UNIQUE_KEY (unique_key player_id)')]) {
      expect((await compileOne(changed)).dataHash).not.toBe(base.dataHash);
    }
  });

  it('keeps the data hash when only metadata changes, and changes the metadata hash', async () => {
    const base = await compileOne(BASE);
    for (const changed of [BASE.replace('owner jen', 'owner kim'), BASE.replace("'per player'", "'per player, all time'"),
      BASE.replace('kind FULL,', "kind FULL, cron '@hourly', tags [x], grain player_id, audits (not_null(columns := [player_id])), start '2026-02-01',")]) {
      const m = await compileOne(changed);
      expect(m.dataHash).toBe(base.dataHash);
      expect(m.metadataHash).not.toBe(base.metadataHash);
    }
    const inc = 'MODEL (name marts.m, kind INCREMENTAL_BY_TIME_RANGE (time_column event_date));\nselect event_date from raw.events';
    const a = await compileOne(inc);
    const b = await compileOne(inc.replace('event_date)', 'event_date, batch_size 3, lookback 1, forward_only true)'));
    expect(b.dataHash).toBe(a.dataHash);
    expect(b.metadataHash).not.toBe(a.metadataHash);
    expect(a.dataHash).toMatch(/^[0-9a-f]{12}$/);
  });

  it('a stamp asks for a new version; declared columns of a model or of raw.events do not', async () => {
    const base = await compileOne(BASE);
    expect((await compileOne(BASE.replace('owner jen', "owner jen, stamp 'v2'"))).dataHash).not.toBe(base.dataHash);
    expect((await compileOne(BASE.replace('owner jen', 'owner jen, columns (player_id VARCHAR, total HUGEINT)'))).dataHash).toBe(base.dataHash);
    // A column added to raw.events' declaration (the edge started sending `device`) is documentation:
    // raw.events' data hash, and so every fingerprint downstream, stays.
    const root = mkdtempSync(join(tmpdir(), 'wh-compile-'));
    tmp.push(root);
    mkdirSync(join(root, 'raw'));
    const external = async (file: string) => {
      writeFileSync(join(root, 'raw', 'events.sql'), file);
      return (await compileProject(await loadProject(root), con)).get('raw.events')!.dataHash;
    };
    expect(await external(EVENTS.replace('amount BIGINT', 'amount BIGINT, device VARCHAR'))).toBe(await external(EVENTS));
  });

  it('names the file and line of every query error', async () => {
    expect(await compileError('unknown-table')).toBe('ModelError: staging/stg_players.sql:5: unknown table raw.evnts: not a model of the project (declare tables the runner does not build as kind EXTERNAL)');
    expect(await compileError('unqualified-table')).toBe('ModelError: staging/stg_players.sql:6: table events is not schema-qualified: write schema.table (a model or an EXTERNAL model), or define a CTE events');
    expect(await compileError('catalog-table')).toBe('ModelError: staging/stg_players.sql:2: table other_db.raw.events: catalog-qualified names are not supported, use schema.table');
    expect(await compileError('cycle')).toBe('ModelError: marts/a.sql:3: cycle: marts/a.sql (marts.a) -> marts/b.sql (marts.b) -> marts/c.sql (marts.c) -> marts/a.sql (marts.a)');
    expect(await compileError('parse-error')).toBe('ModelError: staging/stg_players.sql:6: syntax error at or near "="');
    expect(await compileError('non-select')).toBe("ModelError: staging/stg_players.sql:4: a model's query is one SELECT (or WITH ... SELECT, a set operation); found INSERT");
    expect(await compileError('two-statements')).toBe('ModelError: staging/stg_players.sql:4: a model holds exactly one query; a second statement starts here');
    expect(await compileError('unknown-macro')).toMatch(/^ModelError: staging\/stg_players\.sql:5: unknown macro @end_dss \(known here: @start_ds, .*@this_model\)$/);
    expect(await compileError('function-macro')).toBe('ModelError: staging/stg_players.sql:3: @EACH(...) is a SQLMesh function macro, which the runner does not support: write the SQL it would generate');
    for (const statement of ['drop table raw.events', 'create table x as select 1', "attach 'x.db'", "copy raw.events to 'x.csv'", 'pragma version', 'set threads = 1', 'describe raw.events']) {
      const err = await compileOne(`MODEL (name marts.m);\n${statement}`).catch((e: Error) => e.message);
      expect(err).toBe(`marts/m.sql:2: a model's query is one SELECT (or WITH ... SELECT, a set operation); found ${statement.split(' ')[0]!.toUpperCase()}`);
    }
  });
});
