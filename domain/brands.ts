/**
 * Brands: the casino sites run on this platform. Players belong to one brand, operators are scoped
 * to brands, and the audit log and back-office queues are sharded by brand. Data lives in
 * config/brands.json.
 */
import { z } from 'zod';
import raw from '../config/brands.json';

export const BrandId = z.string().regex(/^[a-z][a-z0-9-]{1,30}$/);

const ConfigSchema = z.strictObject({
  version: z.string(),
  description: z.string().optional(),
  default_brand: BrandId,
  brands: z.array(z.strictObject({ id: BrandId, name: z.string().min(1) })).min(1),
});

export type Brand = z.infer<typeof ConfigSchema>['brands'][number];

function load(input: unknown) {
  const config = ConfigSchema.parse(input);
  if (!config.brands.some((b) => b.id === config.default_brand)) throw new Error(`default brand ${config.default_brand} is not configured`);
  return config;
}

export const BRAND_CONFIG = load(raw);
export const BRANDS: readonly Brand[] = BRAND_CONFIG.brands;
export const DEFAULT_BRAND: string = BRAND_CONFIG.default_brand;

export function isBrand(id: string): boolean {
  return BRANDS.some((b) => b.id === id);
}
