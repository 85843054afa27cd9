/**
 * Payload schemas of the game catalog events: every configuration change (emitted by CatalogDO,
 * in the transaction that makes it). Merged into EVENT_PAYLOADS (domain/events.ts).
 *
 * Each event carries the entity's state after the change as flat fields, `changed_fields` (comma
 * separated, sorted) and `before` (JSON of the previous values of exactly those fields; null when
 * created), so the warehouse can rebuild the catalog at any moment from the events alone. Lists are
 * flattened: jurisdictions as 'GB,MT' (sorted), bet limits as JSON {"EUR":{"min_minor":..}}.
 */
import { z } from 'zod';
import { amount, id } from '../event-fields';

const version = z.number().int().positive();
const common = {
  version,
  catalog_version: version,
  changed_fields: z.string(),
  before: z.string().nullable(),
  actor: z.string(),
  reason: z.string().nullable(),
};

export const CATALOG_EVENTS = {
  'catalog.provider.changed': z.object({
    provider_id: id,
    change: z.enum(['created', 'updated', 'enabled', 'disabled']),
    name: z.string(),
    enabled: z.boolean(),
    ...common,
  }),
  'catalog.category.changed': z.object({
    category_id: id,
    change: z.enum(['created', 'updated']),
    name: z.string(),
    sort: z.number().int(),
    ...common,
  }),
  'catalog.game.changed': z.object({
    game_id: id,
    provider_id: id,
    category_id: id,
    change: z.enum(['created', 'updated', 'enabled', 'disabled']),
    title: z.string(),
    enabled: z.boolean(),
    jurisdictions: z.string(),
    rtp_bp: amount,
    volatility: z.enum(['low', 'medium', 'high']),
    bet_limits: z.string(),
    table_id: z.string().nullable(),
    ...common,
  }),
} as const satisfies Record<string, z.ZodObject>;
