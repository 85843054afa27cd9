/**
 * Basic strategy derived from the calculated values (not copied from a chart), the function that
 * plays it, and the RTP of the game played with it. It is the only basic strategy of the project:
 * the engine's `basicStrategy` (domain/games/blackjack/strategy.ts) plays this chart for the table's
 * rules. One rule set's chart and analysis are cached (keyed by the fields that change them): the
 * engine asks for the chart on every decision, the tests for the same few rule sets many times.
 *
 * The chart is total-dependent, like every printed basic strategy: the cell of a hard or soft total
 * against an up card orders the actions by their probability-weighted mean value over the two-card
 * hands with that total; a pair has its own cell (split included). A hand of three or more cards
 * uses its total's cell with only hit and stand allowed.
 */
import { type BlackjackRules, rtpRulesKey } from './blackjack-rules';
import {
  BLACKJACK_ACTIONS, CARD_VALUES, dealerOutcomes, gameValue,
  type BlackjackAction, type CardValue, type Chooser, type DealerRemoval, type GameValue, type HandShape, type InitialHand, type ShoeKind,
} from './blackjack-rtp';

/** Actions of one cell, best first; the first one the table allows is the play. */
export type StrategyCell = readonly BlackjackAction[];

/** Cells keyed `H<total>:<up>`, `S<total>:<up>` or `P<card>:<up>` (up 1 = ace, 10 = ten). */
export type StrategyChart = ReadonlyMap<string, StrategyCell>;

function cellKey(shape: Pick<HandShape, 'total' | 'soft' | 'pair'>, up: CardValue): string {
  if (shape.pair !== null) return `P${shape.pair}:${up}`;
  return `${shape.soft ? 'S' : 'H'}${shape.total}:${up}`;
}

function totalOf(a: CardValue, b: CardValue): { total: number; soft: boolean } {
  const soft = (a === 1 || b === 1) && a + b + 10 <= 21;
  return { total: soft ? a + b + 10 : a + b, soft };
}

function ordered(values: Partial<Record<BlackjackAction, number>>): StrategyCell {
  return BLACKJACK_ACTIONS.flatMap((a) => (values[a] === undefined ? [] : [a])).sort((x, y) => (values[y] ?? 0) - (values[x] ?? 0));
}

/** The chart from the optimal values of every initial hand. */
export function deriveChart(hands: readonly InitialHand[]): StrategyChart {
  const sums = new Map<string, { weight: number; values: Partial<Record<BlackjackAction, number>> }>();
  const chart = new Map<string, StrategyCell>();
  for (const { up, cards: [a, b], p, values } of hands) {
    if (values.stand === undefined) continue; // a player blackjack: no decision
    if (a === b) chart.set(cellKey({ total: 0, soft: false, pair: a }, up), ordered(values));
    const key = cellKey({ ...totalOf(a, b), pair: null }, up);
    const entry = sums.get(key) ?? { weight: 0, values: {} };
    entry.weight += p;
    for (const action of BLACKJACK_ACTIONS) {
      const v = values[action];
      if (action !== 'split' && v !== undefined) entry.values[action] = (entry.values[action] ?? 0) + p * v;
    }
    sums.set(key, entry);
  }
  for (const [key, { values }] of sums) chart.set(key, ordered(values));
  return chart;
}

/**
 * The basic-strategy play for a hand (card values, 1 = ace, 10 = any ten-valued card) against an up
 * card, among the actions the table allows now: the first allowed action of the hand's cell. Two
 * equal cards use the pair's cell even when splitting is not allowed any more.
 */
export function basicStrategyAction(chart: StrategyChart, cards: readonly CardValue[], up: CardValue, allowed: readonly BlackjackAction[]): BlackjackAction {
  const hard = cards.reduce<number>((t, c) => t + c, 0);
  const soft = cards.includes(1) && hard + 10 <= 21;
  const total = soft ? hard + 10 : hard;
  if (cards.length < 2 || total > 21) throw new Error(`no decision for a hand of ${cards.join(',')}`);
  const pair = cards.length === 2 && cards[0] === cards[1] ? (cards[0] ?? null) : null;
  return chooseFrom(chart, { total, soft, pair }, up, allowed);
}

function chooseFrom(chart: StrategyChart, shape: Pick<HandShape, 'total' | 'soft' | 'pair'>, up: CardValue, allowed: readonly BlackjackAction[]): BlackjackAction {
  if (shape.pair === null && shape.total === 21) return 'stand';
  const cell = chart.get(cellKey(shape, up));
  if (!cell) throw new Error(`no strategy cell for ${cellKey(shape, up)}`);
  const action = cell.find((a) => allowed.includes(a)) ?? (allowed.includes('stand') ? 'stand' : allowed[0]);
  if (!action) throw new Error('no action allowed');
  return action;
}

