/**
 * What a valid catalog entry is, checked at every door: the seed (config/games.json), the operator
 * API and CatalogDO itself. Plain zod (no platform); the worker's OpenAPI schemas are built on these,
 * so the document and the checks cannot disagree.
 */
import { z } from 'zod';
import { jurisdictionConfig } from '../jurisdictions';
import { CURRENCIES, type Currency } from '../money';

/** Declared RTP must lie in this range (80.00% .. 99.99%); anything outside is a typo or a scam. */
export const RTP_BP_MIN = 8000;
export const RTP_BP_MAX = 9999;

/** Bounds on the catalog itself (one object holds it all, and lobbies copy it into isolates). */
export const PROVIDERS_MAX = 200;
export const CATEGORIES_MAX = 100;
export const GAMES_MAX = 5000;

export const VOLATILITIES = ['low', 'medium', 'high'] as const;

export const CatalogId = z.string().regex(/^[a-z0-9][a-z0-9_-]{1,63}$/, 'lower-case letters, digits, - and _, 2-64 characters');
export const TableId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/);
const Name = z.string().trim().min(1).max(120);

export const JURISDICTION_IDS = jurisdictionConfig.jurisdictions.map((j) => j.id) as [string, ...string[]];
export const JurisdictionId = z.enum(JURISDICTION_IDS);
export const CurrencyCode = z.enum(CURRENCIES as [Currency, ...Currency[]]);

export const BetLimitSchema = z.strictObject({
  min_minor: z.number().int().positive().safe(),
  max_minor: z.number().int().positive().safe(),
}).refine((l) => l.min_minor <= l.max_minor, { message: 'min_minor must not exceed max_minor' });

export const BetLimits = z.partialRecord(CurrencyCode, BetLimitSchema)
  .refine((m) => Object.keys(m).length > 0, { message: 'at least one currency' });

export const Jurisdictions = z.array(JurisdictionId).max(JURISDICTION_IDS.length)
  .refine((js) => new Set(js).size === js.length, { message: 'jurisdictions must not repeat' });

export const RtpBp = z.number().int().min(RTP_BP_MIN).max(RTP_BP_MAX);

export const ProviderInputSchema = z.strictObject({ provider_id: CatalogId, name: Name, enabled: z.boolean().optional() });
export const ProviderPatchSchema = z.strictObject({ name: Name.optional() });

export const CategoryInputSchema = z.strictObject({ category_id: CatalogId, name: Name, sort: z.number().int().min(0).max(10_000) });
export const CategoryPatchSchema = z.strictObject({ name: Name.optional(), sort: z.number().int().min(0).max(10_000).optional() });

const gameFields = {
  title: Name,
  category_id: CatalogId,
  jurisdictions: Jurisdictions,
  rtp_bp: RtpBp,
  volatility: z.enum(VOLATILITIES),
  bet_limits: BetLimits,
  table_id: TableId.nullable(),
};

export const GameInputSchema = z.strictObject({
  game_id: CatalogId,
  provider_id: CatalogId,
  ...gameFields,
  table_id: gameFields.table_id.optional(),
  enabled: z.boolean().optional(),
});

export const GamePatchSchema = z.strictObject({
  title: gameFields.title.optional(),
  category_id: gameFields.category_id.optional(),
  jurisdictions: gameFields.jurisdictions.optional(),
  rtp_bp: gameFields.rtp_bp.optional(),
  volatility: gameFields.volatility.optional(),
  bet_limits: gameFields.bet_limits.optional(),
  table_id: gameFields.table_id.optional(),
});

/** The first issue of a failed parse, as `path: message` (for `validation_failed` answers). */
export function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0];
  return { path: issue?.path.map(String).join('.') ?? '', message: issue?.message ?? 'invalid' };
}
