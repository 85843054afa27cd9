/** OpenAPI schemas of live tables, shared by the player routes and the back-office routes. */
import { z } from '@hono/zod-openapi';
import { CurrencyCode } from '../schemas';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const TableId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/).openapi({ example: 'roulette-1' });
export const RoundId = z.uuid().openapi({ example: '019a4b1e-6f00-7c2a-9d1e-3b5f0c1a2e77' });

export const PublicRound = z.object({
  table_id: z.string(), round_id: z.string(), round_no: z.number().int(),
  state: z.enum(['betting_open', 'betting_closed', 'result', 'settled', 'voided']), game: z.string(),
  opened_at: z.number().int(), closes_at: z.number().int(), closed_at: z.number().int().nullable(), result_at: z.number().int().nullable(),
  settled_at: z.number().int().nullable(), voided_at: z.number().int().nullable(),
  commitment: z.string().nullable().openapi({ description: 'Automated tables: SHA-256 (hex) of the server seed, published when betting opens' }),
  server_seed: z.string().nullable().openapi({ description: 'Automated tables: the seed, revealed once the result is in' }),
  outcome: z.unknown().openapi({ description: "The game's outcome: roulette {number}, baccarat {player: cards, banker: cards}" }),
  summary: z.record(z.string(), Scalar).nullable(),
  result_source: z.enum(['rng', 'dealer']).nullable(), void_reason: z.string().nullable(), settle_ms: z.number().int().nullable(),
  parked_at: z.number().int().nullable().openapi({ description: 'A round with its result whose bets could not all be settled yet: when the table stopped waiting for it (the next round may open); it keeps being retried until each bet is settled once' }),
}).openapi('TableRound');

export const Table = z.object({
  table_id: z.string(), name: z.string(), game: z.enum(['roulette', 'baccarat', 'blackjack']), game_id: z.string(), brand: z.string(),
  mode: z.enum(['dealer', 'auto']), betting_seconds: z.number().int(), currencies: z.array(z.string()), watchers: z.number().int(),
  round: PublicRound.nullable(),
}).openapi('Table');

export const Bet = z.object({
  bet_id: z.string(), round_id: z.string(), currency: z.string(), spot: z.string(), bet_type: z.string(), amount_minor: z.number().int(),
  state: z.enum(['reserving', 'accepted', 'refused', 'settled', 'voided', 'expired']), refusal: z.string().nullable(),
  result: z.enum(['win', 'lose', 'push', 'void', 'expired']).nullable(), returned_minor: z.number().int().nullable(),
  created_at: z.number().int(), settled_at: z.number().int().nullable(),
  free_bet_id: z.string().nullable().openapi({ description: 'The free bet that staked this bet (null: your money). A free bet that wins pays the return without the stake' }),
}).openapi('TableBet');

export const PlaceBet = z.strictObject({
  bet_id: z.uuid().openapi({ description: 'Chosen by the client, unique per bet: a retry with the same id and body returns the same bet', example: '019a4b1e-7000-7abc-8def-0123456789ab' }),
  round_id: RoundId,
  spot: z.string().min(1).max(40).openapi({ description: "Where the chips go: roulette 'straight:17', 'split:17-20', 'street:13', 'corner:17-18-20-21', 'sixline:13', 'dozen:2', 'column:3', 'red', 'black', 'odd', 'even', 'low', 'high'; baccarat 'player', 'banker', 'tie', 'player_pair', 'banker_pair'", example: 'straight:17' }),
  amount_minor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).openapi({ example: 500 }),
  currency: CurrencyCode,
  free_bet_id: z.string().min(1).max(256).optional().openapi({
    description: 'Stake the bet with one of your free bets (GET /v1/players/me/rewards, `free_bets[].grant_id`) instead of your money: '
      + '`amount_minor` and `currency` must be exactly its value and currency, and the table the one it is for, if any. '
      + 'A win pays the return without the stake; a loss costs you nothing; a voided round gives the free bet back.',
  }),
}).openapi('PlaceBetRequest');
