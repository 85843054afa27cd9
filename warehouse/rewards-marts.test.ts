/**
 * Rewards in the warehouse, end to end (issue 17, "Warehouse"): fast mode's history with the real
 * rewards engine run over it (simulator/fast-rewards.ts) is written as batch objects, `wh sync`
 * loads it, `wh plan --auto-apply` builds prod with every blocking audit, and the rewards marts are
 * read back against `raw.events` itself: each grant and outcome once in staging, the funnel's
 * players and the dead step, every suppression and break message counted, and the A/B mart's
 * arms, means and Welch z recomputed here from the players' days. Fast mode does not spin the wheels
 * it grants, so two of every three wheel spins are spun here as the player object spins them
 * (`rewards.wheel_spun`, one more batch object): each spin is staged once and costs what its prize
 * paid in the grant costs, the unspun ones keep their reservation. The unit tests' fixture rows of
 * `rewards.*` events (models/tests/*.yaml) are validated against the edge schema too.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateEvent, type CasinoEvent } from '../domain/events';
import { commitSeed, newServerSeed } from '../domain/fairness/provably-fair';
import { uuidv7 } from '../domain/ids';
import { spinWheel } from '../domain/rewards/wheel';
import { liveRewardsConfig } from '../durable/player/rewards-config';
import { directorySink, writeHistory } from '../simulator/sink';
import type { WhResult } from './testing/wh-cli';
import { fixtureEvents, scratchWarehouse } from './testing/scratch-warehouse';

const MODELS = fileURLToPath(new URL('../models', import.meta.url));
const { root, batches, dir, wh, q, syncAndPlan } = scratchWarehouse('rewards');

const n = async (sql: string): Promise<number> => Number(Object.values((await q(sql))[0]!)[0]);

const REWARD_MODELS = ['staging.stg_reward_grants', 'staging.stg_reward_outcomes', 'staging.stg_reward_wheel_spins', 'seeds.reward_missions',
  'intermediate.int_reward_grant_costs', 'marts.fct_reward_mission_funnel', 'marts.fct_reward_missions', 'marts.fct_reward_ab_uplift',
  'marts.fct_reward_suppressions_daily', 'marts.fct_reward_rg_breaks_daily'];

/** Every event of the batch objects under `dir` (gzipped NDJSON, as writeHistory writes them). */
function eventsIn(dir: string): CasinoEvent[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.ndjson.gz'))
    .flatMap((f) => gunzipSync(readFileSync(join(f.parentPath, f.name))).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as CasinoEvent));
}

/**
 * Spins two of every three wheel_spin grants of the history as durable/player/rewards.ts spin does
 * (a fresh seed, spinWheel over the wheel of config/rewards.json, the prize's value in the player's
 * currency, delivered unless there is nothing to deliver), half an hour after the grant, into one more
 * batch object; every third spin's event is relayed twice. Returns how many spins.
 */
function spinSomeWheels(dir: string): number {
  const wheels = liveRewardsConfig().compiled.wheels;
  const grants = eventsIn(dir).filter((e) => e.event_type === 'rewards.granted' && e.payload.kind === 'wheel_spin')
    .sort((a, b) => String(a.payload.grant_id).localeCompare(String(b.payload.grant_id)));
  const lines: string[] = [];
  let spins = 0;
  grants.forEach((g, i) => {
    if (i % 3 === 2) return;
    const spinId = String(g.payload.grant_id);
    const seed = newServerSeed();
    const prize = spinWheel(wheels.get(String(g.payload.wheel_id))!, seed, spinId);
    const r = prize.reward;
    const value = r !== null && (r.type === 'free_bet' || r.type === 'cashback') ? r.value_minor[g.currency!] ?? null : null;
    const delivered = r !== null && (value === null ? r.type !== 'free_bet' && r.type !== 'cashback' : value > 0);
    const at = g.occurred_at + 30 * 60_000;
    const event = {
      event_id: uuidv7(at), event_type: 'rewards.wheel_spun', schema_version: 1, occurred_at: at, player_id: g.player_id, table_id: null, round_id: null,
      jurisdiction: g.jurisdiction, currency: g.currency,
      payload: {
        spin_id: spinId, grant_id: spinId, wheel_id: String(g.payload.wheel_id), prize_id: prize.id, prize_grant_id: `${spinId}:prize`, prize_kind: r?.type ?? null,
        amount: r !== null && (r.type === 'xp' || r.type === 'points') ? r.amount : null, value_minor: value, delivered, commitment: commitSeed(seed), server_seed: seed,
        rule_id: String(g.payload.rule_id), rule_version: Number(g.payload.rule_version), rule_set_id: 'default', rule_set_version: 1,
      },
    };
    const valid = validateEvent(event);
    if (!valid.ok) throw new Error(`a spin that the edge would not emit: ${JSON.stringify(valid)}`);
    lines.push(JSON.stringify(event));
    if (spins % 3 === 0) lines.push(JSON.stringify({ ...event, event_id: uuidv7(at + 1_000) }));
    spins++;
  });
  const day = new Date(Math.max(...grants.map((g) => g.occurred_at)));
  const folder = join(dir, 'events', `date=${day.toISOString().slice(0, 10)}`, `hour=${day.toISOString().slice(11, 13)}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${day.getTime()}-wheel-spins-0000001.ndjson.gz`), gzipSync(`${lines.join('\n')}\n`));
  return spins;
}

