/**
 * Review (h-review2, 2026-12-04): BlackjackTable's cached shoe (`shoe`) is memory derived from SQL
 * (the round's server seed and the client seed written at close). Its forget hook dropped only
 * `store`, so a close whose transaction rolled back after dealing left a shoe of a client seed SQL
 * no longer held; a box bet with another seed before the next close changed the committed seed,
 * and the deal then came from the stale shoe: not reproducible from the published seeds (failed
 * before the hook called `forget()`).
 */
import { runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { openShoe } from '../../domain/games/blackjack';
import type { TableDO } from '../../durable/table/table-do';
import { AUTO_SEATED, bjBet, funded, table } from './blackjack-helpers';

type T = {
  tx<R>(fn: () => R): R;
  rounds: { close(id: string, actor: string): { ok: boolean; round: { round_id: string } }; get(id: string): { round_no: number; server_seed: string | null } | null };
  bj: { closed(round: unknown): unknown; shoe: { round_id: string; cards: { cardAt(i: number): string | undefined } } | null; store: { timer(id: string): { client_seed: string | null } | null }; config: { rules: { decks: number } } };
};

it('a close rolled back after dealing drops its shoe: the next close deals from the seeds it commits', async () => {
  const opened = await table(AUTO_SEATED).openRound('rng');
  if (!opened.ok) throw new Error(JSON.stringify(opened));
  const roundId = opened.round.round_id;
  const a = await funded();
  expect((await bjBet(AUTO_SEATED, a, roundId, { seat: 1, main_minor: 1000, client_seed: 'seedA' })).status).toBe(201);
  // a close that dealt (and so cached the shoe of client seed = H('seedA')), then rolled back
  await runInDurableObject(table(AUTO_SEATED), (o: TableDO) => {
    const t = o as unknown as T;
    expect(() => t.tx(() => {
      const closed = t.rounds.close(roundId, 'rng');
      if (!closed.ok) throw new Error('close refused');
      t.bj.closed(closed.round);
      throw new Error('review2: close rolled back after the deal');
    })).toThrow('review2');
    expect(t.bj.shoe).toBeNull(); // the rollback dropped the shoe of a seed SQL does not hold
  });
  // betting is still open: a second box with its own seed changes the client seed written at close
  const b = await funded();
  expect((await bjBet(AUTO_SEATED, b, roundId, { seat: 2, main_minor: 1000, client_seed: 'seedB' })).status).toBe(201);
  const closed = await table(AUTO_SEATED).closeRound(roundId, 'rng');
  expect(closed.ok).toBe(true);
  await runInDurableObject(table(AUTO_SEATED), (o: TableDO) => {
    const t = o as unknown as T;
    const round = t.rounds.get(roundId)!;
    const seed = t.bj.store.timer(roundId)!.client_seed!;
    const fair = openShoe(round.server_seed!, seed, round.round_no, t.bj.config.rules.decks);
    const used = t.bj.shoe!.cards;
    const first = (s: { cardAt(i: number): string | undefined }) => Array.from({ length: 12 }, (_, i) => s.cardAt(i));
    // the shoe the round dealt from is the committed seeds' shoe
    expect(first(used)).toEqual(first(fair));
  });
});
