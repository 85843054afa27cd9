/**
 * The rewards engine's idempotency memory as rows (migration 17, docs/rewards.md "Cost"): its full
 * chunks (immutable) are rows of `rewards_seen_chunks`, the state row holds the mutable part and
 * lists them. In a real player object, with the memory full (1,100 settlements: 16 full chunks, the
 * oldest already forgotten): the state row stays a few KB; a replayed settlement never counts or
 * grants again, whether its id is in the filling chunk, in a full chunk, or forgotten (beyond the
 * low-water mark), before and after the state is reloaded from SQL (a dropped cache, a restart of
 * the object); a rolled-back transaction that filled a chunk leaves no row; eviction after a reload
 * keeps 16 rows and moves the low-water mark as before. Statements: 3 for an evaluated settlement
 * with a grant, 5 for the one in 64 that fills a chunk.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { compileRuleSet, RuleSet, SEEN_CHUNK, SEEN_CHUNKS_MAX } from '../../domain/rewards';
import { countStatements, statementReport, type StatementCounts } from '../../durable/lib/statement-counter';
import type { PlayerRewards, TableBetContext } from '../../durable/player/rewards';
import { liveRewardsConfig, type RewardsConfig } from '../../durable/player/rewards-config';
import type { PlayerDO } from './entry';
import { internals, player, register, restartPlayer } from './helpers';

const rewardsOf = (o: PlayerDO) => (o as unknown as { rewardsRg: PlayerRewards }).rewardsRg;

/** One counter and 1 XP on every settlement: an evaluated replay would change both (and emit a grant event). */
function everySettlement(): RewardsConfig {
  const set = RuleSet.parse({
    id: 'memory-rows', version: 1,
    counters: [{ id: 'settled_total', kind: 'count', on: ['table.bet.settled'], window: 'lifetime' }],
    rules: [{ id: 'every-settlement', version: 1, status: 'active', name: 'XP on every settlement', on: 'table.bet.settled', actions: [{ type: 'xp', amount: 1 }] }],
    caps: { points_per_day: 1_000, xp_per_day: 1_000_000, cash_minor_per_day: {} },
  });
  return { compiled: compileRuleSet(set), risk: liveRewardsConfig().risk };
}

const T0 = Date.UTC(2026, 0, 5, 10);
/** Settlement i happened at T0 + i ms (a push: no loss, so the risk marks never change). */
function settle(o: PlayerDO, i: number): void {
  const bet: TableBetContext = {
    table_id: 'roulette-1', round_id: `round-${i}`, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red',
    session_id: 'sess', amount_minor: 100, at: T0 + i, result: 'push',
  };
  internals(o).c.tx(() => rewardsOf(o).tableBetSettled(`hold-${i}`, 'EUR', 100, bet));
}

type Snapshot = { state: string; updated_at: number; chunks: number; chunk_seqs: number[]; outbox: number; xp_events: number };
function snapshot(o: PlayerDO): Snapshot {
  const { db } = internals(o).c;
  const row = db.first<{ state: string; updated_at: number }>`select state, updated_at from rewards_state where id = 1`!;
  const seqs = db.all<{ seq: number }>`select seq from rewards_seen_chunks order by seq`.map((r) => r.seq);
  return {
    ...row, chunks: seqs.length, chunk_seqs: seqs,
    outbox: db.first<{ n: number }>`select count(*) as n from outbox`!.n,
    xp_events: db.first<{ n: number }>`select count(*) as n from rewards_grants where kind = 'xp'`!.n,
  };
}

/** A replay of settlement i changes nothing at all: no statement wrote the state, no grant, no event. */
function expectIgnored(o: PlayerDO, i: number, why: string): void {
  const before = snapshot(o);
  settle(o, i);
  expect(snapshot(o), why).toEqual(before);
}

const EVENTS = 1_100;

