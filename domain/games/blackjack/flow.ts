/**
 * What happens on its own between decisions: the end of the deal (naturals, insurance, the dealer's
 * peek), a card landing on a hand (bust, 21, split aces), moving to the next hand or box, and the
 * dealer's play. Every function takes a state and returns a new one.
 */
import { handValue, isAce, isTenValue, isTwoCardTwentyOne } from './cards';
import type { BlackjackEvent, HandDealtEvent } from './events';
import { activeHandIndex, type Box, dealerUpCard, findBox, type Hand, type RoundState, withBox, withHand } from './state';

export type Flow = { state: RoundState; events: BlackjackEvent[] };

export function dealerHasBlackjack(state: RoundState): boolean {
  return isTwoCardTwentyOne(state.dealer);
}

/** The dealer's rule: draw below 17, and on a soft 17 when the table hits soft 17. */
export function dealerMustDraw(cards: readonly string[], soft17: 'hit' | 'stand'): boolean {
  const { total, soft } = handValue(cards);
  return total < 17 || (total === 17 && soft && soft17 === 'hit');
}

/** A card lands on a hand: it busts, reaches 21 (stands by itself), ends a double or a split ace, or plays on. */
export function withCard(hand: Hand, card: string, rules: RoundState['rules']): Hand {
  const cards = [...hand.cards, card];
  const { total } = handValue(cards);
  let status: Hand['status'] = 'playing';
  if (total > 21) status = 'busted';
  else if (total === 21 || hand.doubled) status = 'stood';
  // Split aces take one card and stand, unless it is another ace the table lets them split again.
  else if (hand.split_aces && rules.split_aces_one_card && cards.length === 2 && !(rules.resplit_aces && isAce(card))) status = 'stood';
  return { ...hand, cards, status };
}

/** The deal is complete: naturals stand, then insurance (ace up) or the peek, then decisions. */
export function afterDeal(state: RoundState): Flow {
  const up = dealerUpCard(state);
  const boxes = state.boxes.map((box): Box => {
    const first = box.hands[0];
    if (!first) return box;
    const cards = state.format === 'infinite' ? [...state.initial] : first.cards;
    const natural = isTwoCardTwentyOne(cards);
    const offered = state.rules.insurance && isAce(up) && first.stake_minor >= 2;
    return { ...box, insurance: offered ? 'pending' : null, initial_cards: cards, hands: [{ ...first, cards, status: natural ? 'blackjack' : 'playing' }] };
  });
  const events: BlackjackEvent[] = boxes.map((box): HandDealtEvent => {
    const cards = box.hands[0]?.cards ?? [];
    const value = handValue(cards);
    return {
      type: 'table.hand.dealt', box_id: box.box_id, player_id: box.player_id, seat: box.seat, hand_index: 0,
      cards, total: value.total, soft: value.soft, natural: isTwoCardTwentyOne(cards), dealer_up_card: up,
    };
  });
  const next: RoundState = { ...state, boxes };
  if (boxes.some((b) => b.insurance === 'pending')) return { state: { ...next, phase: 'insurance' }, events };
  const after = afterInsurance(next);
  return { state: after.state, events: [...events, ...after.events] };
}

/** Insurance is closed: a peeking dealer with a blackjack ends the round, otherwise decisions begin. */
export function afterInsurance(state: RoundState): Flow {
  const up = dealerUpCard(state);
  if (state.rules.dealer_peek && (isAce(up) || isTenValue(up)) && dealerHasBlackjack(state)) {
    return { state: { ...state, phase: 'complete' }, events: [] };
  }
  return progress({ ...state, phase: 'decisions' });
}

/**
 * Moves play on: a split hand reached gets its second card (from the shared sequence at an Infinite
 * table when it is already out), and when no hand is left to play the dealer plays.
 */
export function progress(state: RoundState, changedBoxId?: string): Flow {
  let next = state;
  if (state.format === 'seated') {
    const turn = seatedTurnBox(state);
    if (turn) next = withBox(state, startActiveHand(state, turn));
  } else if (changedBoxId !== undefined) {
    // Infinite boxes move independently: after one box's decision only that box can need starting.
    const box = findBox(state, changedBoxId);
    if (box) next = withBox(state, startActiveHand(state, box));
  } else {
    next = { ...state, boxes: state.boxes.map((b) => startActiveHand(state, b)) };
  }
  if (next.boxes.every((b) => activeHandIndex(b) === null)) return { state: completeIfDealerDone({ ...next, phase: 'dealer' }), events: [] };
  return { state: next, events: [] };
}

/** The first box, in seat order, with a hand still to play. */
export function seatedTurnBox(state: RoundState): Box | undefined {
  return state.boxes.find((b) => activeHandIndex(b) !== null);
}

function startActiveHand(state: RoundState, box: Box): Box {
  const index = activeHandIndex(box);
  const hand = index === null ? undefined : box.hands[index];
  if (index === null || !hand || hand.status !== 'waiting') return box;
  const waiting = withHand(box, index, { ...hand, status: 'awaiting_card' });
  return state.format === 'infinite' ? takeCommonCards(state, waiting) : waiting;
}

/** Infinite: a box waiting for its next card takes it from the shared sequence when it is already out. */
export function takeCommonCards(state: RoundState, box: Box): Box {
  let current = box;
  for (;;) {
    const index = activeHandIndex(current);
    const hand = index === null ? undefined : current.hands[index];
    const card = state.common[current.cursor];
    if (index === null || !hand || hand.status !== 'awaiting_card' || card === undefined) return current;
    current = { ...withHand(current, index, withCard(hand, card, state.rules)), cursor: current.cursor + 1 };
    const after = activeHandIndex(current);
    const nextHand = after === null ? undefined : current.hands[after];
    if (after !== null && nextHand?.status === 'waiting') current = withHand(current, after, { ...nextHand, status: 'awaiting_card' });
  }
}

/** Hands that still meet the dealer's total (not busted, surrendered or paid as a natural). */
function hasLiveHand(state: RoundState): boolean {
  return state.boxes.some((b) => b.hands.some((h) => h.status === 'stood' || h.status === 'playing'));
}

/** Whether the dealer takes another card: the second card (no peek) if anything is left to decide, then by the rule. */
export function dealerNeedsCard(state: RoundState): boolean {
  if (state.phase !== 'dealer') return false;
  if (state.dealer.length < 2) {
    const anythingOpen = state.boxes.some((b) => b.insurance === 'taken' || b.hands.some((h) => h.status !== 'busted' && h.status !== 'surrendered'));
    return anythingOpen;
  }
  return hasLiveHand(state) && dealerMustDraw(state.dealer, state.rules.dealer_soft_17);
}

/** Marks the round complete once the dealer draws no more (the dealer's cards arrive through takeCard). */
export function completeIfDealerDone(state: RoundState): RoundState {
  return dealerNeedsCard(state) ? state : { ...state, phase: 'complete' };
}

