import { describe, expect, it } from 'vitest';
import raw from '../config/sso.json';
import { GROUPS_MAX, idpAssertedMfa, loadSsoConfig, mapGroups, readGroups, SSO_CONFIG } from './sso';

const config = loadSsoConfig({
  version: 't',
  groups: {
    'compliance-mt': { roles: ['compliance_officer'], brands: ['aurora'], jurisdictions: ['MT'] },
    'compliance-gb': { roles: ['compliance_officer'], brands: ['sakura'], jurisdictions: ['GB'] },
    'support-all': { roles: ['support_agent'], brands: ['*'], jurisdictions: ['*'] },
    'vip-desk': { vip_clearance: true },
  },
});

describe('the group mapping file', () => {
  it('parses, with the default groups claim when none is named', () => {
    expect(SSO_CONFIG.groups_claim).toBe(raw.groups_claim);
    expect(config.groups_claim).toBe('groups');
    expect(config.scopes).toEqual(['openid', 'email', 'profile']);
    expect(config.groups['vip-desk']).toEqual({ roles: [], brands: [], jurisdictions: [], vip_clearance: true });
  });

  it('refuses unknown roles, brands and jurisdictions, empty grants, unknown fields and an empty mapping', () => {
    const bad = [
      { 'g': { roles: ['superuser'] } },
      { 'g': { roles: ['analyst'], brands: ['nowhere'] } },
      { 'g': { roles: ['analyst'], jurisdictions: ['XX'] } },
      { 'g': {} },
      { 'g': { roles: ['analyst'], brand: ['aurora'] } },
      {},
    ];
    for (const groups of bad) expect(() => loadSsoConfig({ version: 't', groups }), JSON.stringify(groups)).toThrow();
    expect(() => loadSsoConfig({ version: 't', groups_claim: 'has space', groups: { g: { roles: ['analyst'] } } })).toThrow();
    expect(() => loadSsoConfig({ version: 't', scopes: ['email'], groups: { g: { roles: ['analyst'] } } })).toThrow();
  });
});

describe('mapping groups to attributes', () => {
  it('grants nothing for unknown groups', () => {
    expect(mapGroups(['everyone', 'Compliance-MT'], config)).toEqual({
      attributes: { roles: [], brands: [], jurisdictions: [], vip_clearance: false }, matched: [],
    });
  });

  it('takes the union over matched groups, roles in policy order, scopes sorted and distinct', () => {
    expect(mapGroups(['compliance-gb', 'vip-desk', 'compliance-mt', 'compliance-mt'], config)).toEqual({
      attributes: { roles: ['compliance_officer'], brands: ['aurora', 'sakura'], jurisdictions: ['GB', 'MT'], vip_clearance: true },
      matched: ['compliance-gb', 'compliance-mt', 'vip-desk'],
    });
  });

  it('collapses a scope to the wildcard when any group grants it', () => {
    const { attributes } = mapGroups(['compliance-mt', 'support-all'], config);
    expect(attributes).toEqual({ roles: ['compliance_officer', 'support_agent'], brands: ['*'], jurisdictions: ['*'], vip_clearance: false });
  });

  it('does not treat inherited object keys as groups', () => {
    expect(mapGroups(['constructor', 'toString', '__proto__'], config).matched).toEqual([]);
  });
});

describe('reading claims', () => {
  it('reads a groups claim as an array, a lone string, or nothing', () => {
    expect(readGroups(['a', 'b', 3, '', 'x'.repeat(257)])).toEqual(['a', 'b']);
    expect(readGroups('a')).toEqual(['a']);
    expect(readGroups(undefined)).toEqual([]);
    expect(readGroups({ a: 1 })).toEqual([]);
    expect(readGroups(Array.from({ length: GROUPS_MAX }, (_, i) => `g${i}`))).toHaveLength(GROUPS_MAX);
    expect(readGroups(Array.from({ length: GROUPS_MAX + 1 }, (_, i) => `g${i}`))).toBeNull();
  });

  it('recognises multi-factor amr values only', () => {
    expect(idpAssertedMfa(['pwd', 'otp'])).toBe(true);
    expect(idpAssertedMfa(['hwk'])).toBe(true);
    expect(idpAssertedMfa(['pwd'])).toBe(false);
    expect(idpAssertedMfa('mfa')).toBe(false);
    expect(idpAssertedMfa(undefined)).toBe(false);
  });
});
