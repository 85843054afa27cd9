/**
 * One conformance suite run against every table game and every bet type of its payout table. Each
 * game supplies an oracle written here, independently of its module: explicit number sets for every
 * roulette spot, and a separate baccarat tableau and settlement. Settlement is checked over the whole
 * outcome space (roulette: all 37 numbers; baccarat: every first-four-card value combination with
 * its third cards, plus drawn rounds), then against theory (RTP) and with random stakes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundSource } from '../fairness/provably-fair';
import { theoreticalRtp } from '../fairness/theoretical-rtp';
import { GAME_KINDS, gameRules } from './index';
import { rouletteSpots } from './roulette';
import type { GameKind, GameRules, Settlement } from './types';

type Result = Settlement['result'];

type GameCase = {
  kind: GameKind;
  /** Every canonical spot of the layout, by bet type, from the oracle. */
  spots: Record<string, string[]>;
  /** Accepted spellings and the canonical spot they must become. */
  aliases: Array<[input: string, canonical: string]>;
  /** Refused spots: garbage, out of range, not adjacent. */
  invalid: string[];
  /** The outcome space (or a large, rule-complete part of it). */
  outcomes: unknown[];
  /** Refused outcomes. */
  invalidOutcomes: unknown[];
  /** The oracle: whether a spot wins, pushes or loses on an outcome. */
  oracle(spot: string, outcome: unknown): Result;
  /** The oracle's return of a winning bet, in exact integer arithmetic. */
  winReturn(spot: string, stakeMinor: number): number;
  /** Published theoretical RTP per bet type and how close ours must be. */
  knownRtp: Record<string, number>;
  rtpTolerance: number;
};

const seeded = (label: string) => roundSource('00'.repeat(32), 'conformance', label);

// --- Roulette oracle: the layout drawn as a grid, every spot as an explicit set of numbers.

const GRID: number[][] = Array.from({ length: 12 }, (_, r) => [3 * r + 1, 3 * r + 2, 3 * r + 3]);
const REDS = [1, 3, 5, 7, 9, 12, 14, 16, 18, 19, 21, 23, 25, 27, 30, 32, 34, 36];
const ONE_TO_36 = GRID.flat();
const ROULETTE_PAYS: Record<string, number> = {
  straight: 35, split: 17, street: 11, corner: 8, sixline: 5, dozen: 2, column: 2,
  red: 1, black: 1, odd: 1, even: 1, low: 1, high: 1,
};

function rouletteOracleSets(): Map<string, Set<number>> {
  const sets = new Map<string, Set<number>>();
  const put = (spot: string, numbers: number[]) => sets.set(spot, new Set(numbers));
  for (let n = 0; n <= 36; n++) put(`straight:${n}`, [n]);
  for (const n of [1, 2, 3]) put(`split:0-${n}`, [0, n]);
  GRID.forEach((row, r) => row.forEach((n, c) => {
    if (c < 2) put(`split:${n}-${n + 1}`, [n, n + 1]);
    if (r < 11) put(`split:${n}-${n + 3}`, [n, n + 3]);
    if (c < 2 && r < 11) put(`corner:${n}-${n + 1}-${n + 3}-${n + 4}`, [n, n + 1, n + 3, n + 4]);
  }));
  put('corner:0-1-2-3', [0, 1, 2, 3]);
  put('street:0-1-2', [0, 1, 2]);
  put('street:0-2-3', [0, 2, 3]);
  GRID.forEach((row, r) => {
    put(`street:${row[0]}`, row);
    if (r < 11) put(`sixline:${row[0]}`, [...row, ...(GRID[r + 1] ?? [])]);
  });
  [1, 2, 3].forEach((k) => {
    put(`dozen:${k}`, GRID.slice(4 * (k - 1), 4 * k).flat());
    put(`column:${k}`, GRID.map((row) => row[k - 1] ?? -1));
  });
  put('red', REDS);
  put('black', ONE_TO_36.filter((n) => !REDS.includes(n)));
  put('odd', ONE_TO_36.filter((n) => n % 2 === 1));
  put('even', ONE_TO_36.filter((n) => n % 2 === 0));
  put('low', ONE_TO_36.filter((n) => n <= 18));
  put('high', ONE_TO_36.filter((n) => n > 18));
  return sets;
}

