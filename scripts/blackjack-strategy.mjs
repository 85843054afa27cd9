#!/usr/bin/env node
/**
 * Prints the theoretical RTP and the derived basic strategy chart of one blackjack rule set, as
 * markdown (the chart in docs/fairness.md was printed by this script).
 *
 *   node scripts/blackjack-strategy.mjs [--decks 6] [--h17] [--pays 3:2|6:5] [--double-on any|9-11]
 *     [--no-das] [--split-aces-play] [--max-split-hands 4] [--resplit-aces] [--surrender] [--no-peek] [--infinite] [--exact]
 *
 * The TypeScript domain is bundled in memory (scripts/lib/import-domain.mjs).
 */
import { parseArgs } from 'node:util';
import { importDomain } from './lib/import-domain.mjs';

const { values } = parseArgs({
  options: {
    decks: { type: 'string', default: '6' },
    h17: { type: 'boolean', default: false },
    pays: { type: 'string', default: '3:2' },
    'double-on': { type: 'string', default: 'any' },
    'no-das': { type: 'boolean', default: false },
    'split-aces-play': { type: 'boolean', default: false },
    'max-split-hands': { type: 'string', default: '4' },
    'resplit-aces': { type: 'boolean', default: false },
    surrender: { type: 'boolean', default: false },
    'no-peek': { type: 'boolean', default: false },
    infinite: { type: 'boolean', default: false },
    exact: { type: 'boolean', default: false },
  },
});
// The engine's table rules (domain/games/blackjack/rules.ts); seats, side bets, insurance and
// split_unequal_tens do not change the basic-strategy RTP.
const rules = {
  decks: Number(values.decks),
  dealer_soft_17: values.h17 ? 'hit' : 'stand',
  dealer_peek: !values['no-peek'],
  blackjack_pays: values.pays,
  double_on: values['double-on'] === 'any' ? 'any_two' : values['double-on'] === '9-11' ? '9_11' : values['double-on'],
  double_after_split: !values['no-das'],
  max_hands: Number(values['max-split-hands']),
  split_unequal_tens: false,
  split_aces_one_card: !values['split-aces-play'],
  resplit_aces: values['resplit-aces'],
  late_surrender: values.surrender,
  insurance: true,
  seats: 7,
  side_bets: [],
};
if (!['3:2', '6:5'].includes(rules.blackjack_pays) || !['any_two', '9_11'].includes(rules.double_on)) {
  console.error('usage: --pays 3:2|6:5 --double-on any|9-11');
  process.exit(2);
}

const { analyseBlackjack, printChart } = await importDomain(`export { analyseBlackjack, printChart } from './domain/fairness/blackjack-strategy';`);

const started = performance.now();
const shoe = values.infinite ? 'infinite' : 'finite';
let a;
try {
  a = analyseBlackjack(rules, shoe, values.exact ? 'exact' : 'initial');
} catch (e) {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(2);
}
const pct = (x) => `${(x * 100).toFixed(4)} %`;
const ups = [2, 3, 4, 5, 6, 7, 8, 9, 10, 1];
console.log(`Rules: ${JSON.stringify(rules)}, shoe ${shoe}${values.exact ? ' (exact removal)' : ''}\n`);
console.log(`RTP with the basic strategy below: ${pct(a.rtp)} (house edge ${pct(a.houseEdge)})`);
console.log(`RTP with composition-dependent optimal play: ${pct(a.rtpOptimal)}\n`);
console.log(`Dealer's final hand, per up card (peek games: given no dealer blackjack):\n`);
console.log(`| up | 17 | 18 | 19 | 20 | 21 | bust | blackjack |\n|---|---|---|---|---|---|---|---|`);
for (const up of ups) {
  const o = a.dealer.find((d) => d.up === up);
  const d = rules.dealer_peek ? o.noBlackjack : o.unconditioned;
  console.log(`| ${up === 1 ? 'A' : up} | ${[d[17], d[18], d[19], d[20], d[21], d.bust, d.blackjack].map((p) => p.toFixed(4)).join(' | ')} |`);
}
console.log(`\nBasic strategy (H hit, S stand, P split, D double else hit, Ds double else stand, R surrender else hit, Rs / Rp surrender else stand / split):\n`);
console.log(printChart(a.chart));
console.error(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
