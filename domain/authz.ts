/**
 * Authorization for the back office: RBAC + ABAC, evaluated here and nowhere else. The policy is
 * data (config/policies.json): roles grant permissions, and each permission's scope names the
 * attribute rules that must hold between the operator and the target (a brand, or a player with
 * brand, jurisdiction and VIP flag).
 */
import { z } from 'zod';
import raw from '../config/policies.json';

export const ROLES = ['admin', 'operator', 'compliance_officer', 'marketer', 'analyst', 'support_agent', 'dealer'] as const;
export type Role = (typeof ROLES)[number];

const RULES = ['brand_in_operator_brands', 'jurisdiction_in_operator_jurisdictions', 'vip_requires_clearance'] as const;
type Rule = (typeof RULES)[number];

const PolicySchema = z.strictObject({
  version: z.string(),
  description: z.string().optional(),
  permissions: z.record(z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/), z.strictObject({ scope: z.enum(['brand', 'player', 'platform']), description: z.string() })),
  roles: z.record(z.enum(ROLES), z.array(z.string()).min(1)),
  scope_rules: z.strictObject({ brand: z.array(z.enum(RULES)), player: z.array(z.enum(RULES)), platform: z.array(z.enum(RULES)) }),
});

export type Policy = z.infer<typeof PolicySchema>;

/** Parses a policy and checks it names only known permissions and covers every role. */
export function loadPolicy(input: unknown): Policy {
  const policy = PolicySchema.parse(input);
  for (const role of ROLES) if (!policy.roles[role]) throw new Error(`policy has no entry for role ${role}`);
  for (const [role, grants] of Object.entries(policy.roles)) {
    for (const g of grants) if (g !== '*' && !policy.permissions[g]) throw new Error(`role ${role} grants unknown permission ${g}`);
  }
  return policy;
}

export const POLICY = loadPolicy(raw);
export type Permission = keyof typeof raw.permissions;
export const PERMISSIONS = Object.keys(POLICY.permissions) as Permission[];

/** Who is asking: an authenticated operator's roles and attributes ('*' means all). */
export type Principal = {
  operator_id: string;
  email: string;
  roles: Role[];
  brands: string[];
  jurisdictions: string[];
  vip_clearance: boolean;
};

/** What is asked about: a brand, or a player of a brand (platform-scoped permissions use brand 'platform' and check roles only). */
export type Target = { brand: string; jurisdiction?: string; vip?: boolean };

export type Decision = { allow: true } | { allow: false; reason: 'role' | Rule };

function covers(list: string[], value: string): boolean {
  return list.includes('*') || list.includes(value);
}

const RULE_CHECKS: Record<Rule, (p: Principal, t: Target) => boolean> = {
  brand_in_operator_brands: (p, t) => covers(p.brands, t.brand),
  jurisdiction_in_operator_jurisdictions: (p, t) => t.jurisdiction === undefined || covers(p.jurisdictions, t.jurisdiction),
  vip_requires_clearance: (p, t) => !t.vip || p.vip_clearance,
};

export function hasPermission(principal: Pick<Principal, 'roles'>, permission: Permission, policy: Policy = POLICY): boolean {
  return principal.roles.some((role) => {
    const grants = policy.roles[role] ?? [];
    return grants.includes('*') || grants.includes(permission);
  });
}

/** The one decision point: role first, then the scope's attribute rules against the target. */
export function authorize(principal: Principal, permission: Permission, target: Target, policy: Policy = POLICY): Decision {
  if (!hasPermission(principal, permission, policy)) return { allow: false, reason: 'role' };
  const scope = policy.permissions[permission]!.scope;
  for (const rule of policy.scope_rules[scope]) {
    if (!RULE_CHECKS[rule](principal, target)) return { allow: false, reason: rule };
  }
  return { allow: true };
}

/** The brands among `candidates` this principal may act on for a brand-scoped permission. */
export function brandsFor(principal: Principal, permission: Permission, candidates: readonly string[]): string[] {
  return candidates.filter((brand) => authorize(principal, permission, { brand }).allow);
}

/** PII masking for views without player.read_pii: keeps enough to recognise, not to contact. */
export function maskEmail(email: string): string {
  const at = email.indexOf('@');
  if (at < 1) return '***';
  const domain = email.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${email[0]}***@${domain[0] ?? ''}***${dot >= 0 ? domain.slice(dot) : ''}`;
}

export function maskDateOfBirth(dob: string): string {
  return `${dob.slice(0, 4)}-**-**`;
}