const ROULETTE_SETS = rouletteOracleSets();
const typeOf = (spot: string) => spot.split(':')[0] ?? spot;

function bySpotType(spots: Iterable<string>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of spots) (out[typeOf(s)] ??= []).push(s);
  return out;
}

const ROULETTE_CASE: GameCase = {
  kind: 'roulette',
  spots: bySpotType(ROULETTE_SETS.keys()),
  aliases: [
    ['split:2-1', 'split:1-2'], ['split:20-17', 'split:17-20'], ['split:3-0', 'split:0-3'],
    ['street:15-14-13', 'street:13'], ['street:2-1-0', 'street:0-1-2'], ['street:3-0-2', 'street:0-2-3'],
    ['corner:17', 'corner:17-18-20-21'], ['corner:21-20-18-17', 'corner:17-18-20-21'], ['corner:0', 'corner:0-1-2-3'],
    ['corner:3-1-0-2', 'corner:0-1-2-3'], ['RED', 'red'], [' Straight:7 ', 'straight:7'], ['DOZEN:2', 'dozen:2'],
  ],
  invalid: [
    '', 'x', 'straight', 'straight:', 'straight:37', 'straight:-1', 'straight:07', 'straight:1.5', 'straight:1e1',
    'straight:17-18', 'split:17', 'split:1-5', 'split:3-4', 'split:1-1', 'split:0-4', 'split:34-37', 'split:12-13',
    'street:2', 'street:0', 'street:37', 'street:1-2-4', 'street:0-1-3', 'street:3-4-5',
    'corner:3', 'corner:33', 'corner:3-4-6-7', 'corner:1-2-3-4', 'corner:0-1-2', 'corner:34-35-37-38',
    'sixline:34', 'sixline:2', 'sixline:0', 'dozen:0', 'dozen:4', 'dozen', 'column:4', 'column:1-2',
    'red:1', 'black:', 'odd:3', 'zero', 'voisins', 'straight:17:18', 'split:1--2', 'a'.repeat(41),
  ],
  outcomes: Array.from({ length: 37 }, (_, n) => ({ number: n })),
  invalidOutcomes: [null, 17, '17', {}, { number: 37 }, { number: -1 }, { number: 1.5 }, { number: '7' }, { number: NaN }],
  oracle: (spot, outcome) => (ROULETTE_SETS.get(spot)?.has((outcome as { number: number }).number) ? 'win' : 'lose'),
  winReturn: (spot, stake) => stake * (1 + (ROULETTE_PAYS[typeOf(spot)] ?? NaN)),
  knownRtp: Object.fromEntries(Object.keys(ROULETTE_PAYS).map((t) => [t, 36 / 37])),
  rtpTolerance: 1e-12,
};

// --- Baccarat oracle: totals, the tableau as the printed chart, and settlement, written separately.

const VALUE: Record<string, number> = { A: 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '8': 8, '9': 9, '10': 0, J: 0, Q: 0, K: 0 };
const rankOfCard = (card: string) => card.slice(0, -1);
const total = (cards: string[]) => cards.reduce((s, c) => s + (VALUE[rankOfCard(c)] ?? NaN), 0) % 10;

/** The banker's chart: row = banker total 0..7, column = player's third card 0..9, D = draw. */
const BANKER_CHART = [
  'DDDDDDDDDD', // 0
  'DDDDDDDDDD', // 1
  'DDDDDDDDDD', // 2
  'DDDDDDDDSD', // 3
  'SSDDDDDDSS', // 4
  'SSSSDDDDSS', // 5
  'SSSSSSDDSS', // 6
  'SSSSSSSSSS', // 7
];

/** How many cards each hand must hold under the tableau, given the first four cards and the player's third. */
function oracleCardCounts(first: [string, string, string, string], playerThird: string | null): { player: number; banker: number } {
  const [p1, b1, p2, b2] = first;
  const p = total([p1, p2]);
  const b = total([b1, b2]);
  if (p >= 8 || b >= 8) return { player: 2, banker: 2 };
  if (p >= 6) return { player: 2, banker: b <= 5 ? 3 : 2 };
  const third = VALUE[rankOfCard(playerThird ?? 'XX')];
  if (third === undefined) return { player: 3, banker: NaN };
  return { player: 3, banker: BANKER_CHART[b]?.[third] === 'D' ? 3 : 2 };
}

