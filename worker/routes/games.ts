/**
 * The player lobby: the games a logged-in player may play, i.e. enabled games of enabled providers
 * offered in the player's registered jurisdiction and played in the lobby's currency (the player's
 * own by default), grouped by category. One RPC to the player's object (which authenticates the
 * session and knows the jurisdiction) and the isolate's catalog copy (worker/catalog/cache.ts).
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { availability } from '../../domain/catalog/availability';
import { lobbyCategories, lobbyView } from '../../domain/catalog/lobby';
import { jurisdictionById } from '../../domain/jurisdictions';
import type { Currency } from '../../domain/money';
import { catalogSnapshot } from '../catalog/cache';
import { CatalogId, CurrencyCode, Lobby, LobbyGame } from '../catalog/schemas';
import type { AppEnv } from '../http/app-env';
import { requirePlayer } from '../http/auth';
import { ApiError, fromFailure, unwrap } from '../http/errors';
import { geoGate } from '../http/geo';
import { playerStub } from '../http/stubs';
import { validationHook } from '../http/validation';
import { errors, json } from '../schemas';

export const games = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const TAG = 'Games';
const security = [{ bearer: [] }];
// Route-level middleware (geoGate, requirePlayer): sub-apps are mounted at '/', and /games/{id}/launch belongs to another router.

/** The player's registered jurisdiction and the lobby's currency (asked for, or the player's own). */
async function playerScope(c: Context<AppEnv>, asked?: Currency): Promise<{ jurisdiction: string; currency: Currency }> {
  const { playerId, sessionId } = c.get('player');
  const { player } = unwrap(await playerStub(c.env, playerId).me(sessionId));
  const currency = asked ?? (player.currency as Currency);
  const offered = jurisdictionById(player.jurisdiction)?.currencies ?? [];
  if (!offered.includes(currency)) {
    throw new ApiError('unsupported_currency', `${currency} is not offered in ${player.jurisdiction}`, { currency, jurisdiction: player.jurisdiction, offered });
  }
  return { jurisdiction: player.jurisdiction, currency };
}

games.openapi(createRoute({
  method: 'get', path: '/games', tags: [TAG], summary: 'The lobby: games the player may play, by category', security, middleware: [geoGate, requirePlayer] as const,
  description: 'Only enabled games of enabled providers, offered in the player\'s registered jurisdiction and played in `currency` '
    + '(default: the player\'s currency; it must be one the jurisdiction offers). Categories by their sort order, games by title. '
    + 'Operator changes reach the lobby within 10 seconds.',
  request: { query: z.strictObject({ category: CatalogId.optional().openapi({ example: 'slots' }), currency: CurrencyCode.optional() }) },
  responses: { 200: json(Lobby, 'The lobby'), ...errors(400, 401, 422, 451) },
}), async (c) => {
  const q = c.req.valid('query');
  const scope = await playerScope(c, q.currency);
  const lobby = lobbyView(await catalogSnapshot(c.env), { ...scope, category_id: q.category ?? null });
  return c.json(lobby, 200);
});

games.openapi(createRoute({
  method: 'get', path: '/games/categories', tags: [TAG], summary: 'Lobby categories with how many games each offers the player', security, middleware: [geoGate, requirePlayer] as const,
  request: { query: z.strictObject({ currency: CurrencyCode.optional() }) },
  responses: {
    200: json(z.object({
      jurisdiction: z.string().openapi({ example: 'MT' }), currency: z.string().openapi({ example: 'EUR' }),
      categories: z.array(z.object({ category_id: z.string().openapi({ example: 'slots' }), name: z.string().openapi({ example: 'Slots' }), sort: z.number().int(), games: z.number().int().openapi({ example: 6 }) })),
    }), 'Non-empty categories, in lobby order'),
    ...errors(400, 401, 422, 451),
  },
}), async (c) => {
  const q = c.req.valid('query');
  const scope = await playerScope(c, q.currency);
  const lobby = lobbyView(await catalogSnapshot(c.env), scope);
  return c.json({ ...scope, categories: lobbyCategories(lobby) }, 200);
});

games.openapi(createRoute({
  method: 'get', path: '/games/{game_id}', tags: [TAG], summary: 'One game of the lobby', security, middleware: [geoGate, requirePlayer] as const,
  request: {
    params: z.object({ game_id: CatalogId.openapi({ param: { name: 'game_id', in: 'path' }, example: 'live-roulette-1' }) }),
    query: z.strictObject({ currency: CurrencyCode.optional() }),
  },
  responses: { 200: json(z.object({ game: LobbyGame }), 'The game'), ...errors(400, 401, 404, 409, 422, 451) },
}), async (c) => {
  const { game_id } = c.req.valid('param');
  const q = c.req.valid('query');
  const scope = await playerScope(c, q.currency);
  const snapshot = await catalogSnapshot(c.env);
  const game = snapshot.games.find((g) => g.game_id === game_id);
  const provider = snapshot.providers.find((p) => p.provider_id === game?.provider_id);
  if (!game || !provider) throw new ApiError('game_not_found', `no game ${game_id}`, { game_id });
  const verdict = availability(game, provider, scope.jurisdiction, scope.currency);
  if (!verdict.ok) throw fromFailure(verdict);
  const listed = lobbyView({ ...snapshot, games: [game] }, scope).categories[0]?.games[0];
  if (!listed) throw new ApiError('game_not_found', `no game ${game_id}`, { game_id }); // its category is gone: not in any lobby
  return c.json({ game: listed }, 200);
});
