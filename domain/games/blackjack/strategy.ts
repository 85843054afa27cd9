/**
 * Basic strategy for the simulator, as tables. Source: the Wizard of Odds 4-to-8-deck basic strategy
 * (wizardofodds.com/games/blackjack/strategy/4-decks/), its S17 chart with the H17 differences and the
 * DAS / no-DAS pair rows. It is the total-dependent strategy for multi-deck shoes; for 1-2 decks it is
 * close but not exact. Insurance is never taken (basic strategy declines it).
 *
 * Codes: H hit, S stand, D double (else hit), Ds double (else stand), P split, Ph split when doubling
 * after a split is allowed (else hit), Rh / Rs / Rp surrender (else hit / stand / split). Columns are
 * the dealer's up card 2 3 4 5 6 7 8 9 10 A.
 */
import { handValue, pointValue, rankOf } from './cards';
import type { Action } from './decisions';
import type { BlackjackRules } from './rules';

type Code = 'H' | 'S' | 'D' | 'Ds' | 'P' | 'Ph' | 'Rh' | 'Rs' | 'Rp';

const row = (text: string): Code[] => text.split(' ').map((c) => {
  const code = CODES.find((k) => k === c);
  if (!code) throw new Error(`bad strategy code '${c}'`);
  return code;
});
const CODES: readonly Code[] = ['H', 'S', 'D', 'Ds', 'P', 'Ph', 'Rh', 'Rs', 'Rp'];

/** Hard totals 4..21 (S17). */
const HARD: Record<number, Code[]> = {
  8: row('H H H H H H H H H H'),
  9: row('H D D D D H H H H H'),
  10: row('D D D D D D D D H H'),
  11: row('D D D D D D D D D H'),
  12: row('H H S S S H H H H H'),
  13: row('S S S S S H H H H H'),
  14: row('S S S S S H H H H H'),
  15: row('S S S S S H H H Rh H'),
  16: row('S S S S S H H Rh Rh Rh'),
  17: row('S S S S S S S S S S'),
};

/** Soft totals 12..21 (S17); soft 12 is a pair of aces that cannot be split again. */
const SOFT: Record<number, Code[]> = {
  12: row('H H H H H H H H H H'),
  13: row('H H H D D H H H H H'),
  14: row('H H H D D H H H H H'),
  15: row('H H D D D H H H H H'),
  16: row('H H D D D H H H H H'),
  17: row('H D D D D H H H H H'),
  18: row('S Ds Ds Ds Ds S S H H H'),
  19: row('S S S S S S S S S S'),
};

/** Pairs by rank value (2..10, 11 = aces), with doubling after a split. */
const PAIRS: Record<number, Code[]> = {
  2: row('Ph Ph P P P P H H H H'),
  3: row('Ph Ph P P P P H H H H'),
  4: row('H H H Ph Ph H H H H H'),
  6: row('Ph P P P P H H H H H'),
  7: row('P P P P P P H H H H'),
  8: row('P P P P P P P P P P'),
  9: row('P P P P P S P P S S'),
  11: row('P P P P P P P P P P'),
};

/** Where H17 differs (dealer up index 0 = 2 .. 9 = A). */
const H17_HARD: ReadonlyArray<[total: number, up: number, code: Code]> = [[11, 9, 'D'], [15, 9, 'Rh'], [17, 9, 'Rs']];
const H17_SOFT: ReadonlyArray<[total: number, up: number, code: Code]> = [[18, 0, 'Ds'], [19, 4, 'Ds']];
const H17_PAIRS: ReadonlyArray<[value: number, up: number, code: Code]> = [[8, 9, 'Rp']];

function upIndex(dealerUp: string): number {
  const v = pointValue(dealerUp);
  return v === 1 ? 9 : v - 2;
}

function lookup(table: Record<number, Code[]>, overrides: ReadonlyArray<[number, number, Code]>, key: number, up: number, h17: boolean): Code | undefined {
  if (h17) {
    const hit = overrides.find(([k, u]) => k === key && u === up);
    if (hit) return hit[2];
  }
  return table[key]?.[up];
}

function codeFor(rules: BlackjackRules, cards: readonly string[], up: number, canSplit: boolean): Code {
  const h17 = rules.dealer_soft_17 === 'hit';
  const [a = '', b = ''] = cards;
  if (canSplit && cards.length === 2 && rankOf(a) === rankOf(b)) {
    const value = pointValue(a) === 1 ? 11 : pointValue(a);
    const code = lookup(PAIRS, H17_PAIRS, value, up, h17);
    if (code) return code;
  }
  const { total, soft } = handValue(cards);
  if (soft) return lookup(SOFT, H17_SOFT, Math.max(12, total), up, h17) ?? 'S';
  if (total <= 8) return 'H';
  return lookup(HARD, H17_HARD, Math.min(17, total), up, h17) ?? 'S';
}

/**
 * The basic-strategy action for a hand, among the legal ones (legalActions), so a rule the table
 * lacks (no surrender, double 9-11 only, no resplit) falls back as the chart's code says.
 */
export function basicStrategy(rules: BlackjackRules, cards: readonly string[], dealerUp: string, legal: readonly Action[]): Action {
  const can = (a: Action) => legal.includes(a);
  const code = codeFor(rules, cards, upIndex(dealerUp), can('split'));
  const pick = (first: Action, fallback: Action): Action => (can(first) ? first : can(fallback) ? fallback : can('stand') ? 'stand' : 'hit');
  switch (code) {
    case 'H': return pick('hit', 'stand');
    case 'S': return pick('stand', 'stand');
    case 'D': return pick('double', 'hit');
    case 'Ds': return pick('double', 'stand');
    case 'P': return pick('split', 'hit');
    case 'Ph': return rules.double_after_split ? pick('split', 'hit') : pick('hit', 'stand');
    case 'Rh': return pick('surrender', 'hit');
    case 'Rs': return pick('surrender', 'stand');
    case 'Rp': return pick('surrender', 'split');
  }
}
