/**
 * Game launch: a logged-in player opens a provider's game. The player must be free to play (their
 * object checks session and exclusions), the game playable for them by the catalog (enabled,
 * offered in their jurisdiction, played in the currency); the answer is a launch token for the
 * provider (worker/provider/launch-token.ts), which its game client sends back with every balance
 * and bet call of the seamless-wallet API.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { fromFailure, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { checkProviderGame } from '../provider/catalog-gate';
import { issueLaunchToken } from '../provider/launch-token';
import { LaunchRequest, LaunchResponse } from '../provider/schemas';
import { errors, json } from '../schemas';

export const gameLaunch = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
gameLaunch.use('/games/:game_id/launch', geoGate, requirePlayer);

gameLaunch.openapi(createRoute({
  method: 'post', path: '/games/{game_id}/launch', tags: ['Games'], summary: 'Launch a provider game', security: [{ bearer: [] }],
  description: 'Checks that the player may play (403 self_excluded, cooling_off, account_locked) and that the game is playable for them '
    + '(404 game_not_found, 409 game_disabled, 451 game_unavailable, 422 unsupported_currency), then returns the launch token to hand to the '
    + 'provider\'s game client. Live tables are joined through the tables API instead (409 invalid_state).',
  request: {
    params: z.object({ game_id: z.string().min(1).max(64).openapi({ example: 'sandbox-starfall-fortune' }) }),
    body: { required: false, content: { 'application/json': { schema: LaunchRequest } } },
  },
  responses: { 200: json(LaunchResponse, 'Launch token for the provider'), ...errors(400, 401, 403, 404, 409, 422, 451) },
}), async (c) => {
  const { game_id } = c.req.valid('param');
  const input = c.req.valid('json') ?? {};
  const { playerId, sessionId } = c.get('player');
  const who = unwrap(await playerStub(c.env, playerId).providerLaunch(sessionId));
  const currency = input.currency ?? who.currency;
  const g = await checkProviderGame(c.env, { game_id, jurisdiction: who.jurisdiction, currency });
  if (!g.ok) throw fromFailure(g);
  const claims = { player_id: who.player_id, session_id: who.session_id, game_id, provider_id: g.game.provider_id, currency, jurisdiction: who.jurisdiction };
  const token = await issueLaunchToken(c.env, claims, who.session_max_end_at);
  return c.json({
    token, expires_at: Math.floor(who.session_max_end_at / 1000) * 1000, player_id: who.player_id, game_id, provider_id: g.game.provider_id,
    currency, bet_limit: g.limit,
  }, 200);
});
