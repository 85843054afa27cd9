/**
 * Basic strategy, the one chart of the project: the chart domain/fairness/blackjack-strategy.ts
 * derives from the exact action values of the table's own rules (basicStrategyChart), the chart whose
 * RTP analyseBlackjack computes and the fairness check measures. It used to be a copy of the Wizard
 * of Odds 4-8 deck peek chart; at a no-hole-card table (dealer_peek false) that chart doubles 10 and
 * 11 and splits 8s and aces against a ten or an ace, which the derived chart does not (a dealer
 * blackjack found after the players takes those extra stakes too).
 *
 * The chart of a rule set is computed on first use (0.8-2 s of CPU, once per rule set and isolate:
 * a table may call strategyChart(rules) when it opens, so no decision waits for it) and cached; a
 * decision is then a map lookup. Insurance is never taken (basic strategy declines it).
 */
import { basicStrategyAction, basicStrategyChart, type StrategyChart } from '../../fairness/blackjack-strategy';
import type { CardValue } from '../../fairness/blackjack-rtp';
import { handValue, pointValue } from './cards';
import type { Action } from './decisions';
import type { BlackjackRules } from './rules';

/** Rule objects already looked up: a round keeps its rules object, so most decisions skip the key. */
const BY_OBJECT = new WeakMap<BlackjackRules, StrategyChart>();

/** The basic-strategy chart of a table's rules (computed once per rule set, then cached). */
export function strategyChart(rules: BlackjackRules): StrategyChart {
  let chart = BY_OBJECT.get(rules);
  if (!chart) {
    chart = basicStrategyChart(rules);
    BY_OBJECT.set(rules, chart);
  }
  return chart;
}

/** A card's value for the chart: 1 = ace, 10 = any ten-valued card. */
function chartValue(card: string): CardValue {
  const v = pointValue(card);
  // pointValue is 1..10 by construction; the switch narrows it without a cast.
  switch (v) {
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: return v;
    default: throw new Error(`no chart value for ${card}`);
  }
}

/**
 * The basic-strategy action for a hand among the legal ones (legalActions): the first legal action
 * of the hand's chart cell, so a rule the table lacks (no surrender, double 9-11 only, no resplit)
 * falls back to the next best play of that cell. A hand with nothing to decide (fewer than two cards,
 * 21 or more) stands; with no legal action at all the answer is 'stand', what the decision timer does.
 */
export function basicStrategy(rules: BlackjackRules, cards: readonly string[], dealerUp: string, legal: readonly Action[]): Action {
  const fallback: Action = legal.includes('stand') ? 'stand' : legal[0] ?? 'stand';
  if (legal.length === 0 || cards.length < 2 || handValue(cards).total >= 21) return fallback;
  return basicStrategyAction(strategyChart(rules), cards.map(chartValue), chartValue(dealerUp), legal);
}
