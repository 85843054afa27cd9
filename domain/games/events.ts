/**
 * Payload schemas of the live-table events (emitted by TableDO). Merged into EVENT_PAYLOADS
 * (domain/events.ts). The envelope carries table_id and round_id; bet events also carry the
 * player_id, their jurisdiction and the bet's currency, so the warehouse computes GGR per table,
 * game and jurisdiction from these alone.
 */
import { z } from 'zod';
import { amount, id } from '../event-fields';

const game = z.enum(['roulette', 'baccarat']);
const roundNo = z.number().int().positive();

export const TABLE_EVENTS = {
  /** Betting opened. `commitment` is SHA-256 of the server seed (automated tables), published before any bet. */
  'table.round.opened': z.object({ round_no: roundNo, game, game_id: z.string(), mode: z.enum(['dealer', 'auto']), commitment: z.string().nullable(), closes_at: z.number().int(), actor: z.string() }),
  'table.round.closed': z.object({ round_no: roundNo, bets: z.number().int().nonnegative(), actor: z.string() }),
  /** The result, with the revealed seed for automated rounds; `outcome` is the game's outcome as JSON. */
  'table.round.result': z.object({ round_no: roundNo, game, source: z.enum(['rng', 'dealer']), actor: z.string(), outcome: z.string(), summary: z.string(), server_seed: z.string().nullable() }),
  'table.round.settled': z.object({ round_no: roundNo, game, bets: z.number().int().nonnegative(), settle_ms: z.number().int().nonnegative() }),
  /**
   * A round whose result is in but some of whose bets could not be settled after a few attempts (a
   * player object refusing or away): the table opens the next round meanwhile and keeps retrying,
   * with backoff, until each of those bets is settled once (then `table.round.settled`). Also for a
   * voided round whose stakes cannot all be given back yet (retried the same way).
   */
  'table.round.settle_stuck': z.object({ round_no: roundNo, game, bets_open: z.number().int().positive(), attempts: z.number().int().positive() }),
  'table.round.voided': z.object({ round_no: roundNo, game, actor: z.string(), reason: z.string(), bets_refunded: z.number().int().nonnegative() }),
  'table.bet.placed': z.object({ bet_id: id, game, game_id: z.string(), spot: z.string(), bet_type: z.string(), amount_minor: amount, hold_id: id }),
  /** One per accepted bet: `result` void/expired means the stake went back without a game result. */
  'table.bet.settled': z.object({
    bet_id: id, game, game_id: z.string(), spot: z.string(), bet_type: z.string(), amount_minor: amount, returned_minor: amount,
    result: z.enum(['win', 'lose', 'push', 'void', 'expired']),
  }),
} as const satisfies Record<string, z.ZodObject>;
