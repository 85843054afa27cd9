/**
 * The engine's per-hand events as edge events of the table's outbox: the payloads flattened by
 * domain/games/blackjack/edge-events.ts, and the envelope's subject from the box's main stake (its
 * player, jurisdiction and currency).
 */
import type { BlackjackEvent, RoundState } from '../../../domain/games/blackjack';
import { handEventPayload, type HandEventPayload } from '../../../domain/games/blackjack/edge-events';
import type { Currency } from '../../../domain/money';
import type { BetSubject, TableContext } from '../context';

export type EdgeHandEvent = HandEventPayload & { subject: BetSubject };

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
  return events.map((e) => ({ ...handEventPayload(e, stakeMinor), subject: subjects.get(e.box_id) ?? { round_id: roundId, player_id: e.player_id } }));
}
