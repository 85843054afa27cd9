/** Focused roulette cases: outcome parsing, summaries, payouts (the conformance suite covers every spot). */
import { describe, expect, it } from 'vitest';
import { roulette, ROULETTE_BET_TYPES } from './roulette';

describe('roulette', () => {
  it('pays from the table: 35, 17, 11, 8, 5, 2, 2 and 1 to 1', () => {
    expect(Object.fromEntries(ROULETTE_BET_TYPES.map((d) => [d.bet_type, d.pays]))).toEqual({
      straight: 35, split: 17, street: 11, corner: 8, sixline: 5, dozen: 2, column: 2,
      red: 1, black: 1, odd: 1, even: 1, low: 1, high: 1,
    });
    expect(roulette.settle('straight:17', 100, { number: 17 })).toEqual({ returned_minor: 3_600, result: 'win' });
    expect(roulette.settle('split:17-20', 100, { number: 20 })).toEqual({ returned_minor: 1_800, result: 'win' });
    expect(roulette.settle('corner:17-18-20-21', 100, { number: 19 })).toEqual({ returned_minor: 0, result: 'lose' });
    expect(roulette.maxReturn('sixline:31', 7)).toBe(42);
  });

  it('zero loses every even-money, dozen and column bet (no la partage)', () => {
    for (const spot of ['red', 'black', 'odd', 'even', 'low', 'high', 'dozen:1', 'column:1']) {
      expect(roulette.settle(spot, 100, { number: 0 }), spot).toEqual({ returned_minor: 0, result: 'lose' });
    }
    for (const spot of ['straight:0', 'split:0-2', 'street:0-1-2', 'street:0-2-3', 'corner:0-1-2-3']) {
      expect(roulette.settle(spot, 1, { number: 0 }).result, spot).toBe('win');
    }
  });

  it('summarises a number with its colour, parity, dozen and column', () => {
    expect(roulette.summarize({ number: 0 })).toEqual({ number: 0, color: 'green', parity: null, dozen: null, column: null });
    expect(roulette.summarize({ number: 17 })).toEqual({ number: 17, color: 'black', parity: 'odd', dozen: 2, column: 2 });
    expect(roulette.summarize({ number: 36 })).toEqual({ number: 36, color: 'red', parity: 'even', dozen: 3, column: 3 });
    expect(roulette.summarize({ number: 10 })).toEqual({ number: 10, color: 'black', parity: 'even', dozen: 1, column: 1 });
  });

  it('takes an entered number only as an integer from 0 to 36, and keeps nothing else', () => {
    expect(roulette.parseOutcome({ number: 36, extra: 'x' })).toEqual({ ok: true, outcome: { number: 36 } });
    expect(roulette.parseOutcome({ number: 36.0 })).toEqual({ ok: true, outcome: { number: 36 } });
    expect(roulette.parseOutcome({ number: 37 })).toMatchObject({ ok: false });
    expect(roulette.parseOutcome([17])).toMatchObject({ ok: false });
  });

  it('draws with one uniform integer in [0, 37)', () => {
    const asked: number[] = [];
    expect(roulette.draw({ int: (n) => { asked.push(n); return 23; } })).toEqual({ number: 23 });
    expect(asked).toEqual([37]);
  });
});