function baccaratOracle(spot: string, outcome: unknown): Result {
  const o = outcome as { player: string[]; banker: string[] };
  const p = total(o.player);
  const b = total(o.banker);
  const pair = (h: string[]) => h.length >= 2 && rankOfCard(h[0] ?? '') === rankOfCard(h[1] ?? '');
  switch (spot) {
    case 'player': return p > b ? 'win' : p === b ? 'push' : 'lose';
    case 'banker': return b > p ? 'win' : p === b ? 'push' : 'lose';
    case 'tie': return p === b ? 'win' : 'lose';
    case 'player_pair': return pair(o.player) ? 'win' : 'lose';
    case 'banker_pair': return pair(o.banker) ? 'win' : 'lose';
    default: throw new Error(spot);
  }
}

function baccaratWinReturn(spot: string, stake: number): number {
  if (spot === 'banker') return Number(BigInt(stake) + (BigInt(stake) * 95n) / 100n);
  const pays: Record<string, number> = { player: 1, tie: 8, player_pair: 11, banker_pair: 11 };
  return stake * (1 + (pays[spot] ?? NaN));
}

const RANK_FOR_VALUE = ['10', 'A', '2', '3', '4', '5', '6', '7', '8', '9'];
const ZERO_RANKS = ['10', 'J', 'Q', 'K'];
const SUITS = ['S', 'H', 'D', 'C'];

/** A card of a value; value-0 cards rotate through 10 J Q K so that some zero-zero hands are pairs and some are not. */
function cardOf(value: number, position: number, variant: number): string {
  const rank = value === 0 ? ZERO_RANKS[(variant * (position + 1)) % 4] : RANK_FOR_VALUE[value];
  return `${rank}${SUITS[(position + variant) % 4]}`;
}

/** Every first-four-card value combination, each with every player third card and a banker third card. */
function baccaratOutcomeSpace(): { valid: unknown[]; brokenRule: unknown[] } {
  const valid: unknown[] = [];
  const brokenRule: unknown[] = [];
  for (let combo = 0; combo < 10_000; combo++) {
    const values = [combo % 10, Math.floor(combo / 10) % 10, Math.floor(combo / 100) % 10, Math.floor(combo / 1000) % 10];
    const variant = combo % 3;
    const [p1, b1, p2, b2] = values.map((v, i) => cardOf(v, i, variant)) as [string, string, string, string];
    const thirds = oracleCardCounts([p1, b1, p2, b2], null).player === 3 ? RANK_FOR_VALUE.map((_, v) => cardOf(v, 4, variant)) : [null];
    for (const playerThird of thirds) {
      const counts = oracleCardCounts([p1, b1, p2, b2], playerThird);
      const bankerThird = cardOf((combo + (playerThird?.length ?? 0)) % 10, 5, variant);
      const player = playerThird ? [p1, p2, playerThird] : [p1, p2];
      const banker = counts.banker === 3 ? [b1, b2, bankerThird] : [b1, b2];
      valid.push({ player, banker });
      // The same deal with the banker's card count flipped breaks the tableau.
      if (combo % 7 === 0) brokenRule.push({ player, banker: counts.banker === 3 ? [b1, b2] : [b1, b2, bankerThird] });
    }
    if (combo % 11 === 0) {
      const player = thirds[0] ? [p1, p2] : [p1, p2, cardOf(3, 4, variant)];
      brokenRule.push({ player, banker: [b1, b2] });
    }
  }
  return { valid, brokenRule };
}

const BACCARAT_SPACE = baccaratOutcomeSpace();
const BACCARAT_DRAWN = Array.from({ length: 5_000 }, (_, i) => gameRules('baccarat').draw(seeded(`b${i}`)));

