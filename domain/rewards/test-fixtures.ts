/** Events and contexts for the rewards tests and the micro-benchmark: valid per domain/events.ts. */
import type { CasinoEvent, PayloadValue } from '../events';
import { uuidv7 } from '../ids';
import { rolledOver, type Counters, type DistinctValues } from './counters';
import type { PlayerRewardsContext } from './engine';

export const PLAYER = '0190f2a4-6a1b-7c3d-8e4f-5a6b7c8d9e0f';
export const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

export function playerContext(over: Partial<PlayerRewardsContext> = {}): PlayerRewardsContext {
  return {
    player_id: PLAYER, currency: 'EUR', exclusion: 'none', segments: [], risk: {},
    event: { session_id: 'sess-1', device: 'mobile', dealer_id: null },
    budget_remaining_minor: { 'ten-rounds-with-anna': 100_000, 'daily-login-spin': 50_000 },
    ...over,
  };
}

function event(type: CasinoEvent['event_type'], at: number, payload: Record<string, PayloadValue>, over: Partial<CasinoEvent> = {}): CasinoEvent {
  return {
    event_id: uuidv7(at), event_type: type, schema_version: 1, occurred_at: at, player_id: PLAYER,
    table_id: null, round_id: null, jurisdiction: 'MT', currency: 'EUR', payload, ...over,
  };
}

export function betPlaced(at: number, o: { bet_type?: string; game?: 'roulette' | 'baccarat' | 'blackjack'; game_id?: string; table?: string; round?: string; amount?: number } = {}): CasinoEvent {
  const game = o.game ?? 'baccarat';
  const betType = o.bet_type ?? 'banker';
  return event('table.bet.placed', at, {
    bet_id: uuidv7(at), game, game_id: o.game_id ?? `${game}-live`, spot: betType, bet_type: betType, amount_minor: o.amount ?? 500, hold_id: uuidv7(at),
  }, { table_id: o.table ?? `${game}-1`, round_id: o.round ?? `r-${at}` });
}

export function betSettled(at: number, result: 'win' | 'lose' | 'push', o: { game?: 'roulette' | 'baccarat'; table?: string; round?: string; amount?: number } = {}): CasinoEvent {
  const game = o.game ?? 'baccarat';
  const amount = o.amount ?? 500;
  return event('table.bet.settled', at, {
    bet_id: uuidv7(at), game, game_id: `${game}-live`, spot: 'banker', bet_type: 'banker', amount_minor: amount,
    returned_minor: result === 'win' ? amount * 2 : result === 'push' ? amount : 0, result,
  }, { table_id: o.table ?? `${game}-1`, round_id: o.round ?? `r-${at}` });
}

export function handSettled(at: number, o: { natural?: boolean; busted?: boolean; staked?: number; returned?: number } = {}): CasinoEvent {
  return event('table.hand.settled', at, {
    box_id: `box-${at}`, seat: null, hand_index: 0, cards: o.natural ? 'AS KD' : '9S 7D', total: o.natural ? 21 : 16, natural: o.natural ?? false,
    busted: o.busted ?? false, surrendered: false, doubled: false, dealer_up_card: '9H', dealer_cards: '9H 8C', dealer_total: 17, dealer_natural: false,
    side_bet_result: null, staked_minor: o.staked ?? 1_000, returned_minor: o.returned ?? (o.natural ? 2_500 : 0),
  }, { table_id: 'blackjack-1', round_id: `r-${at}` });
}

export function login(at: number, session = 'sess-1'): CasinoEvent {
  return event('player.login.succeeded', at, { session_id: session, country: 'MT', device: 'mobile' });
}

/**
 * Distinct counters' values kept outside the state, as the player's object keeps them in rows
 * (durable/player/rewards.ts, migration 19): one set per counter and period; `moveOn` drops the sets
 * an update left behind, as the object does in the evaluation's transaction.
 */
export class ValueRows implements DistinctValues {
  readonly rows = new Map<string, Set<string>>();
  add(counter: string, period: string, value: string): boolean {
    const key = `${counter}\u0001${period}`;
    const set = this.rows.get(key) ?? new Set<string>();
    this.rows.set(key, set);
    if (set.has(value)) return false;
    set.add(value);
    return true;
  }
  moveOn(before: Counters, after: Counters): void {
    for (const gone of rolledOver(before, after)) this.rows.delete(`${gone.counter}\u0001${gone.period}`);
  }
  /** Each set's size by `counter period`: what the state's counts must say. */
  sizes(): Record<string, number> {
    return Object.fromEntries([...this.rows].filter(([, set]) => set.size > 0).map(([key, set]) => [key.replace('\u0001', ' '), set.size]));
  }
}
