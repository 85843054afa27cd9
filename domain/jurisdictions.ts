/**
 * Jurisdiction rules: which countries may play, under which licence, from what age, in which
 * currencies. The data lives in config/jurisdictions.json (versioned with the code); this module
 * validates it once at load and answers questions about it.
 */
import { z } from 'zod';
import raw from '../config/jurisdictions.json';
import { CURRENCIES, type Currency } from './money';

const Country = z.string().regex(/^[A-Z]{2}$/);

const JurisdictionSchema = z.strictObject({
  id: z.string().regex(/^[A-Z]{2,3}$/),
  name: z.string(),
  regulator: z.string(),
  countries: z.array(Country).min(1),
  min_age: z.number().int().min(18).max(25),
  currencies: z.array(z.enum(CURRENCIES as [Currency, ...Currency[]])).min(1),
  /**
   * May a player cancel (reverse) a withdrawal still waiting for an operator, to play the money on?
   * Stated for every jurisdiction, no default: Great Britain forbids it (UKGC, reverse withdrawals
   * banned since 2020), so a new jurisdiction must decide rather than inherit a permission.
   */
  reverse_withdrawals: z.boolean(),
});

const ConfigSchema = z.strictObject({
  version: z.string(),
  description: z.string().optional(),
  blocked_countries: z.array(Country),
  jurisdictions: z.array(JurisdictionSchema).min(1),
});

export type Jurisdiction = z.infer<typeof JurisdictionSchema>;
export type JurisdictionConfig = z.infer<typeof ConfigSchema>;

/** Parses and cross-checks a config: a country belongs to at most one jurisdiction and is never both allowed and blocked. */
export function loadJurisdictionConfig(input: unknown): JurisdictionConfig {
  const config = ConfigSchema.parse(input);
  const owner = new Map<string, string>();
  for (const j of config.jurisdictions) {
    for (const c of j.countries) {
      if (owner.has(c)) throw new Error(`country ${c} is in both ${owner.get(c)} and ${j.id}`);
      if (config.blocked_countries.includes(c)) throw new Error(`country ${c} is both allowed (${j.id}) and blocked`);
      owner.set(c, j.id);
    }
  }
  return config;
}

export const jurisdictionConfig: JurisdictionConfig = loadJurisdictionConfig(raw);

export type GeoVerdict =
  | { ok: true; jurisdiction: Jurisdiction }
  | { ok: false; code: 'geo_blocked' | 'jurisdiction_unavailable' };

/** Where may a request from `country` play? Blocked countries and unlicensed ones both answer no. */
export function jurisdictionForCountry(country: string, config = jurisdictionConfig): GeoVerdict {
  if (config.blocked_countries.includes(country)) return { ok: false, code: 'geo_blocked' };
  const jurisdiction = config.jurisdictions.find((j) => j.countries.includes(country));
  return jurisdiction ? { ok: true, jurisdiction } : { ok: false, code: 'jurisdiction_unavailable' };
}

export function jurisdictionById(id: string, config = jurisdictionConfig): Jurisdiction | undefined {
  return config.jurisdictions.find((j) => j.id === id);
}

/** Whole years between a YYYY-MM-DD birth date and `nowMs` (UTC), the way age gates count them. */
export function ageInYears(dateOfBirth: string, nowMs: number): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const now = new Date(nowMs);
  let age = now.getUTCFullYear() - y;
  const beforeBirthday = now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d);
  if (beforeBirthday) age -= 1;
  return age;
}
