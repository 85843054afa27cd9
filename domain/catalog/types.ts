/**
 * The game catalog's shapes, shared by CatalogDO (the owner), the lobby, the provider wallet API
 * and the live tables. Percentages are basis points (9730 = 97.30%) so nothing here is a float.
 */
import type { Currency } from '../money';

export type Volatility = 'low' | 'medium' | 'high';
export type CategoryId = string; // 'slots', 'live_roulette', 'live_baccarat', ...

export type BetLimit = { min_minor: number; max_minor: number };

export type Provider = {
  provider_id: string; // 'edge-studio' (our own live tables), 'sandbox-slots', ...
  name: string;
  enabled: boolean;
  updated_at: number;
  /** Bumped by every change of this provider; updates name the version they were made against. */
  version: number;
};

export type Category = { category_id: CategoryId; name: string; sort: number; updated_at: number; version: number };

export type Game = {
  game_id: string;
  provider_id: string;
  title: string;
  category_id: CategoryId;
  /** ISO 3166-1 alpha-2 jurisdiction ids where the game may be offered ('MT', 'SE', ...). */
  jurisdictions: string[];
  /** Configured (declared) RTP in basis points; for our own tables it is the payout table's theoretical RTP. */
  rtp_bp: number;
  volatility: Volatility;
  /** Per-currency stake limits of one bet; a currency not listed cannot be played. */
  bet_limits: Partial<Record<Currency, BetLimit>>;
  enabled: boolean;
  /** Set for live tables: the TableDO that runs the game. */
  table_id: string | null;
  updated_at: number;
  version: number;
};

/** The whole catalog at one catalog_version (bumped by every change of anything in it). */
export type CatalogSnapshot = { catalog_version: number; providers: Provider[]; categories: Category[]; games: Game[] };

// ---- changes (operator API and seed) -------------------------------------------------------------

/** Who changes the catalog and why: every change is an event carrying both. */
export type ChangeBy = { actor: string; reason: string | null };

export type ProviderInput = { provider_id: string; name: string; enabled?: boolean };
export type ProviderPatch = { name?: string };
export type CategoryInput = { category_id: CategoryId; name: string; sort: number };
export type CategoryPatch = { name?: string; sort?: number };
/** A new game: the game's own fields; enabled defaults to false, table_id to null. */
export type GameInput = Omit<Game, 'enabled' | 'table_id' | 'updated_at' | 'version'> & { enabled?: boolean; table_id?: string | null };
/** What an update may change; game_id and provider_id are fixed for the life of a game. */
export type GamePatch = Partial<Pick<Game, 'title' | 'category_id' | 'jurisdictions' | 'rtp_bp' | 'volatility' | 'bet_limits' | 'table_id'>>;

export type GameFilter = { provider_id?: string; category_id?: CategoryId; jurisdiction?: string; enabled?: boolean; table_id?: string };

// ---- the player's lobby --------------------------------------------------------------------------

/** A game as a player sees it: no jurisdiction list; stake limits only of the lobby's currency (all when it has none). */
export type LobbyGame = {
  game_id: string;
  provider_id: string;
  provider_name: string;
  title: string;
  category_id: CategoryId;
  rtp_bp: number;
  volatility: Volatility;
  bet_limits: Partial<Record<Currency, BetLimit>>;
  table_id: string | null;
};

export type LobbyCategory = { category_id: CategoryId; name: string; sort: number; games: LobbyGame[] };

export type Lobby = { catalog_version: number; jurisdiction: string; currency: Currency | null; categories: LobbyCategory[] };

export type LobbyQuery = { jurisdiction: string; currency?: Currency | null; category_id?: CategoryId | null };
