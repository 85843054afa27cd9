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
};

export type Category = { category_id: CategoryId; name: string; sort: number };

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
