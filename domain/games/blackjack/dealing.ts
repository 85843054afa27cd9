/**
 * Cards into the round, one at a time, whoever supplies them: the shuffled shoe of an automated
 * table (autoplay.ts feeds it in order) or a dealer / studio feed. cardNeeded says who the next card
 * goes to; takeCard places it and refuses a card that cannot come next (not a card, no card wanted,
 * or more copies than the shoe's decks hold).
 */
import { activeHandIndex, type Box, type CardTarget, findBox, refuse, type RoundState, type Step, withBox, withHand } from './state';
import { afterDeal, dealerNeedsCard, completeIfDealerDone, type Flow, progress, seatedTurnBox, takeCommonCards, withCard } from './flow';
import { isCard } from './cards';

export function cardNeeded(state: RoundState): CardTarget | null {
  switch (state.phase) {
    case 'dealing':
      return state.deal_plan[state.deal_pos] ?? null;
    case 'decisions': {
      if (state.format === 'infinite') {
        // One decision window per shared card: the next card comes out only once no hand is still
        // deciding (every box decided, or the timer stood it), so nobody sees a card before deciding on it.
        const deciding = state.boxes.some((b) => { const i = activeHandIndex(b); return i !== null && b.hands[i]?.status === 'playing'; });
        return !deciding && state.boxes.some((b) => awaitingIndex(b) !== null) ? { to: 'common' } : null;
      }
      const box = seatedTurnBox(state);
      const index = box ? awaitingIndex(box) : null;
      return box && index !== null ? { to: 'box', box_id: box.box_id, hand_index: index } : null;
    }
    case 'dealer':
      return dealerNeedsCard(state) ? { to: 'dealer' } : null;
    default:
      return null;
  }
}

function awaitingIndex(box: Box): number | null {
  const index = activeHandIndex(box);
  return index !== null && box.hands[index]?.status === 'awaiting_card' ? index : null;
}

/** How many of `card` are still in an N-deck shoe, given the cards already dealt. */
export function copiesLeft(state: RoundState, card: string): number {
  return state.rules.decks - state.dealt.filter((c) => c === card).length;
}

export function takeCard(state: RoundState, card: string): Step {
  if (!isCard(card)) return refuse('not_a_card', 'a card is rank A,2..10,J,Q,K + suit S,H,D,C');
  const target = cardNeeded(state);
  if (target === null) return refuse('no_card_needed', `no card is wanted now (phase ${state.phase})`);
  if (copiesLeft(state, card) <= 0) return refuse('card_not_in_shoe', `all ${state.rules.decks} ${card} are already dealt`);
  const next: RoundState = { ...state, dealt: [...state.dealt, card] };
  const flow = place(next, target, card);
  return { ok: true, state: flow.state, events: flow.events };
}

function place(state: RoundState, target: CardTarget, card: string): Flow {
  if (state.phase === 'dealing') {
    const dealt = dealInitial(state, target, card);
    const next = { ...dealt, deal_pos: state.deal_pos + 1 };
    return next.deal_pos === next.deal_plan.length ? afterDeal(next) : { state: next, events: [] };
  }
  if (target.to === 'dealer') return { state: completeIfDealerDone({ ...state, dealer: [...state.dealer, card] }), events: [] };
  if (target.to === 'common') {
    const next = { ...state, common: [...state.common, card] };
    return progress({ ...next, boxes: next.boxes.map((b) => (awaitingIndex(b) === null ? b : takeCommonCards(next, b))) });
  }
  if (target.to === 'box') {
    const box = findBox(state, target.box_id);
    const hand = box?.hands[target.hand_index];
    if (!box || !hand) return { state, events: [] };
    return progress(withBox(state, withHand(box, target.hand_index, withCard(hand, card, state.rules))));
  }
  return { state, events: [] };
}

function dealInitial(state: RoundState, target: CardTarget, card: string): RoundState {
  switch (target.to) {
    case 'initial': return { ...state, initial: [...state.initial, card] };
    case 'dealer': return { ...state, dealer: [...state.dealer, card] };
    case 'box': {
      const box = findBox(state, target.box_id);
      const hand = box?.hands[target.hand_index];
      return box && hand ? withBox(state, withHand(box, target.hand_index, { ...hand, cards: [...hand.cards, card] })) : state;
    }
    case 'common': return state;
  }
}
