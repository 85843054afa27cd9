/**
 * The catalog's verdict on a provider game, asked fresh from the CatalogDO (not the lobby's cache)
 * because it decides whether money moves: the game exists and belongs to this provider, the
 * provider is on the seamless-wallet API, and availability() (enabled, offered in the player's
 * jurisdiction, played in the currency, stake within the game's limits).
 */
import { availability } from '../../domain/catalog/availability';
import type { BetLimit, Game } from '../../domain/catalog/types';
import { fail, type Failure, type Result } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import { catalogStub } from '../catalog/stub';
import { settled } from '../http/errors';
import { providerSecret } from './providers';

export type GameQuery = { game_id: string; provider_id?: string; jurisdiction: string; currency: Currency; stake_minor?: number };

export async function checkProviderGame(env: Env, q: GameQuery): Promise<Result<{ game: Game; limit: BetLimit }>> {
  const r = settled(await catalogStub(env).game(q.game_id));
  if (!r.ok) return r as Failure;
  const { game, provider } = r;
  if (q.provider_id !== undefined && game.provider_id !== q.provider_id) return fail('game_not_found', `no game ${q.game_id} of provider ${q.provider_id}`, { game_id: q.game_id });
  if (game.table_id !== null) return fail('invalid_state', `${q.game_id} is a live table: join it through the tables API`, { game_id: q.game_id, table_id: game.table_id });
  if (!providerSecret(env, game.provider_id)) return fail('game_disabled', `the provider of ${q.game_id} is not connected`, { game_id: q.game_id, provider_id: game.provider_id });
  const a = availability(game, provider, q.jurisdiction, q.currency, q.stake_minor);
  return a.ok ? { ok: true, game, limit: a.limit } : a;
}
