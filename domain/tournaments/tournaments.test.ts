import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../events';
import { factsOf } from '../rewards/facts';
import { allocatePrizes, prizeId } from './prizes';
import { compareStandings, rank, type Standing } from './ranking';
import { TournamentInput, prizePool } from './schema';
import { scoreOf } from './scoring';

const base = {
  tournament_id: 'friday-roulette', brand: 'aurora', name: 'Friday roulette', starts_at: 1_000, ends_at: 3_600_000,
  currency: 'EUR', scoring: [{ term: 'stake', weight: 1 }], prizes: [5_000, 2_000, 1_000],
};

function settled(payload: Record<string, string | number | boolean | null>): CasinoEvent {
  return {
    event_id: 'bet-settled:h1', event_type: 'table.bet.settled', schema_version: 1, occurred_at: 10_000, player_id: 'p', table_id: 'roulette-1',
    round_id: 'r', jurisdiction: 'MT', currency: 'EUR', payload,
  };
}

describe('tournament definition', () => {
  it('accepts a valid one, with defaults for segments and tables', () => {
    const t = TournamentInput.parse(base);
    expect(t.segments).toEqual([]);
    expect(t.tables).toEqual([]);
    expect(prizePool(t)).toBe(8_000);
  });
  it.each([
    ['ends before it starts', { ends_at: 1_000 }, 'ends_at'],
    ['runs longer than 31 days', { ends_at: 1_000 + 32 * 86_400_000 }, 'ends_at'],
    ['prizes that grow with the rank', { prizes: [100, 200] }, 'prizes'],
    ['an unknown scoring term', { scoring: [{ term: 'deposits', weight: 1 }] }, 'scoring'],
    ['a term twice', { scoring: [{ term: 'bets', weight: 1 }, { term: 'bets', weight: 2 }] }, 'scoring'],
    ['a zero weight', { scoring: [{ term: 'bets', weight: 0 }] }, 'scoring'],
    ['a fractional prize', { prizes: [10.5] }, 'prizes'],
    ['no prize', { prizes: [] }, 'prizes'],
    ['a bad segment name', { segments: ['High Rollers'] }, 'segments'],
    ['an unknown field', { bonus: true }, ''],
  ])('refuses %s', (_what, change, path) => {
    const r = TournamentInput.safeParse({ ...base, ...change });
    expect(r.success).toBe(false);
    if (path) expect(r.error!.issues.some((i) => i.path[0] === path)).toBe(true);
  });
});

describe('scoring', () => {
  const win = settled({ amount_minor: 500, returned_minor: 1_000, result: 'win', natural: true });
  const loss = settled({ amount_minor: 500, returned_minor: 0, result: 'lose' });
  const ctx = { session_id: null, device: null, dealer_id: null };
  it('reads each term from the rewards engine facts', () => {
    expect(scoreOf([{ term: 'bets', weight: 3 }], factsOf(win, ctx))).toBe(3);
    expect(scoreOf([{ term: 'stake', weight: 1 }], factsOf(win, ctx))).toBe(500);
    expect(scoreOf([{ term: 'net_win', weight: 2 }], factsOf(win, ctx))).toBe(1_000);
    expect(scoreOf([{ term: 'net_win', weight: 2 }], factsOf(loss, ctx))).toBe(0);
    expect(scoreOf([{ term: 'wins', weight: 10 }], factsOf(loss, ctx))).toBe(0);
    expect(scoreOf([{ term: 'naturals', weight: 50 }], factsOf(win, ctx))).toBe(50);
  });
  it('sums weighted terms', () => {
    expect(scoreOf([{ term: 'bets', weight: 1 }, { term: 'stake', weight: 1 }, { term: 'wins', weight: 100 }], factsOf(win, ctx))).toBe(601);
  });
});

const standing = fc.record({
  player_id: fc.uuid(), score: fc.nat({ max: 50 }), reached_at: fc.integer({ min: 0, max: 20 }), joined_at: fc.integer({ min: 0, max: 20 }),
});
const field = fc.uniqueArray(standing, { selector: (s) => s.player_id, maxLength: 40 });

