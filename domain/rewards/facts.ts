/**
 * The facts of one event that rules and counters read: the event's own fields, flattened and named
 * the same across event types (`stake_minor` is a table bet's amount, a blackjack hand's stake or a
 * provider bet's amount), plus the context the player's object knows and the event may lack (device,
 * session, dealer). Facts are computed lazily, once per event, only for the names asked.
 */
import type { CasinoEvent, PayloadValue } from '../events';
import type { Fact } from './rule-schema';

export type FactValue = string | number | boolean | null;

/** What the player's object adds to each event: the event itself does not carry these. */
export type EventContext = {
  session_id: string | null;
  device: string | null;
  /** The dealer at the table for the round, where the table knows one. */
  dealer_id: string | null;
};

export type Facts = (name: Fact) => FactValue;

/** Events whose amount is a stake (a deposit's amount is `amount_minor`, not a stake). */
const STAKE_EVENTS: ReadonlySet<string> = new Set(['table.bet.placed', 'table.bet.settled', 'table.hand.settled', 'table.hand.decision', 'provider.bet.debited', 'provider.bet.rolled_back']);

export function factsOf(event: CasinoEvent, context: EventContext): Facts {
  const cache = new Map<Fact, FactValue>();
  return (name) => {
    const hit = cache.get(name);
    if (hit !== undefined || cache.has(name)) return hit ?? null;
    const value = compute(name, event, context);
    cache.set(name, value);
    return value;
  };
}

function compute(name: Fact, event: CasinoEvent, context: EventContext): FactValue {
  const p = event.payload;
  switch (name) {
    case 'event_type': return event.event_type;
    case 'table_id': return event.table_id;
    case 'round_id': return event.round_id ?? scalar(p.round_id);
    case 'game': return scalar(p.game) ?? (event.event_type.startsWith('table.hand.') ? 'blackjack' : null);
    case 'game_id': return scalar(p.game_id);
    case 'bet_type': return scalar(p.bet_type);
    case 'spot': return scalar(p.spot);
    case 'stake_minor': return STAKE_EVENTS.has(event.event_type) ? num(p.staked_minor) ?? num(p.amount_minor) : null;
    case 'returned_minor': return num(p.returned_minor);
    case 'net_minor': {
      const staked = num(p.staked_minor) ?? num(p.amount_minor);
      const returned = num(p.returned_minor);
      return staked === null || returned === null ? null : returned - staked;
    }
    case 'result': return resultOf(event);
    case 'natural': return bool(p.natural);
    case 'busted': return bool(p.busted);
    case 'doubled': return bool(p.doubled);
    case 'surrendered': return bool(p.surrendered);
    case 'dealer_natural': return bool(p.dealer_natural);
    case 'side_bet_won': {
      const s = scalar(p.side_bet_result);
      return typeof s === 'string' ? s.split(';').some((pair) => pair.split('=')[1] !== 'lose') : null;
    }
    case 'decision': return scalar(p.decision);
    case 'dealer_id': return scalar(p.dealer_id) ?? context.dealer_id;
    case 'device': return scalar(p.device) ?? context.device;
    case 'session_id': return scalar(p.session_id) ?? context.session_id;
    case 'provider_id': return scalar(p.provider_id);
    case 'amount_minor': return num(p.amount_minor);
    case 'currency': return event.currency;
    case 'limit_kind': return event.event_type.startsWith('rg.limit.') ? scalar(p.kind) : null;
    case 'limit_period': return event.event_type.startsWith('rg.limit.') ? scalar(p.period) : null;
    case 'hour_utc': return new Date(event.occurred_at).getUTCHours();
  }
}

/** win / lose / push (and void / expired for table bets) for settled bets and hands; provider wins are wins. */
function resultOf(event: CasinoEvent): FactValue {
  const p = event.payload;
  if (event.event_type === 'table.bet.settled') return scalar(p.result);
  if (event.event_type === 'table.hand.settled') {
    const staked = num(p.staked_minor) ?? 0;
    const returned = num(p.returned_minor) ?? 0;
    return returned > staked ? 'win' : returned < staked ? 'lose' : 'push';
  }
  if (event.event_type === 'provider.win.credited') return (num(p.amount_minor) ?? 0) > 0 ? 'win' : 'lose';
  return null;
}

const scalar = (v: PayloadValue | undefined): FactValue => (v === undefined ? null : v);
const num = (v: PayloadValue | undefined): number | null => (typeof v === 'number' ? v : null);
const bool = (v: PayloadValue | undefined): boolean | null => (typeof v === 'boolean' ? v : null);
