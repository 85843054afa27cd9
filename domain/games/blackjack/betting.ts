/**
 * The betting phase: take a seat and bet (Seated), bet (Infinite: one box per player), bet behind a
 * seat, close betting. Each refusal has a code and leaves the state as it was.
 */
import { isValidAmountMinor } from '../../money';
import { isSideBetKind, type SideBetKind } from './side-bets';
import { addStake, type CardTarget, MAX_INFINITE_BOXES, refuse, type RoundState, type Step } from './state';

export type BetRequest = {
  player_id: string;
  /** Seated tables: the seat 1..N to take. Infinite tables: omitted. */
  seat?: number;
  main_minor: number;
  side_bets?: Partial<Record<SideBetKind, number>>;
};

export function seatBoxId(seat: number): string {
  return `seat-${seat}`;
}

export function playerBoxId(playerId: string): string {
  return `player-${playerId}`;
}

export function placeBet(state: RoundState, bet: BetRequest): Step {
  if (state.phase !== 'betting') return refuse('wrong_phase', 'betting is closed');
  if (typeof bet.player_id !== 'string' || bet.player_id.length === 0) return refuse('invalid_request', 'player_id is required');
  if (!isValidAmountMinor(bet.main_minor)) return refuse('invalid_amount', 'main_minor must be a positive whole number of minor units');
  const sideBets = Object.entries(bet.side_bets ?? {});
  for (const [kind, amount] of sideBets) {
    if (!isSideBetKind(kind) || !state.rules.side_bets.includes(kind)) return refuse('side_bet_not_offered', `side bet '${kind}' is not offered at this table`);
    if (!isValidAmountMinor(amount)) return refuse('invalid_amount', `${kind} must be a positive whole number of minor units`);
  }
  let boxId: string;
  if (state.format === 'seated') {
    const seat = bet.seat;
    if (typeof seat !== 'number' || !Number.isInteger(seat) || seat < 1 || seat > state.rules.seats) return refuse('no_such_seat', `seat must be 1..${state.rules.seats}`);
    if (state.boxes.length >= state.rules.seats) return refuse('table_full', 'every seat is taken');
    boxId = seatBoxId(seat);
    if (state.boxes.some((b) => b.box_id === boxId)) return refuse('seat_taken', `seat ${seat} is taken`);
  } else {
    if (bet.seat !== undefined) return refuse('seat_not_offered', 'an Infinite table has no seats');
    boxId = playerBoxId(bet.player_id);
    if (state.boxes.some((b) => b.box_id === boxId)) return refuse('already_bet', 'this player has bet this round');
    if (state.boxes.length >= MAX_INFINITE_BOXES) return refuse('table_full', `at most ${MAX_INFINITE_BOXES} players per round`);
  }
  const seat = state.format === 'seated' ? (bet.seat ?? null) : null;
  const boxes = [...state.boxes, {
    box_id: boxId, player_id: bet.player_id, seat, insurance: null, cursor: 0, initial_cards: [],
    hands: [{ cards: [], status: 'playing' as const, stake_minor: bet.main_minor, doubled: false, from_split: false, split_aces: false }],
  }];
  // Seats are dealt in seat order whatever the order they were taken in.
  if (state.format === 'seated') boxes.sort((a, b) => (a.seat ?? 0) - (b.seat ?? 0));
  let next = addStake({ ...state, boxes }, { player_id: bet.player_id, box_id: boxId, hand_index: 0, component: 'main', amount_minor: bet.main_minor });
  for (const [kind, amount] of sideBets) {
    if (isSideBetKind(kind) && amount !== undefined) next = addStake(next, { player_id: bet.player_id, box_id: boxId, hand_index: null, component: kind, amount_minor: amount });
  }
  return { ok: true, state: next, events: [] };
}

export type BehindRequest = { player_id: string; seat: number; amount_minor: number; follow: boolean };