const BACCARAT_CASE: GameCase = {
  kind: 'baccarat',
  spots: { player: ['player'], banker: ['banker'], tie: ['tie'], player_pair: ['player_pair'], banker_pair: ['banker_pair'] },
  aliases: [['PLAYER', 'player'], [' banker ', 'banker'], ['Tie', 'tie'], ['Player_Pair', 'player_pair']],
  invalid: ['', 'punto', 'banco', 'player:1', 'pair', 'either_pair', 'dragon', 'banker_pair:1', 'x'.repeat(30)],
  outcomes: [...BACCARAT_SPACE.valid, ...BACCARAT_DRAWN],
  invalidOutcomes: [
    null, 'AS KD', {}, { player: ['AS', 'KD'] }, { player: ['AS'], banker: ['2S', '3S'] },
    { player: ['AS', 'KD', '2C', '3C'], banker: ['2S', '3S'] }, { player: ['1S', 'KD'], banker: ['2S', '3S'] },
    { player: ['AX', 'KD'], banker: ['2S', '3S'] }, { player: ['as', 'kd'], banker: ['2S', '3S'] },
    { player: ['TS', 'KD'], banker: ['2S', '3S'] }, { player: [10, 'KD'], banker: ['2S', '3S'] },
    { player: ['9S', 'KD', '2C'], banker: ['2S', '3S'] }, // natural 9: the player must stand
    { player: ['2S', '3D'], banker: ['KS', 'QS'] }, // 5 v 0: both must draw
    ...BACCARAT_SPACE.brokenRule,
  ],
  oracle: baccaratOracle,
  winReturn: baccaratWinReturn,
  // 8 decks (Wizard of Odds house edges): banker 1.0579%, player 1.2351%, tie 8:1 14.3596%, pairs 11:1 10.3614%.
  knownRtp: { banker: 0.989421, player: 0.987649, tie: 0.856404, player_pair: 0.896386, banker_pair: 0.896386 },
  rtpTolerance: 1e-6,
};

const CASES: GameCase[] = [ROULETTE_CASE, BACCARAT_CASE];

it('every game kind has a conformance case', () => {
  expect(CASES.map((c) => c.kind).sort()).toEqual([...GAME_KINDS].sort());
});

