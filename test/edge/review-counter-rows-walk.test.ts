/**
 * Review (h-review) of distinct counters' values as rows (player migration 19): a seeded random walk
 * in a real player object of settlements on a small pool of rounds, replays of earlier settlements,
 * late settlements (of a closed day: they count towards the current one), settlements whose
 * transaction rolls back (and are settled again later), dropped caches, restarts of the object, and
 * new days, and rule sets that drop the counter and declare it again, checked after every step against a model (the set of rounds of the current day): the
 * state's count, the rows (the current day's only) and verifyHotState.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, RuleSet, utcDay } from '../../domain/rewards';
import type { PlayerRewards, TableBetContext } from '../../durable/player/rewards';
import { liveRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import type { PlayerDO } from './entry';
import { internals, player, register, restartPlayer } from './helpers';

const rewardsOf = (o: PlayerDO) => (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;

/** `counting`: the set declares rounds_today; otherwise another counter only, so rounds_today is pruned (its rows deleted) by the next settlement. */
function config(counting = true): RewardsConfig {
  const set = RuleSet.parse({
    id: 'review-walk', version: 1,
    counters: [counting
      ? { id: 'rounds_today', kind: 'distinct', on: ['table.bet.settled'], of: 'round_id', window: 'today' }
      : { id: 'settled_today', kind: 'count', on: ['table.bet.settled'], window: 'today' }],
    rules: [],
    caps: { points_per_day: 1_000, xp_per_day: 1_000_000, cash_minor_per_day: {} },
  });
  return { compiled: compileRuleSet(set), risk: liveRewardsConfig().risk };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Settled = { hold: string; round: string; at: number };
const HOUR = 3_600_000;

async function walk(seed: number): Promise<void> {
  const random = rng(seed);
  const p = await register();
  const T0 = Date.UTC(2027, 0, 5, 1); // after the registration's day (its login may have set the state's day)
  let clock = T0;
  let day = '';
  let rounds = new Set<string>(); // the model: today's distinct rounds
  const settled: Settled[] = [];
  let holds = 0;
  let counting = true;

  const settleIn = (o: PlayerDO, s: Settled) => {
    const bet: TableBetContext = { table_id: 't', round_id: s.round, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: 'sess', amount_minor: 100, at: s.at, result: 'push' };
    rewardsOf(o).tableBetSettled(s.hold, 'EUR', 100, bet);
  };
  const check = (o: PlayerDO, where: string) => {
    const { db } = internals(o).c;
    const state = JSON.parse(db.first<{ state: string }>`select state from rewards_state where id = 1`?.state ?? '{"counters":{}}') as { counters: Record<string, { period: string; n?: number; seen?: string[] }> };
    const counter = state.counters.rounds_today;
    const rows = db.all<{ period: string; value: string }>`select period, value from reward_counter_values where counter = 'rounds_today' order by value`;
    if (rounds.size === 0) expect(rows, where).toEqual([]);
    else {
      expect(counter, where).toMatchObject({ period: day, n: rounds.size });
      expect(rows, where).toEqual([...rounds].sort().map((value) => ({ period: day, value })));
    }
    expect(rewardsOf(o).verifyHotState(), where).toEqual([]);
  };

  for (let segment = 0; segment < 6; segment++) {
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      rewardsOf(o).use(config(counting));
      if (segment === 0) day = (JSON.parse(internals(o).c.db.first<{ state: string }>`select state from rewards_state where id = 1`?.state ?? '{"day":""}') as { day: string }).day;
      for (let step = 0; step < 40; step++) {
        const where = `seed ${seed} segment ${segment} step ${step}`;
        const r = random();
        clock += Math.floor(random() * 2 * HOUR);
        if (random() < 0.05) clock += 24 * HOUR;
        const evaluate = (s: Settled) => { // the model, for an evaluated settlement
          const d = utcDay(s.at) > day ? utcDay(s.at) : day;
          if (d !== day) { day = d; rounds = new Set(); }
          if (counting) rounds.add(s.round);
          else rounds = new Set(); // pruned with the set that no longer declares it
        };
        if (random() < 0.08) { counting = !counting; rewardsOf(o).use(config(counting)); }
        if (r < 0.5) {
          const s = { hold: `h-${holds++}`, round: `round-${Math.floor(random() * 30)}`, at: clock };
          internals(o).c.tx(() => settleIn(o, s));
          settled.push(s);
          evaluate(s);
        } else if (r < 0.6 && settled.length > 0) {
          const s = settled[Math.floor(random() * settled.length)]!; // a replay: nothing changes
          internals(o).c.tx(() => settleIn(o, s));
        } else if (r < 0.7) {
          const s = { hold: `h-${holds++}`, round: `round-${Math.floor(random() * 30)}`, at: clock - Math.floor(random() * 48 * HOUR) }; // late
          internals(o).c.tx(() => settleIn(o, s));
          settled.push(s);
          evaluate(s);
        } else if (r < 0.85) {
          const s = { hold: `h-${holds++}`, round: `round-${Math.floor(random() * 30)}`, at: clock };
          expect(() => internals(o).c.tx(() => { settleIn(o, s); throw new Error('review: roll back'); })).toThrow('review: roll back');
          if (random() < 0.5) { // settled again for real, at once
            internals(o).c.tx(() => settleIn(o, s));
            settled.push(s);
            evaluate(s);
          }
        } else {
          internals(o).c.forgetCaches();
        }
        check(o, where);
      }
    });
    if (random() < 0.7) await restartPlayer(p.playerId);
  }
  expect(await player(p.playerId).audit()).toEqual([]);
}

describe("review: distinct counters' values as rows under a random walk", () => {
  it('a counter dropped by the rule set (its rows deleted) and declared again the same day counts a value it had again', async () => {
    const p = await register();
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const at = Date.UTC(2027, 0, 5, 10);
      const settle = (hold: string, round: string, ms: number) => internals(o).c.tx(() => rewardsOf(o).tableBetSettled(hold, 'EUR', 100, {
        table_id: 't', round_id: round, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: 'sess', amount_minor: 100, at: at + ms, result: 'push',
      }));
      const rows = () => internals(o).c.db.all<{ value: string }>`select value from reward_counter_values where counter = 'rounds_today'`.map((r) => r.value);
      const count = () => (JSON.parse(internals(o).c.db.first<{ state: string }>`select state from rewards_state where id = 1`!.state) as { counters: Record<string, { n?: number }> }).counters.rounds_today;
      rewardsOf(o).use(config(true));
      settle('a', 'r1', 0);
      expect(count()).toMatchObject({ n: 1 });
      rewardsOf(o).use(config(false));
      settle('b', 'r2', 1); // rounds_today pruned: its rows go
      expect(count()).toBeUndefined();
      expect(rows()).toEqual([]);
      rewardsOf(o).use(config(true));
      settle('c', 'r1', 2); // declared again, the same day: r1 is new to it
      expect(count()).toMatchObject({ n: 1 });
      expect(rows()).toEqual(['r1']);
      expect(rewardsOf(o).verifyHotState()).toEqual([]);
    });
  });

  for (const seed of [11, 12, 13, 14]) {
    it(`seed ${seed}: the count and the rows are the current day's distinct rounds, always`, async () => {
      await walk(seed);
    }, 120_000);
  }
});
