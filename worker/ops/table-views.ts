/**
 * Named answers of the back office's live-table routes (/v1/ops/tables): a round's totals and bets
 * mirror TableDO's RoundDetail, the RTP windows its monitor (worker/tables/schemas.ts has the
 * shapes shared with the player routes).
 */
import { z } from '@hono/zod-openapi';
import type { RoundDetail as RoundDetailView } from '../../durable/table/types';
import { mirrors } from '../http/mirror';
import { CurrencyCode } from '../schemas';
import { PublicRound, Table } from '../tables/schemas';

export const RoundTotals = mirrors<RoundDetailView['totals'][number]>()(z.object({
  currency: CurrencyCode, bets: z.number().int(), wagered_minor: z.number().int(), returned_minor: z.number().int(),
}).openapi('RoundTotals'));
export const RoundBet = mirrors<RoundDetailView['bets'][number]>()(z.object({
  bet_id: z.string(), player_id: z.string(), round_id: z.string(), currency: CurrencyCode, spot: z.string(), bet_type: z.string(), amount_minor: z.number().int(),
  state: z.enum(['reserving', 'accepted', 'refused', 'settled', 'voided', 'expired']), refusal: z.string().nullable(),
  result: z.enum(['win', 'lose', 'push', 'void', 'expired']).nullable(), returned_minor: z.number().int().nullable(), created_at: z.number().int(), settled_at: z.number().int().nullable(),
  free_bet_id: z.string().nullable().openapi({ description: "The player's free bet that staked this bet (the operator's money); null: the player's money" }),
}).openapi('RoundBet'));
export const RtpWindow = z.object({
  window: z.enum(['1h', '24h', '7d', '30d']), currency: z.string().nullable(), bet_type: z.string().openapi({ description: "A bet type, or '*' for all together" }),
  bets: z.number().int(), wagered_minor: z.number().int(), returned_minor: z.number().int(),
  observed_rtp: z.number().nullable(), theoretical_rtp: z.number().nullable(), std_error: z.number().nullable(), z: z.number().nullable(),
  flag: z.enum(['high', 'low']).nullable().openapi({ description: 'Set when the deviation is beyond chance at this volume (|z| >= 4 with at least 1,000 bets)' }),
}).openapi('RtpWindow');

export const TableList = z.object({ tables: z.array(Table) }).openapi('TableList');
export const RoundAnswer = z.object({ round: PublicRound }).openapi('RoundAnswer');
export const RoundDetail = z.object({ round: PublicRound, totals: z.array(RoundTotals), bets: z.array(RoundBet) }).openapi('RoundDetail');
export const TableRtp = z.object({ table_id: z.string(), game: z.string(), windows: z.array(RtpWindow) }).openapi('TableRtp');
