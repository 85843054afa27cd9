/** Typed stubs of the back office's Durable Objects, named by what they own. */
import type { AuditDO } from '../../durable/audit/audit-do';
import type { BrandOpsDO } from '../../durable/brand-ops/brand-ops-do';
import type { OperatorDO } from '../../durable/operator/operator-do';
import type { StaffDO } from '../../durable/operator/staff-do';

export function operatorStub(env: Env, operatorId: string): DurableObjectStub<OperatorDO> {
  return (env.OPERATOR as DurableObjectNamespace<OperatorDO>).getByName(operatorId);
}

/** The one staff directory (small and cold: see staff-do.ts). */
export function staffStub(env: Env): DurableObjectStub<StaffDO> {
  return (env.STAFF as DurableObjectNamespace<StaffDO>).getByName('staff');
}

export function auditStub(env: Env, shard: string): DurableObjectStub<AuditDO> {
  return (env.AUDIT as DurableObjectNamespace<AuditDO>).getByName(shard);
}

export function brandOpsStub(env: Env, brand: string): DurableObjectStub<BrandOpsDO> {
  return (env.BRAND_OPS as DurableObjectNamespace<BrandOpsDO>).getByName(`ops:${brand}`);
}
