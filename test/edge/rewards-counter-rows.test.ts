/**
 * Distinct counters' values as rows (player migration 19, docs/rewards.md "Cost"): a distinct
 * counter's values are rows of `reward_counter_values`, the state row keeps their count. In a real
 * player object: a value already counted (another bet on the same round) or a replayed settlement
 * never counts again, before and after the state is reloaded (a dropped cache, a restart of the
 * object); a rolled-back transaction leaves no row; the set stops at DISTINCT_MAX (256) rows; a new
 * day deletes the old day's rows; the rule reading the count fires when it should. Statements: an
 * evaluated settlement that adds a value writes the value's row and the state row (2), and its
 * grant and event when a rule fires (4).
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, DISTINCT_MAX, RuleSet } from '../../domain/rewards';
import { countStatements, statementReport, type StatementCounts } from '../../durable/lib/statement-counter';
import type { PlayerRewards, TableBetContext } from '../../durable/player/rewards';
import { liveRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import type { PlayerDO } from './entry';
import { internals, player, register, restartPlayer } from './helpers';

const rewardsOf = (o: PlayerDO) => (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;

/** Rounds played today, and 5 XP on each settlement once they reach 100. */
function roundsToday(): RewardsConfig {
  const set = RuleSet.parse({
    id: 'counter-rows', version: 1,
    counters: [{ id: 'rounds_today', kind: 'distinct', on: ['table.bet.settled'], of: 'round_id', window: 'today' }],
    rules: [{ id: 'hundred-rounds', version: 1, status: 'active', name: '100 rounds today', on: 'table.bet.settled', when: [{ counter: 'rounds_today', gte: 100 }], actions: [{ type: 'xp', amount: 5 }] }],
    caps: { points_per_day: 1_000, xp_per_day: 1_000_000, cash_minor_per_day: {} },
  });
  return { compiled: compileRuleSet(set), risk: liveRewardsConfig().risk };
}

const T0 = Date.UTC(2026, 0, 5, 10);
const DAY_MS = 86_400_000;
/** Bet `hold` on `round`, settled at T0 + ms (a push: no loss, so the risk marks never change). */
function settle(o: PlayerDO, hold: string, round: string, ms: number): void {
  const bet: TableBetContext = {
    table_id: 'roulette-1', round_id: round, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red',
    session_id: 'sess', amount_minor: 100, at: T0 + ms, result: 'push',
  };
  internals(o).c.tx(() => rewardsOf(o).tableBetSettled(hold, 'EUR', 100, bet));
}

type Snapshot = { state: string; count: unknown; rows: { period: string; value: string }[]; xp_grants: number };
function snapshot(o: PlayerDO): Snapshot {
  const { db } = internals(o).c;
  const state = db.first<{ state: string }>`select state from rewards_state where id = 1`!.state;
  return {
    state, count: (JSON.parse(state) as { counters: Record<string, unknown> }).counters.rounds_today,
    rows: db.all<{ period: string; value: string }>`select period, value from reward_counter_values where counter = 'rounds_today' order by period, value`,
    xp_grants: db.first<{ n: number }>`select count(*) as n from rewards_grants where kind = 'xp'`!.n,
  };
}

