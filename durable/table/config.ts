/**
 * Live-table configuration (config/tables.json): game, owning brand, mode, timers, and limits per
 * currency and bet type. Data, validated once at load; a table id not listed here has no object.
 */
import { z } from 'zod';
import raw from '../../config/tables.json';
import { blackjackRulesSchema } from '../../domain/games/blackjack/rules';
import type { GameKind } from '../../domain/games/types';
import { CURRENCIES, type Currency } from '../../domain/money';

const Limit = z.strictObject({ min_minor: z.number().int().positive().safe(), max_minor: z.number().int().positive().safe() })
  .refine((l) => l.min_minor <= l.max_minor, 'min_minor must not exceed max_minor');

/** A blackjack table's format, timers and rules (domain/games/blackjack/rules.ts). */
const BlackjackTableSchema = z.strictObject({
  format: z.enum(['seated', 'infinite']),
  /** How long the hand whose turn it is (Seated) or every hand (Infinite) has to decide; then it stands. */
  decision_seconds: z.number().int().min(3).max(120),
  /** How long insurance stays open under a dealer's ace; then every undecided box declines. */
  insurance_seconds: z.number().int().min(2).max(60),
  rules: blackjackRulesSchema,
});

const TableConfigSchema = z.strictObject({
  table_id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  name: z.string().min(1),
  game: z.enum(['roulette', 'baccarat', 'blackjack']),
  game_id: z.string().min(1),
  brand: z.string().min(1),
  mode: z.enum(['dealer', 'auto']),
  betting_seconds: z.number().int().min(3).max(300),
  pause_seconds: z.number().int().min(0).max(60),
  limits: z.partialRecord(z.enum(CURRENCIES as [Currency, ...Currency[]]), z.record(z.string(), Limit).refine((m) => 'default' in m, 'each currency needs a default limit')),
  max_exposure_minor: z.partialRecord(z.enum(CURRENCIES as [Currency, ...Currency[]]), z.number().int().positive().safe()),
  blackjack: BlackjackTableSchema.optional(),
}).refine((t) => (t.game === 'blackjack') === (t.blackjack !== undefined), 'a blackjack table has a blackjack block, and only a blackjack table');

/** A table's game: one of the one-shot games (domain/games/types.ts), or blackjack (decisions mid-round). */
export type TableGame = GameKind | 'blackjack';
export type TableConfig = z.infer<typeof TableConfigSchema> & { game: TableGame };
export type BlackjackTable = z.infer<typeof BlackjackTableSchema>;
export type BetLimit = z.infer<typeof Limit>;

const TablesSchema = z.strictObject({ version: z.string(), description: z.string().optional(), tables: z.array(TableConfigSchema).min(1) });

export const TABLES: readonly TableConfig[] = TablesSchema.parse(raw).tables;
export const TABLES_VERSION = raw.version;

export function tableConfig(tableId: string): TableConfig | null {
  return TABLES.find((t) => t.table_id === tableId) ?? null;
}

/** The stake limit of a bet type in a currency, or null when the table does not take that currency. */
export function betLimit(table: TableConfig, currency: Currency, betType: string): BetLimit | null {
  const byType = table.limits[currency];
  return byType ? (byType[betType] ?? byType.default ?? null) : null;
}