describe.each(CASES)('$kind conforms to the table game contract', (game) => {
  const rules: GameRules = gameRules(game.kind);
  const allSpots = Object.values(game.spots).flat();
  const stakes = [1, 2, 3, 7, 19, 20, 99, 100, 101, 12_345, 1_000_000];

  it('has a payout-table row for every oracle bet type and an oracle for every row', () => {
    expect(rules.kind).toBe(game.kind);
    expect(rules.betTypes.map((d) => d.bet_type).sort()).toEqual(Object.keys(game.spots).sort());
    for (const def of rules.betTypes) {
      expect(Number.isInteger(def.pays) && def.pays > 0).toBe(true);
      expect(Number.isInteger(def.commission_bp) && def.commission_bp >= 0 && def.commission_bp < 10_000).toBe(true);
      expect(def.examples.length).toBeGreaterThan(0);
    }
  });

  describe.each(gameRules(game.kind).betTypes.map((d) => ({ bet_type: d.bet_type, def: d })))('bet type $bet_type', ({ bet_type, def }) => {
    it('parses its examples and every spot of the layout to a canonical fixpoint', () => {
      for (const spot of [...def.examples, ...(game.spots[bet_type] ?? [])]) {
        const parsed = rules.parseSpot(spot);
        expect(parsed, spot).toMatchObject({ ok: true, bet_type });
        if (!parsed.ok) continue;
        expect(rules.parseSpot(parsed.spot)).toEqual(parsed);
      }
      for (const spot of game.spots[bet_type] ?? []) expect(rules.parseSpot(spot)).toMatchObject({ spot });
      if (def.covers !== null) {
        for (const spot of game.spots[bet_type] ?? []) expect(ROULETTE_SETS.get(spot)?.size, spot).toBe(def.covers);
      }
    });

    it('settles every spot over the whole outcome space as the oracle does', () => {
      const mismatches: string[] = [];
      for (const spot of game.spots[bet_type] ?? []) {
        game.outcomes.forEach((outcome, i) => {
          const expected = game.oracle(spot, outcome);
          const stake = stakes[(i + spot.length) % stakes.length] ?? 1;
          const got = rules.settle(spot, stake, outcome);
          const returned = expected === 'win' ? game.winReturn(spot, stake) : expected === 'push' ? stake : 0;
          const ok = got.result === expected && got.returned_minor === returned && returned <= rules.maxReturn(spot, stake);
          if (!ok && mismatches.length < 10) mismatches.push(`${spot} x ${stake} on ${JSON.stringify(outcome)}: ${JSON.stringify(got)}, oracle ${expected} ${returned}`);
        });
      }
      expect(mismatches).toEqual([]);
    });

    it('returns 0, the stake, or stake x (1 + pays) less commission, for any stake', () => {
      const spots = game.spots[bet_type] ?? [];
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 10_000_000_000 }),
        fc.nat({ max: spots.length - 1 }),
        fc.nat({ max: game.outcomes.length - 1 }),
        (stake, s, o) => {
          const spot = spots[s] ?? '';
          const outcome = game.outcomes[o];
          const { returned_minor } = rules.settle(spot, stake, outcome);
          const win = stake + Math.floor((stake * def.pays * (10_000 - def.commission_bp)) / 10_000);
          expect([0, stake, win]).toContain(returned_minor);
          expect(returned_minor).toBe({ win: game.winReturn(spot, stake), push: stake, lose: 0 }[game.oracle(spot, outcome)]);
          expect(rules.maxReturn(spot, stake)).toBe(win);
        },
      ), { numRuns: 300 });
    });

    it('has the published theoretical RTP', () => {
      const moments = theoreticalRtp(game.kind)[bet_type];
      expect(moments).toBeDefined();
      expect(Math.abs((moments?.rtp ?? 0) - (game.knownRtp[bet_type] ?? NaN))).toBeLessThanOrEqual(game.rtpTolerance);
      expect(moments?.variance).toBeGreaterThan(0);
    });
  });

  it('canonicalises any case and surrounding spaces, idempotently', () => {
    fc.assert(fc.property(
      fc.constantFrom(...allSpots),
      fc.array(fc.boolean(), { maxLength: 30 }),
      fc.constantFrom('', ' ', '  '),
      (spot, upper, pad) => {
        const variant = pad + [...spot].map((ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('') + pad;
        expect(rules.parseSpot(variant)).toEqual(rules.parseSpot(spot));
      },
    ));
  });

  it('accepts the documented aliases', () => {
    for (const [input, canonical] of game.aliases) expect(rules.parseSpot(input), input).toMatchObject({ ok: true, spot: canonical });
  });

  it('refuses garbage, out-of-range and non-adjacent spots with a reason', () => {
    for (const spot of game.invalid) {
      const parsed = rules.parseSpot(spot);
      expect(parsed.ok, spot).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
      expect(() => rules.settle(spot, 100, game.outcomes[0])).toThrow();
    }
  });

  it('a random string either is refused with a reason or parses to a canonical fixpoint on the layout', () => {
    fc.assert(fc.property(fc.string({ maxLength: 24 }), (text) => {
      const parsed = rules.parseSpot(text);
      if (!parsed.ok) {
        expect(parsed.reason.length).toBeGreaterThan(0);
      } else {
        expect(allSpots).toContain(parsed.spot);
        expect(rules.parseSpot(parsed.spot)).toEqual(parsed);
      }
    }), { numRuns: 2_000 });
  });

  it('refuses impossible stakes and returns beyond the exact integer range', () => {
    for (const stake of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1]) {
      expect(() => rules.settle(allSpots[0] ?? '', stake, game.outcomes[0])).toThrow(RangeError);
      expect(() => rules.maxReturn(allSpots[0] ?? '', stake)).toThrow(RangeError);
    }
    for (const spot of allSpots) expect(() => rules.maxReturn(spot, Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });

  it('parses every outcome of the space back to itself and refuses broken ones', () => {
    for (const outcome of game.outcomes) expect(rules.parseOutcome(outcome)).toEqual({ ok: true, outcome });
    for (const bad of game.invalidOutcomes) {
      const parsed = rules.parseOutcome(bad);
      expect(parsed.ok, JSON.stringify(bad)).toBe(false);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(0);
    }
  });

  it('draws valid outcomes and summarises them as flat scalars', () => {
    for (let i = 0; i < 500; i++) {
      const outcome = rules.draw(seeded(`${game.kind}-${i}`));
      expect(rules.parseOutcome(outcome)).toEqual({ ok: true, outcome });
      const summary = rules.summarize(outcome);
      for (const value of Object.values(summary)) expect(['string', 'number', 'boolean'].includes(typeof value) || value === null).toBe(true);
    }
  });
});

it('the roulette layout is exactly the oracle layout (157 spots)', () => {
  expect(new Set(rouletteSpots())).toEqual(new Set(ROULETTE_SETS.keys()));
  expect(ROULETTE_SETS.size).toBe(37 + 60 + 14 + 23 + 11 + 3 + 3 + 6);
});
