/**
 * The statistical check of the automated tables: many rounds dealt through the real provably-fair
 * path (drawRound, a new server seed per block of rounds), outcome frequencies counted and tested
 * with a chi-square goodness of fit against the exact probabilities. Roulette: the 37 numbers
 * (36 degrees of freedom). Baccarat: player / banker / tie (2 degrees of freedom).
 */
import { baccaratFacts, type BaccaratOutcome } from '../games/baccarat';
import { ROULETTE_POCKETS, type RouletteOutcome } from '../games/roulette';
import type { GameKind } from '../games/types';
import { chiSquareTest } from './chi-square';
import { drawRound } from './provably-fair';
import { baccaratWinnerProbabilities } from './theoretical-rtp';

export type FairnessCheck = {
  game: GameKind;
  rounds: number;
  rounds_per_seed: number;
  categories: string[];
  observed: number[];
  expected: number[];
  chi_square: number;
  dof: number;
  p_value: number;
};

/** Which category a round falls in, and every category's exact probability. */
type Categorisation = { categories: string[]; probabilities: number[]; indexOf(outcome: unknown): number };

function categorisation(kind: GameKind): Categorisation {
  if (kind === 'roulette') {
    return {
      categories: Array.from({ length: ROULETTE_POCKETS }, (_, n) => String(n)),
      probabilities: Array.from({ length: ROULETTE_POCKETS }, () => 1 / ROULETTE_POCKETS),
      indexOf: (o) => (o as RouletteOutcome).number,
    };
  }
  const p = baccaratWinnerProbabilities();
  const winners = ['player', 'banker', 'tie'] as const;
  return {
    categories: [...winners],
    probabilities: winners.map((w) => p[w]),
    indexOf: (o) => winners.indexOf(baccaratFacts(o as BaccaratOutcome).winner),
  };
}

export const MAX_CHECK_ROUNDS = 100_000_000;

/** Deals `rounds` rounds of `kind`, a new seed (seedForBlock(b)) every `roundsPerSeed` rounds, and tests the frequencies. */
export function fairnessCheck(
  kind: GameKind,
  rounds: number,
  seedForBlock: (block: number) => string,
  roundsPerSeed = 1_000,
): FairnessCheck {
  if (!Number.isSafeInteger(rounds) || rounds < 1 || rounds > MAX_CHECK_ROUNDS) throw new RangeError(`rounds must be 1..${MAX_CHECK_ROUNDS}`);
  const { categories, probabilities, indexOf } = categorisation(kind);
  const observed = categories.map(() => 0);
  let seed = '';
  for (let i = 0; i < rounds; i++) {
    if (i % roundsPerSeed === 0) seed = seedForBlock(i / roundsPerSeed);
    const index = indexOf(drawRound(kind, seed, `fairness-${kind}`, `r${i}`));
    observed[index] = (observed[index] ?? 0) + 1;
  }
  const { statistic, dof, p_value } = chiSquareTest(observed, probabilities);
  return {
    game: kind,
    rounds,
    rounds_per_seed: roundsPerSeed,
    categories,
    observed,
    expected: probabilities.map((p) => p * rounds),
    chi_square: statistic,
    dof,
    p_value,
  };
}
