/** Column-level lineage from the parse trees, down to EXTERNAL and SEED columns, and where it stops. */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileProject } from './compile';
import { lineage, renderLineage } from './lineage';
import { loadProject } from '../files/project';
import type { CompiledModel } from '../types';

let basic: Map<string, CompiledModel>;
let forms: Map<string, CompiledModel>;
beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  basic = await compileProject(await loadProject(join(import.meta.dirname, '..', 'fixtures', 'basic')), con);
  forms = await compileProject(await loadProject(join(import.meta.dirname, '..', 'fixtures', 'lineage')), con);
  con.closeSync(); instance.closeSync();
});
const text = (models: Map<string, CompiledModel>, target: string) => renderLineage(lineage(models, target));

describe('lineage', () => {
  it('follows a CTE chain (with a * over a model) into the parent model and down to the external column', () => {
    expect(text(basic, 'intermediate.int_player_day.ggr_minor')).toBe(`intermediate.int_player_day.ggr_minor (INCREMENTAL_BY_TIME_RANGE)
└─ intermediate.int_player_day › cte final.ggr_minor = coalesce(b.ggr_minor, 0)
   └─ intermediate.int_player_day › cte bet_days.ggr_minor = sum((stake_minor - win_minor))
      ├─ intermediate.int_player_day › cte bets.stake_minor
      │  └─ staging.stg_bets.stake_minor (VIEW) = CAST((e.payload ->> '$.stake_minor') AS BIGINT)
      │     └─ raw.events.payload (EXTERNAL)
      └─ intermediate.int_player_day › cte bets.win_minor
         └─ staging.stg_bets.win_minor (VIEW) = CAST((e.payload ->> '$.win_minor') AS BIGINT)
            └─ raw.events.payload (EXTERNAL)
`);
  });

  it('resolves aliases across a join to a model and a seed, through an aggregate', () => {
    expect(text(basic, 'marts.fct_ggr_daily.stakes_eur')).toBe(`marts.fct_ggr_daily.stakes_eur (INCREMENTAL_BY_TIME_RANGE) = CAST(sum(((b.stake_minor * fx.eur_per_unit) / 100)) AS DECIMAL)
├─ staging.stg_bets.stake_minor (VIEW) = CAST((e.payload ->> '$.stake_minor') AS BIGINT)
│  └─ raw.events.payload (EXTERNAL)
└─ seeds.fx_rates.eur_per_unit (SEED)
`);
    const node = lineage(basic, 'marts.fct_ggr_daily.table_id');
    expect(node).toEqual({ model: 'marts.fct_ggr_daily', column: 'table_id', kind: 'INCREMENTAL_BY_TIME_RANGE',
      children: [{ model: 'staging.stg_bets', column: 'table_id', kind: 'VIEW', children: [{ model: 'raw.events', column: 'table_id', kind: 'EXTERNAL', children: [] }] }] });
  });

  it('pairs UNION ALL branches by position', () => {
    expect(text(forms, 'marts.activity.value')).toBe(`marts.activity.value (FULL)
├─ marts.activity › set operation branch 1.value
│  └─ raw.events.amount (EXTERNAL)
├─ marts.activity › set operation branch 2.value = 0
└─ marts.activity › set operation branch 3.value = count(*)
`);
    expect(text(forms, 'marts.activity.player_id')).toBe(`marts.activity.player_id (FULL)
├─ marts.activity › set operation branch 1.player_id
│  └─ raw.events.player_id (EXTERNAL)
├─ marts.activity › set operation branch 2.player_id
│  └─ raw.players.player_id (EXTERNAL)
└─ marts.activity › set operation branch 3.player_id
   └─ raw.events.player_id (EXTERNAL)
`);
  });

  it('expands * with EXCLUDE, REPLACE and RENAME, and t.* over a join with USING', () => {
    expect(forms.get('marts.events_star')!.outputColumns).toEqual(['player_id', 'amount', 'day']);
    expect(text(forms, 'marts.events_star.amount')).toBe('marts.events_star.amount (VIEW) = (amount * 100)\n└─ raw.events.amount (EXTERNAL)\n');
    expect(text(forms, 'marts.events_star.day')).toBe('marts.events_star.day (VIEW)\n└─ raw.events.event_date (EXTERNAL)\n');
    expect(forms.get('marts.player_totals')!.outputColumns).toEqual(['player_id', 'country', 'total', 'country_rank', 'tier']);
    expect(text(forms, 'marts.player_totals.country')).toBe('marts.player_totals.country (FULL)\n└─ raw.players.country (EXTERNAL)\n');
  });

  it('follows subqueries in FROM, window functions and CASE to all their inputs', () => {
    expect(text(forms, 'marts.player_totals.tier')).toBe(`marts.player_totals.tier (FULL) = CASE WHEN (s.total > 1000) THEN 'vip' ELSE coalesce(t.tier, 'std') END
├─ marts.player_totals › subquery s.total = sum(amount)
│  └─ marts.events_star.amount (VIEW) = (amount * 100)
│     └─ raw.events.amount (EXTERNAL)
└─ marts.player_totals › subquery t.tier = 'gold'
`);
    expect(text(forms, 'marts.player_totals.country_rank')).toBe(`marts.player_totals.country_rank (FULL) = rank() OVER (PARTITION BY pl.country ORDER BY s.total)
├─ marts.player_totals › subquery s.total = sum(amount)
│  └─ marts.events_star.amount (VIEW) = (amount * 100)
│     └─ raw.events.amount (EXTERNAL)
└─ raw.players.country (EXTERNAL)
`);
  });

  it('writes a column reached along several paths once', () => {
    expect(text(forms, 'marts.diamond.x')).toBe(`marts.diamond.x (VIEW) = (a.total + b.amount)
├─ marts.player_totals.total (FULL)
│  └─ marts.player_totals › subquery s.total = sum(amount)
│     └─ marts.events_star.amount (VIEW) = (amount * 100)
│        └─ raw.events.amount (EXTERNAL)
└─ marts.events_star.amount (VIEW) (see above)
`);
  });

  it('stops where it cannot be exact, and says why', () => {
    expect(text(forms, 'marts.uses_file.bonus')).toBe('marts.uses_file.bonus (FULL)\n'
      + '└─ marts.from_file.bonus (FULL)  [stops: star over a source with unknown columns (table function read_csv: its columns are only known when it runs)]\n');
    expect(text(forms, 'marts.uses_file.amount')).toBe('marts.uses_file.amount (FULL)\n└─ raw.events.amount (EXTERNAL)\n');
    expect(() => lineage(forms, 'marts.activity.nope')).toThrow('marts.activity has no column nope (columns: player_id, value)');
    expect(() => lineage(forms, 'marts.nope.x')).toThrow('unknown model marts.nope');
    expect(() => lineage(forms, 'activity.x')).toThrow("lineage of 'activity.x': expected schema.model.column");
  });
});
