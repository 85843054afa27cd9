/**
 * The default catalog (config/games.json), validated with the same rules as the operator API and
 * cross-checked (unique ids, every game's provider and category exist, one game per table). CatalogDO
 * seeds itself from it once, on first use; afterwards the catalog changes only through the API.
 */
import { z } from 'zod';
import raw from '../../config/games.json';
import { CATEGORIES_MAX, CategoryInputSchema, GAMES_MAX, GameInputSchema, PROVIDERS_MAX, ProviderInputSchema } from './rules';
import type { CategoryInput, GameInput, ProviderInput } from './types';

const SeedSchema = z.strictObject({
  version: z.string().min(1),
  description: z.string().optional(),
  providers: z.array(ProviderInputSchema).min(1).max(PROVIDERS_MAX),
  categories: z.array(CategoryInputSchema).min(1).max(CATEGORIES_MAX),
  games: z.array(GameInputSchema).max(GAMES_MAX),
});

export type CatalogSeed = { version: string; providers: ProviderInput[]; categories: CategoryInput[]; games: GameInput[] };

function unique(kind: string, ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new Error(`catalog seed: ${kind} ${id} appears twice`);
    seen.add(id);
  }
}

/** Parses and cross-checks a seed; throws on the first problem (a broken seed must not deploy). */
export function loadCatalogSeed(input: unknown): CatalogSeed {
  const seed = SeedSchema.parse(input);
  unique('provider', seed.providers.map((p) => p.provider_id));
  unique('category', seed.categories.map((c) => c.category_id));
  unique('game', seed.games.map((g) => g.game_id));
  unique('table', seed.games.flatMap((g) => (g.table_id ? [g.table_id] : [])));
  const providers = new Set(seed.providers.map((p) => p.provider_id));
  const categories = new Set(seed.categories.map((c) => c.category_id));
  for (const g of seed.games) {
    if (!providers.has(g.provider_id)) throw new Error(`catalog seed: game ${g.game_id} names unknown provider ${g.provider_id}`);
    if (!categories.has(g.category_id)) throw new Error(`catalog seed: game ${g.game_id} names unknown category ${g.category_id}`);
  }
  return seed as CatalogSeed;
}

export const CATALOG_SEED: CatalogSeed = loadCatalogSeed(raw);
