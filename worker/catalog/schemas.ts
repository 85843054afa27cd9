/**
 * OpenAPI schemas of the catalog, the lobby and the RTP monitor, built on the rules of
 * domain/catalog/rules.ts (the checks CatalogDO applies too), with examples for the document.
 */
import { z } from '@hono/zod-openapi';
import {
  BetLimits, CatalogId, CategoryInputSchema, CategoryPatchSchema, CurrencyCode, GameInputSchema, GamePatchSchema, JurisdictionId,
  ProviderInputSchema, ProviderPatchSchema, RTP_BP_MAX, RTP_BP_MIN, VOLATILITIES,
} from '../../domain/catalog/rules';
import { Reason } from '../ops/schemas';

const LIMITS_EXAMPLE = { EUR: { min_minor: 10, max_minor: 10000 }, GBP: { min_minor: 10, max_minor: 10000 } };
const Limits = z.record(z.string(), z.object({ min_minor: z.number().int(), max_minor: z.number().int() }))
  .openapi({ description: 'Stake limits of one bet per currency, in minor units; a currency not listed cannot be played', example: LIMITS_EXAMPLE });

export const Provider = z.object({
  provider_id: z.string().openapi({ example: 'sandbox-slots' }), name: z.string().openapi({ example: 'Sandbox Slots' }),
  enabled: z.boolean(), version: z.number().int(), updated_at: z.number().int(),
}).openapi('CatalogProvider');

export const Category = z.object({
  category_id: z.string().openapi({ example: 'slots' }), name: z.string().openapi({ example: 'Slots' }),
  sort: z.number().int(), version: z.number().int(), updated_at: z.number().int(),
}).openapi('CatalogCategory');

export const Game = z.object({
  game_id: z.string().openapi({ example: 'sandbox-starfall-fortune' }),
  provider_id: z.string().openapi({ example: 'sandbox-slots' }),
  title: z.string().openapi({ example: 'Starfall Fortune' }),
  category_id: z.string().openapi({ example: 'slots' }),
  jurisdictions: z.array(z.string()).openapi({ example: ['GB', 'MT'] }),
  rtp_bp: z.number().int().openapi({ description: 'Declared RTP in basis points (9650 = 96.50%)', example: 9650 }),
  volatility: z.enum(VOLATILITIES),
  bet_limits: Limits,
  enabled: z.boolean(),
  table_id: z.string().nullable().openapi({ description: 'The live table that runs the game (live games only)', example: null }),
  updated_at: z.number().int(),
  version: z.number().int().openapi({ description: 'Send it back with a change: a change made against an older version is 409 version_conflict', example: 3 }),
}).openapi('CatalogGame');

export const LobbyGame = z.object({
  game_id: z.string().openapi({ example: 'live-roulette-1' }), provider_id: z.string().openapi({ example: 'edge-studio' }),
  provider_name: z.string().openapi({ example: 'Edge Studio (live tables)' }), title: z.string().openapi({ example: 'Aurora Roulette' }),
  category_id: z.string().openapi({ example: 'live_roulette' }), rtp_bp: z.number().int().openapi({ example: 9730 }),
  volatility: z.enum(VOLATILITIES), bet_limits: Limits, table_id: z.string().nullable().openapi({ example: 'roulette-1' }),
}).openapi('LobbyGame');

export const LobbyCategory = z.object({
  category_id: z.string().openapi({ example: 'live_roulette' }), name: z.string().openapi({ example: 'Live Roulette' }),
  sort: z.number().int(), games: z.array(LobbyGame),
}).openapi('LobbyCategory');

export const Lobby = z.object({
  catalog_version: z.number().int(),
  jurisdiction: z.string().openapi({ description: 'The player\'s registered jurisdiction', example: 'MT' }),
  currency: z.string().nullable().openapi({ example: 'EUR' }),
  categories: z.array(LobbyCategory),
}).openapi('Lobby');

// ---- operator inputs -----------------------------------------------------------------------------

const Version = z.number().int().positive().openapi({ description: 'The version the change was made against (from the last read)', example: 1 });

export const NewProvider = ProviderInputSchema.extend({ reason: Reason })
  .openapi('NewProvider', { example: { provider_id: 'acme-slots', name: 'Acme Slots', enabled: false, reason: 'contract 2026-114 signed' } });
export const ProviderChange = ProviderPatchSchema.extend({ version: Version, reason: Reason }).openapi('ProviderChange');
export const NewCategory = CategoryInputSchema.extend({ reason: Reason })
  .openapi('NewCategory', { example: { category_id: 'jackpots', name: 'Jackpots', sort: 15, reason: 'new lobby section' } });
export const CategoryChange = CategoryPatchSchema.extend({ version: Version, reason: Reason }).openapi('CategoryChange');

export const NewGame = GameInputSchema.extend({ reason: Reason }).openapi('NewGame', {
  description: `rtp_bp ${RTP_BP_MIN}..${RTP_BP_MAX}; jurisdictions from config/jurisdictions.json; enabled defaults to false`,
  example: {
    game_id: 'acme-gold-rush', provider_id: 'sandbox-slots', title: 'Gold Rush', category_id: 'slots', jurisdictions: ['MT', 'GB'],
    rtp_bp: 9610, volatility: 'high', bet_limits: LIMITS_EXAMPLE, enabled: false, reason: 'certified by the test lab, report GLI-4411',
  },
});
export const GameChange = GamePatchSchema.extend({ version: Version, reason: Reason }).openapi('GameChange', {
  example: { rtp_bp: 9450, jurisdictions: ['MT'], version: 3, reason: 'provider lowered the RTP variant, notice 2026-11-20' },
});
export const Toggle = z.strictObject({ reason: Reason, version: Version.optional() }).openapi('CatalogToggle');

export const GameQuery = z.strictObject({
  provider_id: CatalogId.optional(), category_id: CatalogId.optional(), jurisdiction: JurisdictionId.optional(),
  enabled: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

export { BetLimits, CatalogId, CurrencyCode };
