/**
 * Payload schemas of the tournament objects' events (durable/tournament/), merged into EVENT_PAYLOADS
 * (domain/events.ts). Flat scalars like every payload; the envelope's currency is the tournament's.
 */
import { z } from 'zod';
import { amount, id } from '../event-fields';

const tid = z.string().max(64);

export const TOURNAMENT_EVENTS = {
  /** An operator created the tournament (terms, segments and tables comma-joined; prizes' sum is the pool). */
  'tournament.created': z.object({
    tournament_id: tid, brand: z.string(), name: z.string(), starts_at: z.number().int(), ends_at: z.number().int(),
    scoring: z.string().max(400), segments: z.string().max(2000), tables: z.string().max(4000), prizes: z.number().int(), prize_pool_minor: amount, actor: z.string(),
  }),
  /** A player joined (the envelope's player_id). */
  'tournament.joined': z.object({ tournament_id: tid }),
  /** An operator cancelled it before its end: no prizes. */
  'tournament.cancelled': z.object({ tournament_id: tid, actor: z.string(), reason: z.string().max(500) }),
  /** The ranking froze at the end: who entered, who scored, what is paid and what is not. */
  'tournament.ended': z.object({ tournament_id: tid, entrants: z.number().int(), scored: z.number().int(), awards: z.number().int(), awarded_minor: amount, unawarded_minor: amount }),
  /** One prize credited to its winner's wallet (prize_id: the win id of the credit). */
  'tournament.prize.paid': z.object({ tournament_id: tid, prize_id: id, rank: z.number().int().positive(), score: z.number().int(), amount_minor: amount }),
} as const satisfies Record<string, z.ZodObject>;
