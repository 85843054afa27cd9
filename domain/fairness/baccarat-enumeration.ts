/**
 * Enumerates every deal of an 8-deck baccarat shoe to count, in exact integers, the results the
 * bets are decided on: by card rank without replacement for the first four cards (pairs look at
 * ranks) and by point value for the third cards (no bet looks at their rank), with the game's own
 * tableau. Slow-ish (~0.1-0.4 s): theoretical-rtp.ts ships the result as a constant, and the tests
 * check that constant against this.
 */
import { DECKS, RANK_VALUES, RANKS, SHOE_SIZE, SUITS, bankerDraws, playerDraws, type BaccaratFacts, type BaccaratWinner } from '../games/baccarat';

export type BaccaratCount = { facts: BaccaratFacts; sequences: number };

/**
 * Counts, in exact integers, the ordered sequences of the shoe's first six cards that lead to each
 * (winner, pair, pair) result: a round that uses fewer than six cards counts every possible
 * continuation. The total is 416 x 415 x 414 x 413 x 412 x 411 (about 5.0e15 < 2^53), so every
 * count and sum is exact and the probabilities are exact up to one final division.
 */
export function enumerateBaccarat(): { total: number; counts: BaccaratCount[] } {
  const TOTAL = [0, 1, 2, 3, 4, 5].reduce((t, k) => t * (SHOE_SIZE - k), 1);
  const counts = new Map<string, { n: number; facts: BaccaratFacts }>();
  const add = (n: number, playerTotal: number, bankerTotal: number, playerPair: boolean, bankerPair: boolean) => {
    const winner: BaccaratWinner = playerTotal > bankerTotal ? 'player' : bankerTotal > playerTotal ? 'banker' : 'tie';
    const key = `${winner}:${playerPair}:${bankerPair}`;
    const entry = counts.get(key) ?? { n: 0, facts: { winner, player_pair: playerPair, banker_pair: bankerPair } };
    entry.n += n;
    counts.set(key, entry);
  };

  const ranks = RANKS.map(() => DECKS * SUITS.length);
  const value = (r: number) => RANK_VALUES[r] ?? 0;
  // Deal order: player, banker, player, banker, then third cards (see domain/games/baccarat.ts).
  const firstFour = (depth: number, cards: number[], n: number) => {
    if (depth === 4) return thirdCards(cards, n);
    for (let r = 0; r < RANKS.length; r++) {
      const left = ranks[r] ?? 0;
      if (left === 0) continue;
      ranks[r] = left - 1;
      firstFour(depth + 1, [...cards, r], n * left);
      ranks[r] = left;
    }
  };
  const thirdCards = ([p1 = 0, b1 = 0, p2 = 0, b2 = 0]: number[], n: number) => {
    const byValue = Array.from({ length: 10 }, () => 0);
    ranks.forEach((left, r) => { byValue[value(r)] = (byValue[value(r)] ?? 0) + left; });
    const pTotal = (value(p1) + value(p2)) % 10;
    const bTotal = (value(b1) + value(b2)) % 10;
    const pairs = [p1 === p2, b1 === b2] as const;
    const fifth = SHOE_SIZE - 4; // cards left for the 5th position
    const sixth = SHOE_SIZE - 5;
    // The banker's decision; `nSoFar` counts sequences through the 5th card when the player drew, or 4th when not.
    const bankerThird = (pFinal: number, playerThird: number | null, nSoFar: number) => {
      const unused = playerThird === null ? fifth * sixth : sixth;
      if (!bankerDraws(pTotal, bTotal, playerThird)) return add(nSoFar * unused, pFinal, bTotal, ...pairs);
      for (let v = 0; v < 10; v++) {
        const left = (byValue[v] ?? 0) - (v === playerThird ? 1 : 0);
        if (left > 0) add(nSoFar * left * (playerThird === null ? sixth : 1), pFinal, (bTotal + v) % 10, ...pairs);
      }
    };
    if (!playerDraws(pTotal, bTotal)) return bankerThird(pTotal, null, n);
    for (let v = 0; v < 10; v++) {
      const left = byValue[v] ?? 0;
      if (left > 0) bankerThird((pTotal + v) % 10, v, n * left);
    }
  };
  firstFour(0, [], 1);

  const sum = [...counts.values()].reduce((t, e) => t + e.n, 0);
  if (!Number.isSafeInteger(sum) || sum !== TOTAL) throw new Error(`baccarat enumeration counted ${sum} of ${TOTAL} sequences`);
  return { total: TOTAL, counts: [...counts.values()].map(({ n, facts }) => ({ facts, sequences: n })) };
}

