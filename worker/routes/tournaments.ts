/**
 * Tournaments for players (docs/tournaments.md): the brand's tournaments, joining one (the entry
 * rules are checked by the player's object, which knows the player's segments; then the tournament's
 * object enters the player), and a tournament's leaderboard.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { ApiError, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { errors, json } from '../schemas';
import { Leaderboard, TournamentIdParam, TournamentJoined, TournamentList } from '../tournaments/schemas';
import { brandTournaments, tournamentStub } from '../tournaments/stubs';

export const tournaments = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
tournaments.use('/tournaments', requirePlayer);
tournaments.use('/tournaments/*', requirePlayer);

const TAG = 'Tournaments';
const security = [{ bearer: [] }];

tournaments.openapi(createRoute({
  method: 'get', path: '/tournaments', tags: [TAG], summary: "Your brand's tournaments, newest first", security,
  responses: { 200: json(TournamentList, 'Tournaments'), ...errors(401) },
}), async (c) => {
  const { playerId, sessionId } = c.get('player');
  const me = unwrap(await playerStub(c.env, playerId).me(sessionId));
  return c.json({ tournaments: await brandTournaments(c.env, me.player.brand) }, 200);
});

tournaments.openapi(createRoute({
  method: 'post', path: '/tournaments/{tournament_id}/join', tags: [TAG], summary: 'Join a tournament', security,
  description: 'Open until the tournament ends, to players of its brand and currency who are in one of its segments (if it lists any) and free to play. '
    + 'From then on, your settled table bets in the tournament\'s currency (at its tables, if it lists any) score by its formula. '
    + 'Refusals change nothing: tournament_already_joined (409), tournament_closed (409: ended or cancelled), tournament_not_eligible (422: segment or currency).',
  middleware: [geoGate] as const,
  request: { params: TournamentIdParam },
  responses: { 201: json(TournamentJoined, 'Joined'), ...errors(401, 403, 404, 409, 422, 451) },
}), async (c) => {
  const { tournament_id } = c.req.valid('param');
  const { playerId, sessionId } = c.get('player');
  const t = unwrap(await tournamentStub(c.env, tournament_id).get()).tournament;
  if (t.status === 'ended' || t.status === 'cancelled' || t.status === 'finalizing' || t.status === 'pending_approval') {
    const why = t.status === 'cancelled' ? 'the tournament was cancelled' : t.status === 'pending_approval' ? 'the tournament awaits approval' : 'the tournament has ended';
    throw new ApiError('tournament_closed', why, { status: t.status });
  }
  unwrap(await playerStub(c.env, playerId).joinTournament(sessionId, {
    tournament_id: t.tournament_id, brand: t.brand, currency: t.currency, starts_at: t.starts_at, ends_at: t.ends_at, segments: t.segments, tables: t.tables,
  }));
  const joined = unwrap(await tournamentStub(c.env, tournament_id).join(playerId));
  return c.json({ tournament: joined.tournament, joined_at: joined.joined_at }, 201);
});

tournaments.openapi(createRoute({
  method: 'get', path: '/tournaments/{tournament_id}/leaderboard', tags: [TAG], summary: "A tournament's leaderboard", security,
  description: 'Players with points, ranked by score; equal scores by who reached the score first, then who joined first (docs/tournaments.md "Ties"). '
    + 'Players are shown by the handle table sockets show, never their id; `you` is your own place (null if you did not join). Another brand\'s tournament answers 404.',
  request: { params: TournamentIdParam, query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) }) },
  responses: { 200: json(Leaderboard, 'The leaderboard'), ...errors(400, 401, 404) },
}), async (c) => {
  const { tournament_id } = c.req.valid('param');
  const { limit } = c.req.valid('query');
  const { playerId, sessionId } = c.get('player');
  const r = unwrap(await tournamentStub(c.env, tournament_id).leaderboard(limit, playerId));
  // an entrant passed the brand check when joining; anyone else is asked for their brand: another
  // brand's tournament does not exist for them (as for joining), its name, prizes and players stay its own
  if (!r.you) {
    const me = unwrap(await playerStub(c.env, playerId).me(sessionId));
    if (me.player.brand !== r.tournament.brand) throw new ApiError('tournament_not_found', `no tournament ${tournament_id}`);
  }
  return c.json({ tournament: r.tournament, leaders: r.leaders, you: r.you }, 200);
});
