/**
 * Players' decisions: hit, stand, double, split, surrender; insurance; and the decision timer.
 * `refusal` is the single rule book: legalActions offers exactly the actions it lets through, and
 * decide applies an action only after it, so what is offered and what is accepted cannot drift.
 *
 * Seated tables decide in seat order, hand by hand (the turn is the first unfinished hand of the
 * first unfinished seat). Infinite tables let every player decide their own hands at any time.
 */
import { handValue, isAce, pointValue, rankOf } from './cards';
import type { Decision, HandDecisionEvent } from './events';
import { afterInsurance, progress, seatedTurnBox, takeCommonCards } from './flow';
import {
  activeHandIndex, addStake, type Box, dealerUpCard, findBox, type Hand, type Refusal, refuse, type RoundState, type Step, withBox, withHand,
} from './state';

export type Action = 'hit' | 'stand' | 'double' | 'split' | 'surrender';
export const ACTIONS: readonly Action[] = ['hit', 'stand', 'double', 'split', 'surrender'];

export type DecisionRequest = { player_id: string; box_id: string; hand_index: number; action: Action };

/** Why an action is not allowed now, or null when it is. */
export function refusal(state: RoundState, req: DecisionRequest): Refusal | null {
  if (state.phase !== 'decisions') return refuse('wrong_phase', `no decisions in phase ${state.phase}`);
  if (!(ACTIONS as readonly string[]).includes(req.action)) return refuse('invalid_request', `action is one of ${ACTIONS.join(', ')}`);
  const box = findBox(state, req.box_id);
  if (!box) return refuse('box_not_found', `no box ${req.box_id}`);
  if (box.player_id !== req.player_id) return refuse('not_your_box', 'only the player of a box decides for it');
  const hand = box.hands[req.hand_index];
  if (!hand) return refuse('hand_not_found', `box ${req.box_id} has no hand ${req.hand_index}`);
  if (hand.status === 'stood' || hand.status === 'busted' || hand.status === 'surrendered' || hand.status === 'blackjack') {
    return refuse('hand_finished', `hand ${req.hand_index} is finished (${hand.status})`);
  }
  if (activeHandIndex(box) !== req.hand_index || (state.format === 'seated' && seatedTurnBox(state)?.box_id !== box.box_id)) {
    return refuse('not_your_turn', 'another hand decides first');
  }
  if (hand.status === 'awaiting_card') return refuse('card_pending', 'the hand is waiting for its card');
  return actionRefusal(state, box, hand, req.action);
}

function actionRefusal(state: RoundState, box: Box, hand: Hand, action: Action): Refusal | null {
  const rules = state.rules;
  switch (action) {
    case 'stand':
      return null;
    case 'hit':
      // Only an ace drawn to a split ace (which may be split again) leaves such a hand open: no hit.
      return hand.split_aces && rules.split_aces_one_card ? refuse('split_aces_one_card', 'split aces take one card') : null;
    case 'double': {
      if (hand.cards.length !== 2) return refuse('double_needs_two_cards', 'a double is only on the first two cards of a hand');
      if (hand.split_aces && rules.split_aces_one_card) return refuse('double_not_allowed', 'split aces take one card');
      if (hand.from_split && !rules.double_after_split) return refuse('double_after_split_not_allowed', 'no double after a split at this table');
      const { total } = handValue(hand.cards);
      if (rules.double_on === '9_11' && (total < 9 || total > 11)) return refuse('double_not_allowed', 'this table doubles on 9, 10 or 11 only');
      return null;
    }
    case 'split': {
      if (hand.cards.length !== 2) return refuse('split_needs_two_cards', 'a split is only on the first two cards of a hand');
      const [a = '', b = ''] = hand.cards;
      const pair = rankOf(a) === rankOf(b) || (rules.split_unequal_tens && pointValue(a) === 10 && pointValue(b) === 10);
      if (!pair) return refuse('split_unequal_cards', `${a} and ${b} are not a pair`);
      if (box.hands.length >= rules.max_hands) return refuse('split_limit', `at most ${rules.max_hands} hands per box`);
      if (hand.split_aces && !rules.resplit_aces) return refuse('resplit_aces_not_allowed', 'split aces are not split again');
      return null;
    }
    case 'surrender':
      if (!rules.late_surrender) return refuse('surrender_not_offered', 'no surrender at this table');
      if (hand.cards.length !== 2 || hand.from_split) return refuse('surrender_not_allowed', 'surrender is the first decision of an unsplit hand');
      return null;
  }
}

