/**
 * The provider games' RTP buckets in BrandOpsDO: debits, wins and rollbacks summed per game,
 * currency and hour, once per event whatever the delivery order and duplication (property, against
 * a plain model), and read back as rolling-window sums; expired buckets are deleted.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../../domain/events';
import { HOUR_MS } from '../../domain/fairness/rtp-monitor';
import type { Currency } from '../../domain/money';
import type { BrandOpsDO } from './brand-ops-do';
import type { OpsContext } from './context';
import { GAME_STATS_RETENTION_MS } from './game-stats';
import { batch, event, MIN, opsStub, snapshot, T0 } from './test-fixtures';
import type { PlayerSnapshot, RelayBatch } from './types';

const internals = (o: BrandOpsDO) => (o as unknown as { c: OpsContext }).c;

/** Moves the object's clock to `at` (the buckets' retention and the windows run on it). */
async function clockAt(stub: DurableObjectStub<BrandOpsDO>, at: number): Promise<void> {
  await runInDurableObject(stub, (o: BrandOpsDO) => { internals(o).clockOffsetMs = at - Date.now(); });
}

const pv = {
  debit: (p: PlayerSnapshot, game: string, tx: string, amount: number, at: number, currency?: Currency) => event(p, 'provider.bet.debited', {
    provider_id: 'sandbox-slots', game_id: game, tx_id: tx, round_id: `r-${tx}`, amount_minor: amount, hold_id: `prov:sandbox-slots:${tx}`,
    real_minor: amount, bonus_minor: 0, balance_after_minor: 0,
  }, { at, currency }),
  win: (p: PlayerSnapshot, game: string, tx: string, betTx: string, amount: number, at: number, currency?: Currency) => event(p, 'provider.win.credited', {
    provider_id: 'sandbox-slots', game_id: game, tx_id: tx, round_id: `r-${betTx}`, amount_minor: amount, bet_tx_id: betTx, balance_after_minor: 0,
  }, { at, currency }),
  rollback: (p: PlayerSnapshot, game: string, betTx: string, amount: number, at: number, currency?: Currency) => event(p, 'provider.bet.rolled_back', {
    provider_id: 'sandbox-slots', game_id: game, tx_id: betTx, round_id: `r-${betTx}`, amount_minor: amount, rollback_tx_id: `rb-${betTx}`, balance_after_minor: 0,
  }, { at, currency }),
  unmatched: (p: PlayerSnapshot, game: string, betTx: string, at: number) => event(p, 'provider.rollback.unmatched', {
    provider_id: 'sandbox-slots', game_id: game, tx_id: betTx, round_id: `r-${betTx}`, amount_minor: 0, rollback_tx_id: `rb-${betTx}`,
  }, { at }),
};

type Bucket = { game_id: string; currency: string; hour_start_ms: number; wagered_minor: number; returned_minor: number; bets: number };
const rowsOf = (o: BrandOpsDO) => internals(o).db.all<Bucket>`select game_id, currency, hour_start_ms, wagered_minor, returned_minor, bets
  from game_stats order by game_id, currency, hour_start_ms`;

describe('game stats', () => {
  it('sums stakes, wins and rollbacks per game, currency and hour; counts each event once', async () => {
    const ops = opsStub();
    await clockAt(ops, T0 + 2 * HOUR_MS);
    const p = snapshot();
    const d1 = pv.debit(p, 'g1', 't1', 100, T0 + MIN);
    const w1 = pv.win(p, 'g1', 'w1', 't1', 250, T0 + 2 * MIN);
    const d2 = pv.debit(p, 'g1', 't2', 300, T0 + 3 * MIN);
    const r2 = pv.rollback(p, 'g1', 't2', 300, T0 + 4 * MIN);
    const d3 = pv.debit(p, 'g1', 't3', 50, T0 + HOUR_MS + MIN); // next hour
    const gbp = pv.debit(p, 'g1', 't4', 70, T0 + MIN, 'GBP');
    const other = pv.debit(p, 'g2', 't5', 10, T0 + MIN);
    const noise = [pv.unmatched(p, 'g1', 't9', T0 + MIN), pv.rollback(p, 'g1', 't8', 0, T0 + MIN)]; // moved nothing
    expect(await ops.ingest(batch(p, r2, d1, w1, d2, d3, gbp, other, ...noise, d1))).toEqual({ ok: true, accepted: 9, duplicates: 1 });
    expect(await ops.ingest(batch(p, d1, r2, w1))).toEqual({ ok: true, accepted: 0, duplicates: 3 });
    await runInDurableObject(ops, (o: BrandOpsDO) => {
      expect(rowsOf(o)).toEqual([
        { game_id: 'g1', currency: 'EUR', hour_start_ms: T0, wagered_minor: 100, returned_minor: 250, bets: 1 },
        { game_id: 'g1', currency: 'EUR', hour_start_ms: T0 + HOUR_MS, wagered_minor: 50, returned_minor: 0, bets: 1 },
        { game_id: 'g1', currency: 'GBP', hour_start_ms: T0, wagered_minor: 70, returned_minor: 0, bets: 1 },
        { game_id: 'g2', currency: 'EUR', hour_start_ms: T0, wagered_minor: 10, returned_minor: 0, bets: 1 },
      ]);
    });

    const report = await ops.gameRtp({ game_id: 'g1', currency: 'EUR' });
    expect(report.truncated).toBe(false);
    expect(report.now_ms - (T0 + 2 * HOUR_MS)).toBeLessThan(MIN); // the object's clock, moved to T0 + 2h
    expect(report.games).toEqual([{
      game_id: 'g1', provider_id: 'sandbox-slots', currency: 'EUR', windows: [
        { window: '1h', hours: 1, bets: 0, wagered_minor: 0, returned_minor: 0 },
        { window: '24h', hours: 24, bets: 2, wagered_minor: 150, returned_minor: 250 },
        { window: '7d', hours: 168, bets: 2, wagered_minor: 150, returned_minor: 250 },
        { window: '30d', hours: 720, bets: 2, wagered_minor: 150, returned_minor: 250 },
      ],
    }]);
    expect((await ops.gameRtp()).games.map((g) => `${g.game_id}:${g.currency}`)).toEqual(['g1:EUR', 'g1:GBP', 'g2:EUR']);

    // a week later the T0 hours have left the 24h and 7d windows; after 35 days the buckets are gone
    await clockAt(ops, T0 + 8 * 24 * HOUR_MS);
    expect((await ops.gameRtp({ game_id: 'g1', currency: 'EUR' })).games[0]!.windows.map((w) => w.wagered_minor)).toEqual([0, 0, 0, 150]);
    await clockAt(ops, T0 + GAME_STATS_RETENTION_MS + 2 * HOUR_MS);
    const late = pv.debit(p, 'g1', 't6', 5, T0 + MIN); // too old to be in any window: ignored
    await ops.ingest(batch(p, late, pv.debit(p, 'g3', 't7', 5, T0 + GAME_STATS_RETENTION_MS + HOUR_MS)));
    await runInDurableObject(ops, (o: BrandOpsDO) => expect(rowsOf(o).map((r) => r.game_id)).toEqual(['g3']));
  });
});