describe("distinct counters' values as rows of their own", () => {
  it('count each value once across replays, reloads, restarts and rollbacks; bounded; a new day starts empty; the state row keeps only the count', async () => {
    const p = await register();
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      rewardsOf(o).use(roundsToday());
      // 99 rounds, each with two bets (the second bet's round is not new)
      for (let i = 0; i < 99; i++) { settle(o, `a-${i}`, `round-${i}`, 2 * i); settle(o, `b-${i}`, `round-${i}`, 2 * i + 1); }
      const s = snapshot(o);
      expect(s.count).toEqual({ period: '2026-01-05', groups: {}, n: 99 });
      expect(s.rows).toHaveLength(99);
      expect(s.state).not.toContain('round-'); // the values are not in the state row
      expect(s.xp_grants).toBe(0);
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // replays (the same settlement again) and a round already counted change nothing, reloaded or not
      for (const pass of ['in memory', 'reloaded from SQL']) {
        if (pass !== 'in memory') internals(o).c.forgetCaches();
        const before = snapshot(o);
        settle(o, 'a-7', 'round-7', 14);
        settle(o, 'b-98', 'round-98', 197);
        expect(snapshot(o), pass).toEqual(before);
      }
      settle(o, 'c-3', 'round-3', 500); // a new bet, an old round: evaluated, not counted
      expect(snapshot(o)).toMatchObject({ count: { n: 99 }, xp_grants: 0 });
    });

    await restartPlayer(p.playerId);
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => { // a new stub: the old one names the aborted instance
      rewardsOf(o).use(roundsToday()); // the restart brought back the deployed set
      settle(o, 'd-0', 'round-50', 600);
      expect(snapshot(o)).toMatchObject({ count: { n: 99 }, xp_grants: 0 });
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // a new round in a transaction that rolls back: no row, no count
      const before = snapshot(o);
      expect(() => internals(o).c.tx(() => {
        rewardsOf(o).tableBetSettled('e-0', 'EUR', 100, { table_id: 'roulette-1', round_id: 'round-99', game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: 'sess', amount_minor: 100, at: T0 + 700, result: 'push' });
        throw new Error('test: roll back');
      })).toThrow('test: roll back');
      expect(snapshot(o)).toEqual(before);
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // the same round for real: the 100th, counted once, the rule fires
      settle(o, 'e-0', 'round-99', 700);
      expect(snapshot(o)).toMatchObject({ count: { n: 100 }, xp_grants: 1 });
      settle(o, 'e-1', 'round-99', 701);
      expect(snapshot(o)).toMatchObject({ count: { n: 100 }, xp_grants: 2 });
      // statements (warm) for a new value with a grant: the value's row, the state row, the grant, its event
      const counts: StatementCounts = new Map();
      const restore = countStatements(internals(o).ctx.storage.sql, counts);
      settle(o, 'e-2', 'round-100', 702);
      const adding = statementReport(counts, 1);
      restore();
      expect(adding.statements_per_op, JSON.stringify(adding.by_query, null, 1)).toBe(4);
      expect(snapshot(o)).toMatchObject({ count: { n: 101 }, xp_grants: 3 });
      // and without a rule: the value's row and the state row
      rewardsOf(o).use({ ...roundsToday(), compiled: compileRuleSet(RuleSet.parse({ ...roundsToday().compiled.set, rules: [] })) });
      counts.clear();
      const restoreAgain = countStatements(internals(o).ctx.storage.sql, counts);
      settle(o, 'e-3', 'round-101', 703);
      const plain = statementReport(counts, 1);
      restoreAgain();
      expect(plain.statements_per_op, JSON.stringify(plain.by_query, null, 1)).toBe(2);
      rewardsOf(o).use(roundsToday());

      // bounded: past DISTINCT_MAX values a new one is neither counted nor stored
      for (let i = 102; i < DISTINCT_MAX + 20; i++) settle(o, `f-${i}`, `round-${i}`, 1_000 + i);
      const full = snapshot(o);
      expect(full.count).toEqual({ period: '2026-01-05', groups: {}, n: DISTINCT_MAX });
      expect(full.rows).toHaveLength(DISTINCT_MAX);
      expect(full.state.length).toBeLessThan(5_000); // 256 round ids inline were ~3.6 KB more, and longer ids more
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // the next day: a round of yesterday counts again, yesterday's rows are deleted with the day
      settle(o, 'g-0', 'round-7', DAY_MS);
      const next = snapshot(o);
      expect(next.count).toEqual({ period: '2026-01-06', groups: {}, n: 1 });
      expect(next.rows).toEqual([{ period: '2026-01-06', value: 'round-7' }]);
      internals(o).c.forgetCaches();
      settle(o, 'g-1', 'round-7', DAY_MS + 1);
      expect(snapshot(o).count).toEqual({ period: '2026-01-06', groups: {}, n: 1 });
      expect(rewardsOf(o).verifyHotState()).toEqual([]);
    });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});