/** A chooser for gameValue that plays the chart. */
export function chartChooser(chart: StrategyChart): Chooser {
  return (shape, up, allowed) => chooseFrom(chart, shape, up, allowed);
}

export type BlackjackAnalysis = {
  /** The rule set analysed (the first one asked for with these RTP fields: seats and side bets may differ). */
  rules: BlackjackRules;
  shoe: ShoeKind;
  removal: DealerRemoval;
  /** Expected return per unit initial bet, playing the derived basic strategy chart. */
  rtp: number;
  /** 1 - rtp. */
  houseEdge: number;
  /** rtp in basis points, the figure a catalog entry declares for a table (9960 for six decks S17). */
  rtp_bp: number;
  /** Expected return with the composition-dependent optimal play of each hand (>= rtp). */
  rtpOptimal: number;
  chart: StrategyChart;
  /** Every initial (up card, two cards) with its probability and optimal action values. */
  hands: readonly InitialHand[];
  dealer: ReturnType<typeof dealerOutcomes>;
};

/** The optimal values of a rule set and the chart derived from them: what the engine's play needs. */
type Derived = { optimal: GameValue; chart: StrategyChart };

const DERIVED = new Map<string, Derived>();
const CACHE = new Map<string, BlackjackAnalysis>();

function derived(rules: BlackjackRules, shoe: ShoeKind, removal: DealerRemoval): Derived {
  const key = `${rtpRulesKey(rules)}/${shoe}/${removal}`;
  const cached = DERIVED.get(key);
  if (cached) return cached;
  const optimal = gameValue(rules, shoe, 'optimal', removal);
  const entry = { optimal, chart: deriveChart(optimal.hands) };
  DERIVED.set(key, entry);
  return entry;
}

/**
 * The basic-strategy chart of a rule set (finite shoe, `initial` removal: the one analyseBlackjack
 * prices), computed once per rule set: the optimal-value recursion only, without pricing the chart
 * (analyseBlackjack's second, cheaper pass). 0.8-2 s for the engine's rule sets on a loaded machine.
 */
export function basicStrategyChart(rules: BlackjackRules): StrategyChart {
  return derived(rules, 'finite', 'initial').chart;
}

/** The theoretical RTP of a rule set with basic strategy (computed once per rule set, then cached). */
export function analyseBlackjack(rules: BlackjackRules, shoe: ShoeKind = 'finite', removal: DealerRemoval = 'initial'): BlackjackAnalysis {
  const key = `${rtpRulesKey(rules)}/${shoe}/${removal}`;
  const cached = CACHE.get(key);
  if (cached) return cached;
  const { optimal, chart } = derived(rules, shoe, removal);
  const played = gameValue(rules, shoe, chartChooser(chart), removal);
  const analysis: BlackjackAnalysis = {
    rules, shoe, removal,
    rtp: 1 + played.ev,
    houseEdge: -played.ev,
    rtp_bp: Math.round((1 + played.ev) * 10_000),
    rtpOptimal: 1 + optimal.ev,
    chart,
    hands: optimal.hands,
    dealer: dealerOutcomes(rules, shoe),
  };
  CACHE.set(key, analysis);
  return analysis;
}

const UPS: readonly CardValue[] = [2, 3, 4, 5, 6, 7, 8, 9, 10, 1];

/** One cell as printed: H, S, P, D (double, else hit), Ds (double, else stand), R / Rs / Rp (surrender, else hit / stand / split). */
function code(cell: StrategyCell): string {
  const [first, ...rest] = cell;
  const letter = { stand: 'S', hit: 'H', double: 'D', split: 'P', surrender: 'R' } as const;
  if (!first) return '?';
  if (first !== 'double' && first !== 'surrender') return letter[first];
  const fallback = rest.find((a) => a === 'hit' || a === 'stand' || (first === 'surrender' && a === 'split'));
  return letter[first] + (fallback === 'stand' ? 's' : fallback === 'split' ? 'p' : '');
}

/** The chart as a markdown table: hard 5-20, soft 13-20, pairs. */
export function printChart(chart: StrategyChart): string {
  const row = (label: string, prefix: string, n: number) => `| ${label} | ${UPS.map((up) => code(chart.get(`${prefix}${n}:${up}`) ?? [])).join(' | ')} |`;
  const lines = [`| hand | ${UPS.map((u) => (u === 1 ? 'A' : String(u))).join(' | ')} |`, `|---|${UPS.map(() => '---').join('|')}|`];
  for (let t = 5; t <= 20; t++) lines.push(row(`hard ${t}`, 'H', t));
  for (let t = 13; t <= 20; t++) lines.push(row(`soft ${t} (A,${t - 11})`, 'S', t));
  for (const v of [...CARD_VALUES.slice(1), 1]) lines.push(row(`pair ${v === 1 ? 'A' : v === 10 ? '10' : v}`, 'P', v));
  return lines.join('\n');
}
