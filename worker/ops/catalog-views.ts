/**
 * Named answers of the back office's catalog routes (/v1/ops/catalog, /v1/ops/brands/{brand}/games/rtp),
 * built on the catalog's own schemas (worker/catalog/schemas.ts).
 */
import { z } from '@hono/zod-openapi';
import type { GameRtpView } from '../catalog/rtp';
import { Category, Game, Provider } from '../catalog/schemas';
import { mirrors } from '../http/mirror';
import { OutboxEvent } from './schemas';

export const ProviderList = z.object({ providers: z.array(Provider) }).openapi('ProviderList');
export const ProviderAnswer = z.object({ provider: Provider }).openapi('ProviderAnswer');
export const ProviderChanged = z.object({ provider: Provider, changed: z.boolean().openapi({ description: 'false when nothing differed' }) }).openapi('ProviderChanged');
export const CategoryList = z.object({ categories: z.array(Category) }).openapi('CategoryList');
export const CategoryAnswer = z.object({ category: Category }).openapi('CategoryAnswer');
export const CategoryChanged = z.object({ category: Category, changed: z.boolean() }).openapi('CategoryChanged');
export const GameList = z.object({ catalog_version: z.number().int(), games: z.array(Game) }).openapi('GameList');
export const GameAnswer = z.object({ game: Game }).openapi('GameAnswer');
export const GameDetail = z.object({ game: Game, provider: Provider }).openapi('GameDetail');
export const GameChanged = z.object({ game: Game, changed: z.boolean().openapi({ description: 'false when nothing differed' }) }).openapi('GameChanged');
export const CatalogChanges = z.object({ changes: z.array(OutboxEvent) }).openapi('CatalogChanges');

const RtpWindow = z.object({
  window: z.enum(['1h', '24h', '7d', '30d']),
  bets: z.number().int(),
  wagered_minor: z.number().int(),
  returned_minor: z.number().int(),
  observed_rtp: z.number().nullable().openapi({ description: 'returned / wagered (null without stakes)', example: 0.9581 }),
  theoretical_rtp: z.number().nullable().openapi({ description: 'The configured RTP (rtp_bp / 10000)', example: 0.965 }),
  std_error: z.number().nullable().openapi({ description: 'Null: a configured RTP has no variance' }),
  z: z.number().nullable(),
  flag: z.enum(['high', 'low']).nullable().openapi({ description: 'Set when at least 1,000 bets deviate by more than 2 RTP points' }),
}).openapi('GameRtpWindow');

export const GameRtp = mirrors<GameRtpView>()(z.object({
  game_id: z.string().openapi({ example: 'sandbox-starfall-fortune' }),
  provider_id: z.string().openapi({ example: 'sandbox-slots' }),
  title: z.string().nullable().openapi({ example: 'Starfall Fortune' }),
  currency: z.string().openapi({ example: 'EUR' }),
  configured_rtp_bp: z.number().int().nullable().openapi({ example: 9650 }),
  windows: z.array(RtpWindow),
}).openapi('GameRtp'));

export const BrandGameRtp = z.object({ brand: z.string(), now_ms: z.number().int(), truncated: z.boolean(), games: z.array(GameRtp) }).openapi('BrandGameRtp');
