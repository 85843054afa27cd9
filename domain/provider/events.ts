/**
 * Payload schemas of the provider seamless-wallet transactions (emitted by PlayerDO in the same
 * transaction as the money movement). Merged into EVENT_PAYLOADS (domain/events.ts).
 *
 * `tx_id` is always the provider's id of the bet or win the event is about: for a rollback that is
 * the bet rolled back, and the rollback's own id is `rollback_tx_id`. `amount_minor` is the money
 * that moved (a rolled-back bet: the stake given back; an unmatched rollback: 0). The RTP monitor
 * aggregates debited - rolled_back (stakes) and credited (wins) per game_id.
 */
import { z } from 'zod';
import { amount, id } from '../event-fields';

const common = { provider_id: id, game_id: id, tx_id: id, round_id: id, amount_minor: amount };

export const PROVIDER_EVENTS = {
  'provider.bet.debited': z.object({ ...common, hold_id: id, real_minor: amount, bonus_minor: amount, balance_after_minor: amount }),
  'provider.win.credited': z.object({ ...common, bet_tx_id: id, balance_after_minor: amount }),
  'provider.bet.rolled_back': z.object({ ...common, rollback_tx_id: id, balance_after_minor: amount }),
  'provider.rollback.unmatched': z.object({ ...common, rollback_tx_id: id }),
} as const satisfies Record<string, z.ZodObject>;
