/**
 * The player's lobby, computed from a catalog snapshot: enabled games of enabled providers that are
 * offered in the player's jurisdiction (and played in the currency, when one is asked for), grouped
 * by category (by sort, then name) and sorted by title. Pure, so CatalogDO and the worker's
 * in-isolate cache give the same answer from the same snapshot.
 */
import type { Currency } from '../money';
import { availability } from './availability';
import type { CatalogSnapshot, Category, Game, Lobby, LobbyCategory, LobbyGame, LobbyQuery, Provider } from './types';

function lobbyGame(g: Game, p: Provider, currency: Currency | null): LobbyGame {
  const limits = currency ? { [currency]: g.bet_limits[currency]! } : { ...g.bet_limits };
  return {
    game_id: g.game_id, provider_id: g.provider_id, provider_name: p.name, title: g.title, category_id: g.category_id,
    rtp_bp: g.rtp_bp, volatility: g.volatility, bet_limits: limits, table_id: g.table_id,
  };
}

/** Whether a player of `jurisdiction` may see the game (in `currency`, when given). */
export function listable(g: Game, p: Provider | undefined, jurisdiction: string, currency: Currency | null): boolean {
  if (!p) return false;
  if (currency) return availability(g, p, jurisdiction, currency).ok;
  return g.enabled && p.enabled && g.jurisdictions.includes(jurisdiction);
}

export function byCategoryOrder(a: Pick<Category, 'sort' | 'name'>, b: Pick<Category, 'sort' | 'name'>): number {
  return a.sort - b.sort || a.name.localeCompare(b.name);
}

export function lobbyView(snapshot: CatalogSnapshot, q: LobbyQuery): Lobby {
  const currency = q.currency ?? null;
  const providers = new Map(snapshot.providers.map((p) => [p.provider_id, p]));
  const groups = new Map<string, LobbyGame[]>();
  for (const g of snapshot.games) {
    if (q.category_id && g.category_id !== q.category_id) continue;
    const p = providers.get(g.provider_id);
    if (!listable(g, p, q.jurisdiction, currency)) continue;
    const list = groups.get(g.category_id) ?? [];
    list.push(lobbyGame(g, p!, currency));
    groups.set(g.category_id, list);
  }
  const categories: LobbyCategory[] = [...snapshot.categories].sort(byCategoryOrder)
    .filter((c) => groups.has(c.category_id))
    .map((c) => ({
      category_id: c.category_id, name: c.name, sort: c.sort,
      games: groups.get(c.category_id)!.sort((a, b) => a.title.localeCompare(b.title) || a.game_id.localeCompare(b.game_id)),
    }));
  return { catalog_version: snapshot.catalog_version, jurisdiction: q.jurisdiction, currency, categories };
}

/** The categories of a lobby with how many games each offers the player (empty ones left out). */
export function lobbyCategories(lobby: Lobby): { category_id: string; name: string; sort: number; games: number }[] {
  return lobby.categories.map((c) => ({ category_id: c.category_id, name: c.name, sort: c.sort, games: c.games.length }));
}