describe('any order, any duplication (property)', () => {
  const tx = fc.record({
    game: fc.constantFrom('g1', 'g2'),
    currency: fc.constantFrom<Currency>('EUR', 'GBP'),
    stake: fc.integer({ min: 1, max: 10_000 }),
    win: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: null }),
    rolledBack: fc.boolean(),
    gap_ms: fc.constantFrom(1000, 5 * MIN, 40 * MIN, 3 * HOUR_MS),
    rollbackAfter_ms: fc.constantFrom(1000, 30 * MIN),
  });

  it('ends in the same buckets as in-order delivery, and both match the model', async () => {
    const stub = opsStub();
    await stub.ingest(batch(snapshot({ player_id: 'warm-up' })));
    await runInDurableObject(stub, (o: BrandOpsDO) => {
      const c = internals(o);
      c.clockOffsetMs = T0 + 20 * 24 * HOUR_MS - Date.now();
      fc.assert(fc.property(
        fc.array(fc.array(tx, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 60, maxLength: 60 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (players, cuts, ranks, dupes) => {
          const model = new Map<string, Bucket>();
          const add = (e: CasinoEvent, w: number, r: number, b: number) => {
            const hour = Math.floor(e.occurred_at / HOUR_MS) * HOUR_MS;
            const key = `${e.payload.game_id}|${e.currency}|${hour}`;
            const m = model.get(key) ?? { game_id: String(e.payload.game_id), currency: String(e.currency), hour_start_ms: hour, wagered_minor: 0, returned_minor: 0, bets: 0 };
            model.set(key, { ...m, wagered_minor: m.wagered_minor + w, returned_minor: m.returned_minor + r, bets: m.bets + b });
          };
          const ordered: RelayBatch[] = [];
          players.forEach((txs, n) => {
            const p = snapshot({ player_id: `pp${n}` });
            let t = T0 + n * MIN;
            const events: CasinoEvent[] = [];
            txs.forEach((x, i) => {
              t += x.gap_ms;
              const id = `${n}-${i}`;
              const d = pv.debit(p, x.game, id, x.stake, t, x.currency);
              events.push(d);
              add(d, x.stake, 0, 1);
              if (x.rolledBack) {
                const r = pv.rollback(p, x.game, id, x.stake, t + x.rollbackAfter_ms, x.currency);
                events.push(r);
                add(r, -x.stake, 0, -1);
              } else if (x.win !== null) {
                const w = pv.win(p, x.game, `w${id}`, id, x.win, t + 1000, x.currency);
                events.push(w);
                add(w, 0, x.win, 0);
              }
            });
            for (let at = 0, k = 0; at < events.length; k++) {
              const chunk = events.slice(at, at + cuts[k % cuts.length]!);
              at += chunk.length;
              ordered.push(batch(p, ...chunk));
            }
          });
          const reset = () => { c.db.script('delete from game_stats; delete from seen;'); };

          reset();
          for (const b of ordered) o.ingest(b);
          const inOrder = rowsOf(o);

          const shuffled = ordered.map((b, i) => ({ b, r: ranks[i % ranks.length]! })).sort((x, y) => x.r - y.r).map((x) => x.b);
          for (const d of dupes) shuffled.splice(d % (shuffled.length + 1), 0, ordered[d % ordered.length]!);
          reset();
          for (const b of shuffled) o.ingest(b);
          const anyOrder = rowsOf(o);

          expect(anyOrder).toEqual(inOrder);
          const expected = [...model.values()].sort((a, b) => a.game_id.localeCompare(b.game_id) || a.currency.localeCompare(b.currency) || a.hour_start_ms - b.hour_start_ms);
          expect(inOrder).toEqual(expected);
        },
      ), { numRuns: 200 });
    });
  });
});
