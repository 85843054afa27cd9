import { describe, expect, it } from 'vitest';
import { ageInYears, jurisdictionConfig, jurisdictionForCountry, loadJurisdictionConfig } from './jurisdictions';

describe('jurisdiction config', () => {
  it('loads the versioned config from the repo', () => {
    expect(jurisdictionConfig.version).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(jurisdictionConfig.jurisdictions.map((j) => j.id)).toEqual(expect.arrayContaining(['MT', 'GB', 'GR']));
  });

  it('maps countries to jurisdictions, blocks blocked ones, refuses unlicensed ones', () => {
    expect(jurisdictionForCountry('FI')).toMatchObject({ ok: true, jurisdiction: { id: 'MT' } });
    expect(jurisdictionForCountry('US')).toEqual({ ok: false, code: 'geo_blocked' });
    expect(jurisdictionForCountry('ZZ')).toEqual({ ok: false, code: 'jurisdiction_unavailable' });
  });

  it('has a 21+ jurisdiction', () => {
    expect(jurisdictionForCountry('GR')).toMatchObject({ ok: true, jurisdiction: { min_age: 21 } });
  });

  it('rejects configs where a country is both allowed and blocked, or in two jurisdictions', () => {
    const base = { version: 'x', blocked_countries: ['US'], jurisdictions: [{ id: 'AA', name: 'a', regulator: 'r', countries: ['US'], min_age: 18, currencies: ['EUR'], reverse_withdrawals: true }] };
    expect(() => loadJurisdictionConfig(base)).toThrow(/both allowed/);
    const twice = { ...base, blocked_countries: [], jurisdictions: [base.jurisdictions[0], { ...base.jurisdictions[0], id: 'BB' }] };
    expect(() => loadJurisdictionConfig(twice)).toThrow(/in both/);
    expect(() => loadJurisdictionConfig({ ...base, extra: 1 })).toThrow();
  });

  it('every jurisdiction states whether reverse withdrawals are allowed; Great Britain forbids them', () => {
    const { reverse_withdrawals: _, ...unstated } = { id: 'AA', name: 'a', regulator: 'r', countries: ['AA'], min_age: 18, currencies: ['EUR'], reverse_withdrawals: true };
    expect(() => loadJurisdictionConfig({ version: 'x', blocked_countries: [], jurisdictions: [unstated] })).toThrow(/reverse_withdrawals/);
    expect(jurisdictionConfig.jurisdictions.find((j) => j.id === 'GB')?.reverse_withdrawals).toBe(false);
  });
});

describe('age gate', () => {
  it('counts whole years, birthday inclusive', () => {
    const now = Date.UTC(2026, 10, 21);
    expect(ageInYears('2008-11-21', now)).toBe(18);
    expect(ageInYears('2008-11-22', now)).toBe(17);
    expect(ageInYears('2005-11-22', now)).toBe(20);
  });
});