let audit: WhResult;
let spun = 0;

beforeAll(async () => {
  await writeHistory({ players: 80, days: 14, tables: 2, seed: 'rewards-wh', now: Date.parse('2026-11-20T00:00:00Z'), sink: directorySink(batches) });
  spun = spinSomeWheels(batches);
  await syncAndPlan();
  audit = await wh('audit', ...REWARD_MODELS);
}, 20 * 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000);

describe('rewards fixtures follow the edge schema', () => {
  it('every rewards.* row of the unit tests (models/tests/*.yaml) passes validateEvent', async () => {
    const { checked, failures } = await fixtureEvents(MODELS, 'rewards.');
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(15);
  });
});

describe('rewards marts on a simulated history', () => {
  it('the models build and every audit of theirs passes', () => {
    expect(audit.code, `${audit.out}\n${audit.err}`).toBe(0);
  });

  it('staging: each grant and each outcome of raw.events once', async () => {
    const grants = await n("select count(distinct payload->>'$.grant_id') from raw.events where event_type = 'rewards.granted'");
    expect(grants).toBeGreaterThan(1000);
    expect(await n('select count(*) from staging.stg_reward_grants')).toBe(grants);
    const outcomes = await n("select count(*) from raw.events where event_type like 'rewards.%' and event_type not in ('rewards.granted', 'rewards.wheel_spun')");
    expect(outcomes).toBeGreaterThan(0);
    expect(await n('select count(*) from staging.stg_reward_outcomes')).toBe(outcomes);
  });

  it('wheel spins: each spin once, a spun spin costs what its prize paid, an unspun one keeps its reservation', async () => {
    expect(spun).toBeGreaterThan(10);
    expect(await n("select count(*) from raw.events where event_type = 'rewards.wheel_spun'")).toBeGreaterThan(spun);
    expect(await n('select count(*) from staging.stg_reward_wheel_spins')).toBe(spun);
    // each grant once in the costs; the spins' prizes from raw.events, recomputed here
    expect(await n('select count(*) from intermediate.int_reward_grant_costs')).toBe(await n('select count(*) from staging.stg_reward_grants'));
    const wrong = await n(`
      with spins as (
        select payload->>'$.spin_id' as spin_id,
          any_value(case when (payload->>'$.delivered')::boolean and (payload->>'$.prize_kind') in ('free_bet', 'cashback') then (payload->>'$.value_minor')::bigint else 0 end) as paid
        from raw.events where event_type = 'rewards.wheel_spun' group by 1),
      grants as (
        select payload->>'$.grant_id' as grant_id, any_value(payload->>'$.kind') as kind, any_value((payload->>'$.cost_minor')::bigint) as reserved
        from raw.events where event_type = 'rewards.granted' group by 1)
      select count(*) from grants g left join spins s on s.spin_id = g.grant_id join intermediate.int_reward_grant_costs c on c.grant_id = g.grant_id
      where c.grant_cost_minor <> g.reserved
         or c.cost_minor <> case when g.kind = 'wheel_spin' and s.spin_id is not null then s.paid else g.reserved end
         or c.cost_basis <> case when g.kind <> 'wheel_spin' then 'granted' when s.spin_id is not null then 'paid' else 'reserved' end
         or c.reserved_cost_minor <> case when g.kind = 'wheel_spin' and s.spin_id is null then g.reserved else 0 end`);
    expect(wrong).toBe(0);
    const basis = await q<{ cost_basis: string; grants: number }>('select cost_basis, count(*)::int as grants from intermediate.int_reward_grant_costs group by 1 order by 1');
    expect(basis.map((b) => b.cost_basis)).toEqual(['granted', 'paid', 'reserved']);
    expect(basis.find((b) => b.cost_basis === 'paid')!.grants).toBe(spun);
  });

  it('the funnel: players per step from the progress grants, the blackjack step nobody can reach is dead', async () => {
    const funnel = await q<{ step_index: number; players_reached: number; players_finished: number; dead_step: boolean }>(
      'select step_index, players_reached::int as players_reached, players_finished::int as players_finished, dead_step from marts.fct_reward_mission_funnel order by step_index');
    expect(funnel.map((f) => f.step_index)).toEqual([0, 1, 2]);
    for (const f of funnel) {
      const reached = await n(`select count(distinct player_id) from raw.events where event_type = 'rewards.granted' and (payload->>'$.kind') = 'mission_progress' and (payload->>'$.step_index')::int = ${f.step_index}`);
      expect(f.players_reached, `step ${f.step_index}`).toBe(reached);
    }
    expect(funnel[0]!.players_reached).toBeGreaterThan(0);
    expect(funnel[0]!.players_finished).toBeGreaterThan(0);
    // the object does not evaluate blackjack hands yet (docs/rewards.md): the last step is a dead end
    expect(funnel[2]).toMatchObject({ players_reached: 0, dead_step: true });
    const [all] = await q<{ players_started: number }>("select players_started::int as players_started from marts.fct_reward_missions where currency = '(all)'");
    expect(all!.players_started).toBe(funnel[0]!.players_reached);
  });

  it('suppressions by reason and break messages: every event counted once', async () => {
    const byReason = await q<{ reason: string; n: number }>("select payload->>'$.reason' as reason, count(*)::int as n from raw.events where event_type = 'rewards.suppressed' group by 1 order by 1");
    const mart = await q<{ reason: string; n: number }>('select reason, sum(suppressions)::int as n from marts.fct_reward_suppressions_daily group by 1 order by 1');
    expect(mart).toEqual(byReason);
    expect(byReason.map((r) => r.reason)).toContain('player_at_risk');
    const breaks = await n("select count(*) from raw.events where event_type = 'rewards.break_suggested'");
    expect(await n('select coalesce(sum(break_messages), 0) from marts.fct_reward_rg_breaks_daily')).toBe(breaks);
    const withheld = await n("select count(*) from raw.events where event_type = 'rewards.suppressed' and (payload->>'$.reason') = 'player_at_risk'");
    expect(await n('select coalesce(sum(promotions_withheld), 0) from marts.fct_reward_rg_breaks_daily')).toBe(withheld);
  });

  it('A/B: each arm\'s players, mean GGR per player and Welch z recomputed from the players\' days', async () => {
    const arms = await q<{ rule_id: string; variant: string; players: number; holdout_players: number; ggr_per_player_eur: number; ggr_uplift_eur: number; ggr_z: number | null; as_of_date: string }>(
      'select rule_id, variant, players::int as players, holdout_players::int as holdout_players, ggr_per_player_eur::double as ggr_per_player_eur, ggr_uplift_eur::double as ggr_uplift_eur, ggr_z::double as ggr_z, as_of_date::varchar as as_of_date from marts.fct_reward_ab_uplift order by 1, 2');
    expect(arms.length).toBeGreaterThan(0);
    // per player: GGR in EUR over the 7 days from the assignment day, from fct_player_daily and the day's rate
    const players = await q<{ rule_id: string; variant: string; ggr: number }>(`
      with a as (
        select payload->>'$.rule_id' as rule_id, player_id, arg_min(payload->>'$.variant', occurred_at) as variant, min(occurred_at)::date as d
        from raw.events where event_type = 'rewards.assigned' group by all)
      select a.rule_id, a.variant, coalesce(sum(p.ggr_minor * fx.rate_to_eur / 10 ^ p.currency_exponent), 0)::double as ggr
      from a left join marts.fct_player_daily p on p.player_id = a.player_id and p.activity_date >= a.d and p.activity_date < a.d + 7 and p.activity_date <= '${arms[0]!.as_of_date}'::date
      left join seeds.fx_rates fx on fx.rate_date = p.activity_date and fx.currency = p.currency
      group by a.rule_id, a.player_id, a.variant`);
    const arm = (rule: string, variant: string) => players.filter((p) => p.rule_id === rule && p.variant === variant).map((p) => p.ggr);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = (xs: number[]) => xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1);
    for (const r of arms) {
      const v = arm(r.rule_id, r.variant);
      const h = arm(r.rule_id, 'holdout');
      expect([r.players, r.holdout_players]).toEqual([v.length, h.length]);
      expect(r.ggr_per_player_eur).toBeCloseTo(mean(v), 1);
      if (h.length === 0) continue;
      expect(r.ggr_uplift_eur).toBeCloseTo(mean(v) - mean(h), 1);
      if (v.length > 1 && h.length > 1) expect(r.ggr_z!).toBeCloseTo((mean(v) - mean(h)) / Math.sqrt(variance(v) / v.length + variance(h) / h.length), 2);
    }
  });
});
