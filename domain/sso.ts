/**
 * Corporate sign-in rules, free of any platform: which identity-provider groups grant which
 * back-office roles and attributes (config/sso.json), and how to read the claims an identity
 * provider sends about groups and authentication methods. The file also names the scopes to ask
 * for and the claim that carries the groups, since both differ between identity providers.
 *
 * An operator gets the union over every configured group they are in. Attributes are not tied to
 * the role that came with them (the authorization model has one set per operator), so someone in
 * two groups gets both groups' roles over both groups' brands and jurisdictions: keep each group's
 * grant narrow, and give wide scopes only with narrow roles.
 */
import { z } from 'zod';
import raw from '../config/sso.json';
import { ROLES, type Role } from './authz';
import { isBrand } from './brands';
import { jurisdictionById } from './jurisdictions';

/** What an operator may act on: the same shape the operator object stores. */
export type SsoAttributes = { roles: Role[]; brands: string[]; jurisdictions: string[]; vip_clearance: boolean };

/** Bounds on what an identity provider may send us (a user in thousands of groups is a misconfiguration). */
export const GROUPS_MAX = 500;
export const GROUP_NAME_MAX = 256;
const AMR_MAX = 20;

/** `amr` values (RFC 8176) that mean the user passed more than a password at the identity provider. */
export const MFA_AMR = ['mfa', 'otp', 'hwk', 'swk', 'sms'] as const;

const GroupName = z.string().min(1).max(GROUP_NAME_MAX);
const Brand = z.string().refine((b) => b === '*' || isBrand(b), { message: 'unknown brand (see config/brands.json)' });
const JurisdictionId = z.string().refine((j) => j === '*' || jurisdictionById(j) !== undefined, { message: 'unknown jurisdiction (see config/jurisdictions.json)' });

const GrantSchema = z.strictObject({
  roles: z.array(z.enum(ROLES)).default([]),
  brands: z.array(Brand).default([]),
  jurisdictions: z.array(JurisdictionId).default([]),
  vip_clearance: z.boolean().default(false),
}).refine((g) => g.roles.length + g.brands.length + g.jurisdictions.length > 0 || g.vip_clearance, { message: 'a group must grant something' });

const ConfigSchema = z.strictObject({
  version: z.string(),
  description: z.string().optional(),
  /** Scopes asked for at sign-in: `openid` always; whatever else makes the provider send email, name and groups. */
  scopes: z.array(z.string().regex(/^[A-Za-z0-9_:./-]{1,100}$/)).max(20).refine((s) => s.includes('openid'), { message: 'scopes must include openid' })
    .default(['openid', 'email', 'profile']),
  /** The ID token claim that lists the user's groups. */
  groups_claim: z.string().regex(/^[A-Za-z0-9_:./-]{1,100}$/).default('groups'),
  groups: z.record(GroupName, GrantSchema).refine((g) => Object.keys(g).length > 0, { message: 'map at least one group' }),
});

export type SsoConfig = z.infer<typeof ConfigSchema>;

export function loadSsoConfig(input: unknown): SsoConfig {
  return ConfigSchema.parse(input);
}

export const SSO_CONFIG: SsoConfig = loadSsoConfig(raw);

/**
 * A claim holding group names: an array of strings (a lone string counts as one group; anything
 * else is no groups). Null when there are more than GROUPS_MAX, which we refuse rather than cut.
 */
export function readGroups(claim: unknown): string[] | null {
  const list = typeof claim === 'string' ? [claim] : Array.isArray(claim) ? claim : [];
  if (list.length > GROUPS_MAX) return null;
  return list.filter((g): g is string => typeof g === 'string' && g.length > 0 && g.length <= GROUP_NAME_MAX);
}

/** Whether the `amr` claim says the identity provider did multi-factor authentication. */
export function idpAssertedMfa(amr: unknown): boolean {
  if (!Array.isArray(amr)) return false;
  return amr.slice(0, AMR_MAX).some((m) => (MFA_AMR as readonly unknown[]).includes(m));
}

/** `['*']` when the wildcard is granted, else the sorted distinct values. */
function scope(values: Iterable<string>): string[] {
  const set = new Set(values);
  return set.has('*') ? ['*'] : [...set].sort();
}

/** The union of the grants of every configured group in `groups`, and which groups matched. */
export function mapGroups(groups: readonly string[], config: SsoConfig = SSO_CONFIG): { attributes: SsoAttributes; matched: string[] } {
  const matched = [...new Set(groups)].filter((g) => Object.hasOwn(config.groups, g)).sort();
  const grants = matched.map((g) => config.groups[g]!);
  const roles = new Set(grants.flatMap((g) => g.roles));
  return {
    attributes: {
      roles: ROLES.filter((r) => roles.has(r)),
      brands: scope(grants.flatMap((g) => g.brands)),
      jurisdictions: scope(grants.flatMap((g) => g.jurisdictions)),
      vip_clearance: grants.some((g) => g.vip_clearance),
    },
    matched,
  };
}
