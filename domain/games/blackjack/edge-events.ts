/**
 * The engine's per-hand events as the edge's event payloads (domain/games/events.ts): flat scalars,
 * cards as one space-separated string, side bets as `kind=outcome;...`, and a settled hand's money
 * as the box player's own stakes (bets behind are other players' money, in their own bet events).
 * One flattening for the table object that emits them and for whoever checks them (the warehouse).
 */
import type { EventPayload } from '../../events';
import type { BlackjackEvent } from './events';

type HandEventType = 'table.hand.dealt' | 'table.hand.decision' | 'table.hand.settled';
export type HandEventPayload = { [T in HandEventType]: { type: T; payload: EventPayload<T> } }[HandEventType];

const cards = (list: readonly string[]) => list.join(' ');

function sideBets(result: Partial<Record<string, string | null>> | null): string | null {
  if (result === null) return null;
  const entries = Object.entries(result);
  return entries.length === 0 ? null : entries.map(([kind, outcome]) => `${kind}=${outcome ?? 'lose'}`).join(';');
}

/** `stakeMinor`: the further stake a money decision (double, split, insurance) reserved; other decisions carry 0. */
export function handEventPayload(e: BlackjackEvent, stakeMinor = 0): HandEventPayload {
  const ref = { box_id: e.box_id, seat: e.seat, hand_index: e.hand_index };
  switch (e.type) {
    case 'table.hand.dealt':
      return { type: e.type, payload: { ...ref, cards: cards(e.cards), total: e.total, soft: e.soft, natural: e.natural, dealer_up_card: e.dealer_up_card } };
    case 'table.hand.decision': {
      const money = e.decision === 'double' || e.decision === 'split' || e.decision === 'insurance';
      return { type: e.type, payload: { ...ref, decision: e.decision, cards: cards(e.cards), total: e.total, dealer_up_card: e.dealer_up_card, stake_minor: money ? stakeMinor : 0 } };
    }
    case 'table.hand.settled': {
      const own = e.stakes.filter((s) => s.player_id === e.player_id);
      return {
        type: e.type, payload: {
          ...ref, cards: cards(e.cards), total: e.total, natural: e.natural, busted: e.busted, surrendered: e.surrendered, doubled: e.doubled,
          dealer_up_card: e.dealer_up_card, dealer_cards: cards(e.dealer_cards), dealer_total: e.dealer_total, dealer_natural: e.dealer_natural,
          side_bet_result: sideBets(e.side_bet_result),
          staked_minor: own.reduce((n, s) => n + s.stake_minor, 0), returned_minor: own.reduce((n, s) => n + s.returned_minor, 0),
        },
      };
    }
  }
}