/** The actions a player may take on a hand now (empty when it is not theirs to decide). */
export function legalActions(state: RoundState, playerId: string, boxId: string, handIndex: number): Action[] {
  return ACTIONS.filter((action) => refusal(state, { player_id: playerId, box_id: boxId, hand_index: handIndex, action }) === null);
}

/** The hand that decides next at a Seated table (null when none: cards, insurance or the dealer come first). */
export function currentTurn(state: RoundState): { box_id: string; player_id: string; hand_index: number } | null {
  if (state.phase !== 'decisions') return null;
  const box = seatedTurnBox(state);
  const index = box ? activeHandIndex(box) : null;
  return box && index !== null ? { box_id: box.box_id, player_id: box.player_id, hand_index: index } : null;
}

export function decide(state: RoundState, req: DecisionRequest): Step {
  const refused = refusal(state, req);
  if (refused) return refused;
  return apply(state, req.box_id, req.hand_index, req.action, req.action);
}

function apply(state: RoundState, boxId: string, index: number, action: Action, recorded: Decision): Step {
  const box = findBox(state, boxId);
  const hand = box?.hands[index];
  if (!box || !hand) return refuse('hand_not_found', `no hand ${boxId}/${index}`);
  const event = decisionEvent(state, box, index, recorded);
  let next = state;
  let updated: Box = box;
  switch (action) {
    case 'stand': updated = withHand(box, index, { ...hand, status: 'stood' }); break;
    case 'surrender': updated = withHand(box, index, { ...hand, status: 'surrendered' }); break;
    case 'hit': updated = withHand(box, index, { ...hand, status: 'awaiting_card' }); break;
    case 'double':
      updated = withHand(box, index, { ...hand, doubled: true, status: 'awaiting_card' });
      next = addStake(next, { player_id: box.player_id, box_id: boxId, hand_index: index, component: 'double', amount_minor: hand.stake_minor });
      for (const b of followers(state, boxId)) next = addStake(next, { player_id: b.player_id, box_id: boxId, hand_index: index, component: 'behind_double', amount_minor: b.amount_minor });
      break;
    case 'split': {
      const [first = '', second = ''] = hand.cards;
      const aces = isAce(first);
      const left: Hand = { ...hand, cards: [first], from_split: true, split_aces: aces, status: 'awaiting_card' };
      const right: Hand = { ...left, cards: [second], status: 'waiting' };
      const newIndex = box.hands.length;
      // The new hand goes last so existing hand indexes (and the stakes riding on them) never move.
      updated = { ...withHand(box, index, left), hands: [...withHand(box, index, left).hands, right] };
      next = addStake(next, { player_id: box.player_id, box_id: boxId, hand_index: newIndex, component: 'split', amount_minor: hand.stake_minor });
      for (const b of followers(state, boxId)) next = addStake(next, { player_id: b.player_id, box_id: boxId, hand_index: newIndex, component: 'behind_split', amount_minor: b.amount_minor });
      break;
    }
  }
  if (state.format === 'infinite') updated = takeCommonCards(next, updated);
  const flow = progress(withBox(next, updated), boxId);
  return { ok: true, state: flow.state, events: [event, ...flow.events] };
}

/** Bets behind that double and split with the seat. */
function followers(state: RoundState, boxId: string) {
  return state.behind.filter((b) => b.box_id === boxId && b.follow);
}

function decisionEvent(state: RoundState, box: Box, index: number, decision: Decision): HandDecisionEvent {
  const cards = box.hands[index]?.cards ?? [];
  return {
    type: 'table.hand.decision', box_id: box.box_id, player_id: box.player_id, seat: box.seat, hand_index: index,
    decision, cards, total: handValue(cards).total, dealer_up_card: dealerUpCard(state),
  };
}

