/**
 * Settlement of a complete round: one result per stake (every hold is posted exactly once), grouped
 * per hand into `table.hand.settled` events. Integer minor units throughout.
 *
 * Returns, per stake of `s` minor units:
 *   - a hand's own stake (main, split, behind, behind_split): win 2s; blackjack s + floor(s x 3 / 2)
 *     (or floor(s x 6 / 5)); push s; surrender floor(s / 2); loss 0;
 *   - a double (double, behind_double): win 2s, push s, loss 0, as its hand;
 *   - insurance: 3s (2:1) on a dealer blackjack, else 0;
 *   - side bets: s x (1 + pays) on a paying outcome (side-bets.ts), else 0.
 * Rounding: every fraction of a minor unit is rounded DOWN (the house never pays a fraction, as
 * payout.ts does for commission): a 3:2 blackjack on 5 pays 5 + 7 = 12, a surrender of 5 returns 2.
 */
import { handValue, isTwoCardTwentyOne } from './cards';
import type { HandSettledEvent, StakeResult } from './events';
import { dealerHasBlackjack } from './flow';
import { BLACKJACK_RATIOS } from './rules';
import { isSideBetKind, sideBetOutcome, sideBetPays, type SideBetKind } from './side-bets';
import { type Box, dealerUpCard, type Hand, type Refusal, refuse, type RoundState, type Stake } from './state';

/** How a hand ends against the dealer, before money. */
export type HandOutcome = 'blackjack' | 'win' | 'push' | 'lose' | 'surrender';

export type RoundSettlement = {
  stakes: StakeResult[];
  hands: HandSettledEvent[];
  staked_minor: number;
  returned_minor: number;
};

/** A natural: two cards making 21 on a hand that was never split. */
export function isNatural(hand: Hand): boolean {
  return !hand.from_split && isTwoCardTwentyOne(hand.cards);
}

export function handOutcome(hand: Hand, dealer: readonly string[]): { outcome: HandOutcome; reason: string } {
  if (hand.status === 'surrendered') return { outcome: 'surrender', reason: 'surrender' };
  const player = handValue(hand.cards).total;
  const dealerNatural = isTwoCardTwentyOne(dealer);
  if (isNatural(hand)) return dealerNatural ? { outcome: 'push', reason: 'both_blackjack' } : { outcome: 'blackjack', reason: 'blackjack' };
  if (player > 21) return { outcome: 'lose', reason: 'bust' };
  if (dealerNatural) return { outcome: 'lose', reason: 'dealer_blackjack' };
  const house = handValue(dealer).total;
  if (house > 21) return { outcome: 'win', reason: 'dealer_bust' };
  if (player > house) return { outcome: 'win', reason: 'higher' };
  return player === house ? { outcome: 'push', reason: 'equal' } : { outcome: 'lose', reason: 'lower' };
}

/** What a stake riding on a hand returns, for the hand's outcome. */
export function handStakeReturn(component: Stake['component'], amount: number, outcome: HandOutcome, pays: RoundState['rules']['blackjack_pays']): number {
  const isDouble = component === 'double' || component === 'behind_double';
  switch (outcome) {
    case 'lose': return 0;
    case 'push': return amount;
    case 'win': return checked(amount * 2);
    case 'surrender': return isDouble ? 0 : Math.floor(amount / 2);
    case 'blackjack': {
      const { num, den } = BLACKJACK_RATIOS[pays];
      return checked(amount + Math.floor(checked(amount * num) / den));
    }
  }
}

function checked(amount: number): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`return ${amount} leaves the exact integer range`);
  return amount;
}

function resultOf(stake: number, returned: number): StakeResult['result'] {
  return returned > stake ? 'win' : returned === stake ? 'push' : 'lose';
}

function sideBetCards(state: RoundState, box: Box): { player: [string, string]; dealer_up: string } {
  return { player: [box.initial_cards[0] ?? '', box.initial_cards[1] ?? ''], dealer_up: dealerUpCard(state) };
}

