/**
 * The engine's per-hand events (domain/games/blackjack/events.ts) as edge events of the table's
 * outbox: flat payloads (cards as one space-separated string), and the envelope's subject from the
 * box's main stake (its player, jurisdiction and currency).
 */
import type { BlackjackEvent, RoundState } from '../../../domain/games/blackjack';
import type { EventPayload } from '../../../domain/events';
import type { Currency } from '../../../domain/money';
import type { BetSubject, TableContext } from '../context';

type HandEvent = 'table.hand.dealt' | 'table.hand.decision' | 'table.hand.settled';
export type EdgeHandEvent = { [T in HandEvent]: { type: T; payload: EventPayload<T>; subject: BetSubject } }[HandEvent];

const cards = (list: readonly string[]) => list.join(' ');

function sideBets(result: Partial<Record<string, string | null>> | null): string | null {
  if (result === null) return null;
  const entries = Object.entries(result);
  return entries.length === 0 ? null : entries.map(([kind, outcome]) => `${kind}=${outcome ?? 'lose'}`).join(';');
}

/** The subject of each box the events name: the player, and the currency and jurisdiction of the box's main stake's bet row. */
export function boxSubjects(c: TableContext, roundId: string, state: RoundState, events: readonly BlackjackEvent[]): Map<string, BetSubject> {
  const boxes = new Set(events.map((e) => e.box_id));
  const mainOf = new Map<string, string>();
  for (const s of state.stakes) if (s.component === 'main' && boxes.has(s.box_id)) mainOf.set(s.stake_id, s.box_id);
  const out = new Map<string, BetSubject>();
  // one indexed read of the named boxes' main stakes (a decision at an Infinite table reads one row, not the table)
  for (const row of c.db.all<{ stake_id: string; player_id: string; currency: Currency; jurisdiction: string | null }>`
    select stake_id, player_id, currency, jurisdiction from bets where round_id = ${roundId} and stake_id in (select value from json_each(${JSON.stringify([...mainOf.keys()])}))`) {
    const box = mainOf.get(row.stake_id);
    if (box) out.set(box, { round_id: roundId, player_id: row.player_id, currency: row.currency, jurisdiction: row.jurisdiction });
  }
  return out;
}

/** `stakeMinor`: the further stake a money decision reserved (its decision event carries it). */
export function toEdgeEvents(events: readonly BlackjackEvent[], subjects: ReadonlyMap<string, BetSubject>, roundId: string, stakeMinor = 0): EdgeHandEvent[] {
  return events.map((e): EdgeHandEvent => {
    const subject = subjects.get(e.box_id) ?? { round_id: roundId, player_id: e.player_id };
    const ref = { box_id: e.box_id, seat: e.seat, hand_index: e.hand_index };
    switch (e.type) {
      case 'table.hand.dealt':
        return { type: e.type, subject, payload: { ...ref, cards: cards(e.cards), total: e.total, soft: e.soft, natural: e.natural, dealer_up_card: e.dealer_up_card } };
      case 'table.hand.decision': {
        const money = e.decision === 'double' || e.decision === 'split' || e.decision === 'insurance';
        return { type: e.type, subject, payload: { ...ref, decision: e.decision, cards: cards(e.cards), total: e.total, dealer_up_card: e.dealer_up_card, stake_minor: money ? stakeMinor : 0 } };
      }
      case 'table.hand.settled': {
        // the box player's own stakes: bets behind are other players' money (their table.bet.settled events)
        const own = e.stakes.filter((s) => s.player_id === e.player_id);
        return {
          type: e.type, subject, payload: {
            ...ref, cards: cards(e.cards), total: e.total, natural: e.natural, busted: e.busted, surrendered: e.surrendered, doubled: e.doubled,
            dealer_up_card: e.dealer_up_card, dealer_cards: cards(e.dealer_cards), dealer_total: e.dealer_total, dealer_natural: e.dealer_natural,
            side_bet_result: sideBets(e.side_bet_result),
            staked_minor: own.reduce((n, s) => n + s.stake_minor, 0), returned_minor: own.reduce((n, s) => n + s.returned_minor, 0),
          },
        };
      }
    }
  });
}