/**
 * The decision timer ran out. Seated: the hand whose turn it is stands. Infinite: every hand still
 * waiting for a decision stands (the round's decision window closed). Hands waiting for a card are
 * left for the card (an automated table feeds it at once; autoplay.ts repeats until nothing is open).
 */
export function timeout(state: RoundState): Step {
  if (state.phase === 'insurance') return closeInsurance(state);
  if (state.phase !== 'decisions') return refuse('wrong_phase', `no decision is open in phase ${state.phase}`);
  if (state.format === 'seated') {
    const turn = currentTurn(state);
    const hand = turn ? findBox(state, turn.box_id)?.hands[turn.hand_index] : undefined;
    if (!turn || !hand || hand.status !== 'playing') return refuse('card_pending', 'the hand is waiting for its card');
    return apply(state, turn.box_id, turn.hand_index, 'stand', 'timeout');
  }
  // Infinite: one pass over the boxes, then one progress (a table may hold thousands of boxes).
  const events: HandDecisionEvent[] = [];
  const boxes = state.boxes.map((box): Box => {
    const index = activeHandIndex(box);
    const hand = index === null ? undefined : box.hands[index];
    if (index === null || !hand || hand.status !== 'playing') return box;
    events.push(decisionEvent(state, box, index, 'timeout'));
    return withHand(box, index, { ...hand, status: 'stood' });
  });
  const flow = progress({ ...state, boxes });
  return { ok: true, state: flow.state, events: [...events, ...flow.events] };
}

export type InsuranceRequest = { player_id: string; box_id: string; take: boolean };

/** Whether this player is being offered insurance on this box now (the one decision of the insurance phase). */
export function insuranceOffered(state: RoundState, playerId: string, boxId: string): boolean {
  const box = state.phase === 'insurance' ? findBox(state, boxId) : undefined;
  return box !== undefined && box.player_id === playerId && box.insurance === 'pending';
}

/** Insurance (dealer's ace up): half the main stake, rounded down, paying 2:1 on a dealer blackjack. */
export function insure(state: RoundState, req: InsuranceRequest): Step {
  if (state.phase !== 'insurance') return refuse('insurance_not_offered', 'insurance is not open');
  const box = findBox(state, req.box_id);
  if (!box) return refuse('box_not_found', `no box ${req.box_id}`);
  if (box.player_id !== req.player_id) return refuse('not_your_box', 'only the player of a box decides for it');
  if (box.insurance !== 'pending') return refuse(box.insurance === null ? 'insurance_too_small' : 'hand_finished', box.insurance === null ? 'this stake cannot be insured' : 'insurance already decided');
  const stake = Math.floor((box.hands[0]?.stake_minor ?? 0) / 2);
  let next = withBox(state, { ...box, insurance: req.take ? 'taken' : 'declined' });
  if (req.take) next = addStake(next, { player_id: box.player_id, box_id: box.box_id, hand_index: null, component: 'insurance', amount_minor: stake });
  const event = decisionEvent(state, box, 0, req.take ? 'insurance' : 'no_insurance');
  if (next.boxes.some((b) => b.insurance === 'pending')) return { ok: true, state: next, events: [event] };
  const flow = afterInsurance(next);
  return { ok: true, state: flow.state, events: [event, ...flow.events] };
}

/** The insurance window closed: every undecided box declines (a timeout), then play goes on. */
export function closeInsurance(state: RoundState): Step {
  if (state.phase !== 'insurance') return refuse('insurance_not_offered', 'insurance is not open');
  const events: HandDecisionEvent[] = [];
  const boxes = state.boxes.map((box): Box => {
    if (box.insurance !== 'pending') return box;
    events.push(decisionEvent(state, box, 0, 'timeout'));
    return { ...box, insurance: 'declined' };
  });
  const flow = afterInsurance({ ...state, boxes });
  return { ok: true, state: flow.state, events: [...events, ...flow.events] };
}