describe('the idempotency memory as rows of its own', () => {
  it('stays exact with the memory full, across reloads, restarts, rollbacks and evictions; the state row stays small', async () => {
    const p = await register();
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      rewardsOf(o).use(everySettlement());
      for (let i = 0; i < EVENTS; i++) settle(o, i);
      const s = snapshot(o);
      expect(s.xp_events).toBe(EVENTS);
      // 1,100 = 17 x 64 + 12: the 17th chunk pushed the first out; the filling chunk holds 12 ids
      expect(s.chunks).toBe(SEEN_CHUNKS_MAX);
      const stored = JSON.parse(s.state) as { seen: Record<string, unknown> };
      expect(stored.seen).not.toHaveProperty('chunks');
      expect(stored.seen.chunk_rows).toEqual(s.chunk_seqs);
      expect(stored.seen.low_water_ms).toBe(T0 + SEEN_CHUNK - 1); // the forgotten chunk's latest occurred_at
      expect((stored.seen.recent as string[]).length).toBe(EVENTS - (SEEN_CHUNKS_MAX + 1) * SEEN_CHUNK);
      expect(s.state.length).toBeLessThan(2_000); // it was ~58 KB with the chunks inline
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      const inRecent = EVENTS - 3;
      const inFullChunk = EVENTS - 5 * SEEN_CHUNK;
      const forgotten = 10;
      for (const pass of ['in memory', 'reloaded from SQL']) {
        if (pass !== 'in memory') internals(o).c.forgetCaches();
        expectIgnored(o, inRecent, `${pass}: an id in the filling chunk`);
        expectIgnored(o, inFullChunk, `${pass}: an id in a full chunk`);
        expectIgnored(o, SEEN_CHUNK * 2 - 1, `${pass}: the last id of the oldest chunk kept`);
        expectIgnored(o, forgotten, `${pass}: an id forgotten (at or before the low-water mark)`);
      }
      // a new settlement is still evaluated after the reload
      const before = snapshot(o);
      settle(o, EVENTS);
      expect(snapshot(o).xp_events).toBe(before.xp_events + 1);
    });

    await restartPlayer(p.playerId);
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => { // a new stub: the old one names the aborted instance
      rewardsOf(o).use(everySettlement()); // the restart brought back the deployed set
      expectIgnored(o, EVENTS - 1, 'after a restart: an id in the filling chunk');
      expectIgnored(o, EVENTS - 200, 'after a restart: an id in a full chunk');
      expectIgnored(o, 20, 'after a restart: an id forgotten');
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // fill the current chunk up to its last id, then roll back the transaction that would fill it
      let next = EVENTS + 1;
      const recent = (JSON.parse(snapshot(o).state) as { seen: { recent: string[] } }).seen.recent.length;
      for (let k = recent; k < SEEN_CHUNK - 2; k++) settle(o, next++);
      // statements: an evaluated settlement writes the state row, its grant, its event (3); the one
      // that fills a chunk also inserts the chunk's row and deletes the forgotten one's (5)
      const counts: StatementCounts = new Map();
      const restore = countStatements(internals(o).ctx.storage.sql, counts);
      settle(o, next++);
      const plain = statementReport(counts, 1);
      restore();
      expect(plain.statements_per_op, JSON.stringify(plain.by_query, null, 1)).toBe(3);
      const beforeFill = snapshot(o);
      expect(() => internals(o).c.tx(() => {
        rewardsOf(o).tableBetSettled(`hold-${next}`, 'EUR', 100, { table_id: 'roulette-1', round_id: `round-${next}`, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red', session_id: 'sess', amount_minor: 100, at: T0 + next, result: 'push' });
        throw new Error('test: roll back');
      })).toThrow('test: roll back');
      expect(snapshot(o)).toEqual(beforeFill);
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // the same event for real: a chunk row written, the oldest deleted, the low-water mark moved
      settle(o, next);
      const filled = snapshot(o);
      expect(filled.chunks).toBe(SEEN_CHUNKS_MAX);
      expect(filled.chunk_seqs.slice(0, -1)).toEqual(beforeFill.chunk_seqs.slice(1));
      expect(filled.chunk_seqs.at(-1)).toBeGreaterThan(beforeFill.chunk_seqs.at(-1)!);
      expect((JSON.parse(filled.state) as { seen: { low_water_ms: number } }).seen.low_water_ms).toBe(T0 + 2 * SEEN_CHUNK - 1);
      expectIgnored(o, 2 * SEEN_CHUNK - 1, 'the chunk just forgotten: beyond the horizon');
      expectIgnored(o, next, 'the id that filled the chunk');
      internals(o).c.forgetCaches();
      expectIgnored(o, next, 'the id that filled the chunk, reloaded');
      expect(rewardsOf(o).verifyHotState()).toEqual([]);

      // the next chunk to fill, counted (warm: the caches reloaded by the settlements before it)
      for (let k = 0; k < SEEN_CHUNK - 1; k++) settle(o, ++next);
      counts.clear();
      const restoreAgain = countStatements(internals(o).ctx.storage.sql, counts);
      settle(o, ++next);
      const filling = statementReport(counts, 1);
      restoreAgain();
      expect(filling.statements_per_op, JSON.stringify(filling.by_query, null, 1)).toBe(5);
      expect(snapshot(o).chunks).toBe(SEEN_CHUNKS_MAX);
      expect(rewardsOf(o).verifyHotState()).toEqual([]);
    });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});
