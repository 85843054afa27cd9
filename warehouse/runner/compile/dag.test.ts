/** The model graph: stable order, closures, and its two renderings. */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { compileProject } from './compile';
import { buildDag, downstream, type GraphModel, renderMermaid, renderTree, upstream } from './dag';
import { loadProject } from '../files/project';

const model = (kind: GraphModel['def']['kind']['name'], ...parents: string[]): GraphModel => ({ parents, def: { kind: { name: kind } } });

describe('dag', () => {
  const models = new Map<string, GraphModel>([
    ['marts.b', model('FULL', 'staging.s')],
    ['marts.a', model('VIEW', 'staging.s', 'seeds.fx')],
    ['staging.s', model('VIEW', 'raw.events')],
    ['raw.events', model('EXTERNAL')],
    ['seeds.fx', model('SEED')],
    ['marts.c', model('FULL', 'marts.a', 'marts.b')],
  ]);

  it('orders parents first, by name among the ready ones', () => {
    const dag = buildDag(models);
    expect(dag.order).toEqual(['raw.events', 'seeds.fx', 'staging.s', 'marts.a', 'marts.b', 'marts.c']);
    expect(dag.children.get('staging.s')).toEqual(['marts.a', 'marts.b']);
    expect(dag.parents.get('marts.c')).toEqual(['marts.a', 'marts.b']);
    expect(() => buildDag(new Map([['a.x', model('VIEW', 'a.y')], ['a.y', model('VIEW', 'a.x')]]))).toThrow('the model graph has a cycle among a.x, a.y');
  });

  it('closes over downstream and upstream models, in order', () => {
    expect(downstream(models, ['marts.a'])).toEqual(['marts.a', 'marts.c']);
    expect(downstream(models, ['staging.s'])).toEqual(['staging.s', 'marts.a', 'marts.b', 'marts.c']);
    expect(upstream(models, ['marts.a'])).toEqual(['raw.events', 'seeds.fx', 'staging.s', 'marts.a']);
    expect(() => downstream(models, ['marts.zzz'])).toThrow('unknown model marts.zzz');
  });

  it('renders a text tree and Mermaid', () => {
    expect(renderTree(models)).toBe(`raw.events (EXTERNAL)
└─ staging.s (VIEW)
   ├─ marts.a (VIEW)
   │  └─ marts.c (FULL)
   └─ marts.b (FULL)
      └─ marts.c (FULL)
seeds.fx (SEED)
└─ marts.a (VIEW) (see above)
`);
    expect(renderMermaid(models)).toBe(`graph LR
  m0[("raw.events")]
  m1[/"seeds.fx"/]
  m2["staging.s"]
  m3["marts.a"]
  m4["marts.b"]
  m5["marts.c"]
  m0 --> m2
  m1 --> m3
  m2 --> m3
  m2 --> m4
  m3 --> m5
  m4 --> m5
`);
  });

  it('takes compiled models as they are', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    const compiled = await compileProject(await loadProject(join(import.meta.dirname, '..', 'fixtures', 'basic')), con);
    expect(buildDag(compiled).order).toEqual(['raw.events', 'seeds.fx_rates', 'staging.stg_bets', 'marts.fct_ggr_daily', 'staging.stg_deposits',
      'intermediate.int_player_day', 'marts.dim_players', 'marts.rpt_activity']);
    con.closeSync(); instance.closeSync();
  });
});