function settleStake(state: RoundState, box: Box, stake: Stake): StakeResult {
  const base = { stake_id: stake.stake_id, player_id: stake.player_id, component: stake.component, stake_minor: stake.amount_minor };
  if (stake.component === 'insurance') {
    const returned = dealerHasBlackjack(state) ? checked(stake.amount_minor * 3) : 0;
    return { ...base, returned_minor: returned, result: resultOf(stake.amount_minor, returned), reason: returned > 0 ? 'dealer_blackjack' : 'no_dealer_blackjack' };
  }
  if (isSideBetKind(stake.component)) {
    const outcome = sideBetOutcome(stake.component, sideBetCards(state, box));
    const pays = sideBetPays(stake.component, outcome);
    const returned = pays > 0 ? checked(stake.amount_minor * (1 + pays)) : 0;
    return { ...base, returned_minor: returned, result: resultOf(stake.amount_minor, returned), reason: outcome ?? 'no_win' };
  }
  const hand = box.hands[stake.hand_index ?? -1];
  if (!hand) throw new Error(`stake ${stake.stake_id} rides on a missing hand`);
  const { outcome, reason } = handOutcome(hand, state.dealer);
  const returned = handStakeReturn(stake.component, stake.amount_minor, outcome, state.rules.blackjack_pays);
  return { ...base, returned_minor: returned, result: resultOf(stake.amount_minor, returned), reason };
}

/** Settles every stake of a complete round. Pure: the wiring posts each result against its hold. */
export function settleRound(state: RoundState): RoundSettlement | Refusal {
  if (state.phase !== 'complete') return refuse('wrong_phase', `the round is not complete (phase ${state.phase})`);
  const boxes = new Map(state.boxes.map((b) => [b.box_id, b]));
  const byHand = new Map<string, StakeResult[]>();
  const sideBetsByBox = new Map<string, SideBetKind[]>();
  const stakes: StakeResult[] = [];
  for (const stake of state.stakes) {
    const box = boxes.get(stake.box_id);
    if (!box) throw new Error(`stake ${stake.stake_id} of a missing box`);
    const result = settleStake(state, box, stake);
    stakes.push(result);
    const key = `${stake.box_id}/${stake.hand_index ?? 0}`;
    const list = byHand.get(key);
    if (list) list.push(result);
    else byHand.set(key, [result]);
    if (isSideBetKind(stake.component)) sideBetsByBox.set(stake.box_id, [...(sideBetsByBox.get(stake.box_id) ?? []), stake.component]);
  }
  const dealerTotal = handValue(state.dealer).total;
  const dealerNatural = isTwoCardTwentyOne(state.dealer);
  const up = dealerUpCard(state);
  const hands: HandSettledEvent[] = [];
  for (const box of state.boxes) {
    box.hands.forEach((hand, index) => {
      const results = byHand.get(`${box.box_id}/${index}`) ?? [];
      const { total } = handValue(hand.cards);
      hands.push({
        type: 'table.hand.settled', box_id: box.box_id, player_id: box.player_id, seat: box.seat, hand_index: index,
        cards: hand.cards, total, natural: isNatural(hand), busted: total > 21,
        surrendered: hand.status === 'surrendered', doubled: hand.doubled,
        dealer_up_card: up, dealer_cards: state.dealer, dealer_total: dealerTotal, dealer_natural: dealerNatural,
        side_bet_result: index === 0 ? sideBetResults(state, box, sideBetsByBox.get(box.box_id) ?? []) : null, stakes: results,
        staked_minor: sum(results.map((r) => r.stake_minor)), returned_minor: sum(results.map((r) => r.returned_minor)),
      });
    });
  }
  return { stakes, hands, staked_minor: sum(stakes.map((s) => s.stake_minor)), returned_minor: sum(stakes.map((s) => s.returned_minor)) };
}

function sideBetResults(state: RoundState, box: Box, kinds: readonly SideBetKind[]): Partial<Record<SideBetKind, string | null>> | null {
  if (kinds.length === 0) return null;
  const out: Partial<Record<SideBetKind, string | null>> = {};
  for (const kind of kinds) out[kind] = sideBetOutcome(kind, sideBetCards(state, box));
  return out;
}

function sum(values: readonly number[]): number {
  return checked(values.reduce((a, b) => a + b, 0));
}
