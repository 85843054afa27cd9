/**
 * May this player stake this much on this game, here and now, as far as the catalog is concerned?
 * One pure function, reused by the lobby (without a stake), the player's game view and the provider
 * wallet API before it debits (with the stake). Checks, in this order (the first failure answers):
 *
 *   game or its provider disabled        409 game_disabled
 *   not offered in the jurisdiction      451 game_unavailable
 *   no stake limit in the currency       422 unsupported_currency
 *   stake outside [min_minor, max_minor] 422 bet_out_of_limits (details: min_minor, max_minor)
 *
 * It decides nothing about the player (limits, exclusions, balance): the player's object does that.
 */
import { fail, type Result } from '../errors';
import type { Currency } from '../money';
import type { BetLimit, Game, Provider } from './types';

export function availability(
  game: Pick<Game, 'game_id' | 'enabled' | 'jurisdictions' | 'bet_limits' | 'provider_id'>,
  provider: Pick<Provider, 'provider_id' | 'enabled'>,
  jurisdiction: string,
  currency: Currency,
  stakeMinor?: number,
): Result<{ limit: BetLimit }> {
  if (game.provider_id !== provider.provider_id) throw new Error(`invariant: game ${game.game_id} is not of provider ${provider.provider_id}`);
  if (!game.enabled) return fail('game_disabled', `game ${game.game_id} is disabled`, { game_id: game.game_id });
  if (!provider.enabled) return fail('game_disabled', `provider ${provider.provider_id} is disabled`, { game_id: game.game_id, provider_id: provider.provider_id });
  if (!game.jurisdictions.includes(jurisdiction)) {
    return fail('game_unavailable', `game ${game.game_id} is not offered in ${jurisdiction}`, { game_id: game.game_id, jurisdiction });
  }
  const limit = game.bet_limits[currency];
  if (!limit) return fail('unsupported_currency', `game ${game.game_id} is not played in ${currency}`, { game_id: game.game_id, currency });
  if (stakeMinor !== undefined && (stakeMinor < limit.min_minor || stakeMinor > limit.max_minor)) {
    return fail('bet_out_of_limits', `stakes on ${game.game_id} in ${currency} are ${limit.min_minor}..${limit.max_minor}`, {
      game_id: game.game_id, currency, min_minor: limit.min_minor, max_minor: limit.max_minor, stake_minor: stakeMinor,
    });
  }
  return { ok: true, limit };
}
