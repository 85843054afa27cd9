/** Request and response schemas of the tournament routes (player and back office), tied to the object's views. */
import { z } from '@hono/zod-openapi';
import { SCORING_TERMS } from '../../domain/tournaments/scoring';
import { DURATION_MAX_MS, PRIZE_MAX_MINOR, PRIZES_MAX, TERMS_MAX, TOURNAMENT_ID_RE, WEIGHT_MAX } from '../../domain/tournaments/schema';
import type { TableLeaderboard as TableLeaderboardView } from '../../durable/table/leaderboard';
import type { AwardView, LeaderRow, Leaderboard as LeaderboardView, TournamentView } from '../../durable/tournament/tournament-do';
import { mirrors } from '../http/mirror';
import { CurrencyCode } from '../schemas';

export const TournamentIdParam = z.object({
  tournament_id: z.string().regex(TOURNAMENT_ID_RE).openapi({ param: { name: 'tournament_id', in: 'path' }, example: 'friday-roulette' }),
});

const Term = z.object({
  term: z.enum(SCORING_TERMS).openapi({ description: 'bets: 1 per settled bet; stake: the stake in minor units; net_win: what a bet won beyond its stake; wins: 1 per winning bet; naturals: 1 per blackjack natural' }),
  weight: z.number().int().min(1).max(WEIGHT_MAX),
});

/** The body of POST /v1/ops/tournaments: checked again, whole, by domain/tournaments/schema.ts TournamentInput. */
export const NewTournament = z.strictObject({
  tournament_id: z.string().regex(TOURNAMENT_ID_RE).openapi({ example: 'friday-roulette' }),
  brand: z.string().openapi({ example: 'aurora' }),
  name: z.string().min(1).max(80).openapi({ example: 'Friday roulette' }),
  starts_at: z.number().int().positive().openapi({ description: 'Epoch milliseconds' }),
  ends_at: z.number().int().positive().openapi({ description: `Epoch milliseconds; after starts_at, at most ${DURATION_MAX_MS / 86_400_000} days later` }),
  currency: CurrencyCode,
  scoring: z.array(Term).min(1).max(TERMS_MAX).openapi({ description: 'Points of a settled bet: the sum of weight x term; each term at most once' }),
  segments: z.array(z.string()).max(16).optional().openapi({ description: 'Entry rule: players of at least one of these segments (docs/segments.md); none: everyone' }),
  tables: z.array(z.string()).max(50).optional().openapi({ description: 'Only bets at these tables score; none: every table' }),
  prizes: z.array(z.number().int().min(1).max(PRIZE_MAX_MINOR)).min(1).max(PRIZES_MAX).openapi({ description: 'prizes[i] is paid to rank i + 1, in minor units of `currency`; never growing with the rank', example: [5000, 2000, 1000] }),
  reason: z.string().trim().min(3).max(500),
}).openapi('NewTournament');

export const Tournament = mirrors<TournamentView>()(z.object({
  tournament_id: z.string(), brand: z.string(), name: z.string(), starts_at: z.number().int(), ends_at: z.number().int(), currency: CurrencyCode,
  scoring: z.array(Term), segments: z.array(z.string()), tables: z.array(z.string()), prizes: z.array(z.number().int()),
  prize_pool_minor: z.number().int(),
  status: z.enum(['pending_approval', 'upcoming', 'running', 'finalizing', 'ended', 'cancelled']).openapi({ description: 'pending_approval: a prize pool above the four-eyes threshold awaiting a second operator (no entries); finalizing: past ends_at, before the ranking freezes (freezes_at): late deliveries of bets settled in time still count' }),
  entrants: z.number().int(), created_at: z.number().int(), ended_at: z.number().int().nullable(), cancelled_at: z.number().int().nullable(), freezes_at: z.number().int(),
  approval_required: z.boolean().openapi({ description: 'The prize pool is above the currency\'s four-eyes threshold (config/backoffice.json)' }),
  approved_by: z.string().nullable(), approved_at: z.number().int().nullable(),
}).openapi('Tournament'));

const LeaderRowSchema = mirrors<LeaderRow>()(z.object({
  rank: z.number().int(), handle: z.string().openapi({ description: 'The handle table sockets show, never the player id' }),
  score: z.number().int(), reached_at: z.number().int().openapi({ description: 'When this score was reached (the tie rule: earlier ranks first)' }),
  prize_minor: z.number().int().nullable(), paid: z.boolean().nullable().openapi({ description: 'Once the tournament ended: whether the prize is in the winner\'s wallet' }),
}));

export const Leaderboard = mirrors<LeaderboardView>()(z.object({
  tournament: Tournament,
  leaders: z.array(LeaderRowSchema),
  you: z.object({ rank: z.number().int().nullable(), score: z.number().int(), joined_at: z.number().int() }).nullable(),
}).openapi('TournamentLeaderboard'));

export const Award = mirrors<AwardView>()(z.object({
  rank: z.number().int(), prize_id: z.string(), player_id: z.string(), amount_minor: z.number().int(), score: z.number().int(),
  paid_at: z.number().int().nullable(), attempts: z.number().int(), last_error: z.string().nullable(),
}).openapi('TournamentAward'));

export const TableLeaderboard = mirrors<TableLeaderboardView>()(z.object({
  table_id: z.string(), day: z.string().openapi({ description: 'The UTC day', example: '2026-12-03' }),
  currencies: z.array(z.object({
    currency: CurrencyCode,
    leaders: z.array(z.object({ rank: z.number().int(), handle: z.string(), net_win_minor: z.number().int(), bets: z.number().int() })),
  })),
}).openapi('TableLeaderboard'));

export const TournamentAnswer = z.object({ tournament: Tournament }).openapi('TournamentAnswer');
export const TournamentList = z.object({ tournaments: z.array(Tournament) }).openapi('TournamentList');
export const TournamentDetail = z.object({ tournament: Tournament, awards: z.array(Award) }).openapi('TournamentDetail');
export const TournamentJoined = z.object({ tournament: Tournament, joined_at: z.number().int() }).openapi('TournamentJoined');
