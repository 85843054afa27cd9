/** Helpers for back-office tests: bootstrap an admin, create operators of any role, log them in with TOTP. */
import { env, runInDurableObject } from 'cloudflare:test';
import type { Role } from '../../domain/authz';
import { currentTotp } from '../../durable/operator/mfa';
import type { OperatorDO } from '../../durable/operator/operator-do';
import { call, uniqueEmail, type CallOpts, type Json } from './helpers';

export const BOOTSTRAP = 'Bootstrap test-only-bootstrap-token-0123456789';
export const OP_PASSWORD = 'operator-password-123';

export type Operator = { token: string; operatorId: string; email: string; secret: string; recoveryCodes: string[]; roles: Role[] };

export function operatorObject(operatorId: string): DurableObjectStub<OperatorDO> {
  return env.OPERATOR.getByName(operatorId) as DurableObjectStub<OperatorDO>;
}

/** Moves an operator object's clock (sessions, TOTP steps, lockout windows) instead of sleeping. */
export async function advanceOperator(operatorId: string, ms: number): Promise<void> {
  await runInDurableObject(operatorObject(operatorId), (o: OperatorDO) => { o.clockOffsetMs += ms; });
}

export async function operatorNow(operatorId: string): Promise<number> {
  return runInDurableObject(operatorObject(operatorId), (o: OperatorDO) => Date.now() + o.clockOffsetMs);
}

export function opCall(method: string, path: string, op: { token: string } | null, body?: unknown, opts: CallOpts = {}) {
  return call(method, path, body, { ...opts, token: op?.token });
}

/** Password, then the enrolment code: a fresh operator's first login. */
export async function firstLogin(email: string, password = OP_PASSWORD): Promise<{ token: string; secret: string; recoveryCodes: string[]; operatorId: string; body: Json }> {
  const step1 = await call('POST', '/v1/ops/sessions', { email, password });
  if (step1.status !== 200 || !step1.body.enrolment) throw new Error(`login step 1: ${step1.status} ${JSON.stringify(step1.body)}`);
  const secret = step1.body.enrolment.secret as string;
  const step2 = await call('POST', '/v1/ops/sessions/mfa', { challenge_token: step1.body.challenge_token, code: currentTotp(secret) });
  if (step2.status !== 201) throw new Error(`login step 2: ${step2.status} ${JSON.stringify(step2.body)}`);
  return { token: step2.body.token, secret, recoveryCodes: step1.body.enrolment.recovery_codes, operatorId: step2.body.operator.operator_id, body: step2.body };
}

/**
 * An enrolled admin. The first call of a test file uses the real bootstrap route when no operator
 * exists yet; later calls (and files that share storage) create one through the admin API.
 */
let firstAdmin: Operator | null = null;
export async function bootstrapAdmin(): Promise<Operator> {
  if (firstAdmin) return createOperator(firstAdmin, { roles: ['admin'], brands: ['*'], jurisdictions: ['*'], vip_clearance: true });
  firstAdmin = await bootstrapFirstAdmin();
  return firstAdmin;
}

async function bootstrapFirstAdmin(): Promise<Operator> {
  const email = uniqueEmail('admin');
  const r = await call('POST', '/v1/ops/bootstrap', { email, display_name: 'First Admin', password: OP_PASSWORD }, { headers: { Authorization: BOOTSTRAP } });
  if (r.status !== 201) throw new Error(`bootstrap: ${r.status} ${JSON.stringify(r.body)}`);
  const secret = r.body.challenge.enrolment.secret as string;
  const done = await call('POST', '/v1/ops/sessions/mfa', { challenge_token: r.body.challenge.challenge_token, code: currentTotp(secret) });
  if (done.status !== 201) throw new Error(`bootstrap mfa: ${done.status} ${JSON.stringify(done.body)}`);
  return { token: done.body.token, operatorId: r.body.operator.operator_id, email, secret, recoveryCodes: r.body.challenge.enrolment.recovery_codes, roles: ['admin'] };
}

export type OperatorSpec = { roles: Role[]; brands?: string[]; jurisdictions?: string[]; vip_clearance?: boolean; email?: string };

export async function createOperator(admin: { token: string }, spec: OperatorSpec): Promise<Operator> {
  const email = spec.email ?? uniqueEmail(spec.roles.join('-'));
  const r = await call('POST', '/v1/ops/operators', {
    email, display_name: `${spec.roles.join('+')} test`, password: OP_PASSWORD, roles: spec.roles,
    brands: spec.brands ?? ['aurora'], jurisdictions: spec.jurisdictions ?? ['*'], vip_clearance: spec.vip_clearance ?? false,
  }, { token: admin.token });
  if (r.status !== 201) throw new Error(`create operator: ${r.status} ${JSON.stringify(r.body)}`);
  const login = await firstLogin(email);
  return { token: login.token, operatorId: login.operatorId, email, secret: login.secret, recoveryCodes: login.recoveryCodes, roles: spec.roles };
}

/** Today's audit entries of a shard, read through the API as the given admin. */
export async function auditEntries(admin: { token: string }, brand: string): Promise<Json[]> {
  const day = new Date().toISOString().slice(0, 10);
  const r = await call('GET', `/v1/ops/brands/${brand}/audit?day=${day}&limit=500`, undefined, { token: admin.token });
  if (r.status !== 200) throw new Error(`audit: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.entries as Json[];
}

export type Crew = { admin: Operator; operator: Operator; compliance: Operator };

/** The usual back-office staff of a test: the first admin, an operator and a compliance officer (brand aurora). */
export async function backOfficeCrew(): Promise<Crew> {
  const admin = await bootstrapAdmin();
  return { admin, operator: await createOperator(admin, { roles: ['operator'] }), compliance: await createOperator(admin, { roles: ['compliance_officer'] }) };
}

/** A live table's crew on the aurora brand: a dealer (opens rounds, records results) and a floor operator (voids rounds). */
export async function tableCrew(): Promise<{ dealer: Operator; floor: Operator }> {
  const admin = await bootstrapAdmin();
  return { dealer: await createOperator(admin, { roles: ['dealer'], brands: ['aurora'] }), floor: await createOperator(admin, { roles: ['operator'], brands: ['aurora'] }) };
}