describe('ranking', () => {
  it('breaks ties by the earlier to reach the score, then the earlier to join, then the player id', () => {
    const s = (player_id: string, score: number, reached_at: number, joined_at = 0): Standing => ({ player_id, score, reached_at, joined_at });
    expect(rank([s('b', 10, 5), s('a', 10, 7), s('c', 12, 9)]).map((r) => r.player_id)).toEqual(['c', 'b', 'a']);
    expect(rank([s('b', 10, 5, 2), s('a', 10, 5, 3)]).map((r) => r.player_id)).toEqual(['b', 'a']);
    expect(rank([s('b', 10, 5, 2), s('a', 10, 5, 2)]).map((r) => r.player_id)).toEqual(['a', 'b']);
    expect(rank([s('a', 0, 0), s('b', 1, 9)], { scored: true }).map((r) => r.player_id)).toEqual(['b']);
  });

  it('property: a total order (antisymmetric, transitive, only equal for the same player)', () => {
    fc.assert(fc.property(standing, standing, standing, (a, b, c) => {
      expect(Math.sign(compareStandings(a, b))).toBe(-Math.sign(compareStandings(b, a)));
      if (compareStandings(a, b) === 0) expect(a.player_id).toBe(b.player_id);
      if (compareStandings(a, b) < 0 && compareStandings(b, c) < 0) expect(compareStandings(a, c)).toBeLessThan(0);
    }));
  });

  it('property: the same ranking whatever the input order; ranks 1..n, scores never rise down the list', () => {
    fc.assert(fc.property(field, fc.context(), (list, _ctx) => {
      const once = rank(list);
      const shuffled = rank([...list].reverse());
      expect(shuffled).toEqual(once);
      once.forEach((r, i) => {
        expect(r.rank).toBe(i + 1);
        if (i > 0) expect(r.score).toBeLessThanOrEqual(once[i - 1]!.score);
      });
    }));
  });
});

describe('prizes', () => {
  it('pays rank i + 1 prize i, under an id per tournament and rank', () => {
    const ranking = rank([{ player_id: 'a', score: 5, reached_at: 1, joined_at: 0 }, { player_id: 'b', score: 9, reached_at: 1, joined_at: 0 }], { scored: true });
    const { awards, unawarded_minor } = allocatePrizes('t1', [300, 200, 100], ranking);
    expect(awards).toEqual([
      { prize_id: prizeId('t1', 1), rank: 1, player_id: 'b', amount_minor: 300 },
      { prize_id: prizeId('t1', 2), rank: 2, player_id: 'a', amount_minor: 200 },
    ]);
    expect(unawarded_minor).toBe(100);
  });

  it('property: awarded + unawarded = the prize pool; each prize once; no player twice; only scored players', () => {
    const prizes = fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 20 }).map((p) => p.sort((a, b) => b - a));
    fc.assert(fc.property(field, prizes, (list, ps) => {
      const ranking = rank(list, { scored: true });
      const { awards, unawarded_minor } = allocatePrizes('t', ps, ranking);
      expect(awards.reduce((a, w) => a + w.amount_minor, 0) + unawarded_minor).toBe(prizePool({ prizes: ps }));
      expect(new Set(awards.map((w) => w.prize_id)).size).toBe(awards.length);
      expect(new Set(awards.map((w) => w.player_id)).size).toBe(awards.length);
      expect(awards.length).toBe(Math.min(ps.length, ranking.length));
      if (ranking.length >= ps.length) expect(unawarded_minor).toBe(0);
      for (const w of awards) expect(list.find((s) => s.player_id === w.player_id)!.score).toBeGreaterThan(0);
      // a better rank never wins less
      for (let i = 1; i < awards.length; i++) expect(awards[i]!.amount_minor).toBeLessThanOrEqual(awards[i - 1]!.amount_minor);
    }));
  });
});