/** A bet behind an occupied seat (Seated tables): it wins, loses, doubles and splits (if `follow`) with that seat. */
export function betBehind(state: RoundState, bet: BehindRequest): Step {
  if (state.phase !== 'betting') return refuse('wrong_phase', 'betting is closed');
  if (state.format !== 'seated') return refuse('seat_not_offered', 'bet behind is a Seated table bet');
  if (!isValidAmountMinor(bet.amount_minor)) return refuse('invalid_amount', 'amount_minor must be a positive whole number of minor units');
  if (!Number.isInteger(bet.seat) || bet.seat < 1 || bet.seat > state.rules.seats) return refuse('no_such_seat', `seat must be 1..${state.rules.seats}`);
  const boxId = seatBoxId(bet.seat);
  const box = state.boxes.find((b) => b.box_id === boxId);
  if (!box) return refuse('seat_empty', `nobody has bet on seat ${bet.seat}`);
  if (box.player_id === bet.player_id) return refuse('own_seat', 'a player does not bet behind their own seat');
  if (state.behind.some((b) => b.box_id === boxId && b.player_id === bet.player_id)) return refuse('already_bet', 'already betting behind this seat');
  const next = { ...state, behind: [...state.behind, { player_id: bet.player_id, box_id: boxId, amount_minor: bet.amount_minor, follow: bet.follow === true }] };
  return { ok: true, state: addStake(next, { player_id: bet.player_id, box_id: boxId, hand_index: 0, component: 'behind', amount_minor: bet.amount_minor }), events: [] };
}

export type LeaveRequest = { player_id: string; seat?: number };

/**
 * Leaves before the deal: the player's box goes, with its stakes and every bet behind it (the wiring
 * releases the hold of each stake no longer in the state). After the deal a player cannot leave a
 * hand: the decision timer stands it.
 */
export function leave(state: RoundState, req: LeaveRequest): Step {
  if (state.phase !== 'betting') return refuse('wrong_phase', 'the cards are dealt: the hand plays on (the timer stands it)');
  const boxId = state.format === 'seated' ? seatBoxId(req.seat ?? 0) : playerBoxId(req.player_id);
  const box = state.boxes.find((b) => b.box_id === boxId);
  if (box && box.player_id === req.player_id) {
    const boxes = state.boxes.filter((b) => b.box_id !== boxId);
    return { ok: true, state: { ...state, boxes, behind: state.behind.filter((b) => b.box_id !== boxId), stakes: state.stakes.filter((k) => k.box_id !== boxId) }, events: [] };
  }
  const mine = (x: { box_id: string; player_id: string }) => x.box_id === boxId && x.player_id === req.player_id;
  if (!state.behind.some(mine)) return refuse(box ? 'not_your_box' : 'box_not_found', box ? 'another player sits there' : 'no bet of this player there');
  // A backer leaving takes only their bet behind.
  return { ok: true, state: { ...state, behind: state.behind.filter((b) => !mine(b)), stakes: state.stakes.filter((k) => !mine(k)) }, events: [] };
}

/**
 * Closes betting and plans the initial deal. Seated: one card to each seat in seat order, the dealer's
 * up card, a second card to each seat, then the hole card when the dealer peeks. Infinite: the shared
 * first card, the up card, the shared second card, then the hole card when the dealer peeks.
 */
export function closeBetting(state: RoundState): Step {
  if (state.phase !== 'betting') return refuse('wrong_phase', 'betting is already closed');
  if (state.boxes.length === 0) return refuse('no_bets', 'no bets this round');
  const players: CardTarget[] = state.format === 'seated'
    ? state.boxes.map((b) => ({ to: 'box', box_id: b.box_id, hand_index: 0 }))
    : [{ to: 'initial' }];
  const plan: CardTarget[] = [...players, { to: 'dealer' }, ...players, ...(state.rules.dealer_peek ? [{ to: 'dealer' } as const] : [])];
  return { ok: true, state: { ...state, phase: 'dealing', deal_plan: plan, deal_pos: 0 }, events: [] };
}
