/**
 * Refusals in the back office: an operator action that was allowed but refused by the rules of
 * money and state leaves an audit entry with outcome 'failed' and the refusal's code (docs/back-office.md,
 * "Audit log"), for every money-moving action; and a 400's issues have the shape the OpenAPI
 * document gives them (what the panel reads).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../worker/schemas';
import { call, deposit, expectError, idemKey, type Json, type Registered, register } from './helpers';
import { auditEntries, backOfficeCrew, bootstrapAdmin, type Operator } from './ops-helpers';

const post = (op: Operator, path: string, body: unknown, headers: Record<string, string> = {}) => call('POST', path, body, { token: op.token, headers });

async function verifiedPlayer(amount: number): Promise<Registered> {
  const p = await register({ brand: 'aurora' });
  await deposit(p.token, amount);
  expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token: p.token })).status).toBe(200);
  return p;
}

/** The player's audit entries of one action, `after` parsed. */
async function entriesOf(admin: Operator, playerId: string, action: string): Promise<Json[]> {
  return (await auditEntries(admin, 'aurora'))
    .filter((e) => e.target_id === playerId && e.action === action)
    .map((e) => ({ ...e, after: e.after === null ? null : JSON.parse(e.after) }));
}

describe('refused operator actions are audited as failed', () => {
  let admin: Operator;
  let operator: Operator;
  let compliance: Operator;

  beforeAll(async () => {
    ({ admin, operator, compliance } = await backOfficeCrew());
  });

  it('approving a debit the balance no longer covers: 422, the adjustment stays pending, and the attempt is on record', async () => {
    const p = await verifiedPlayer(70_000);
    const pending = await post(operator, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: -60_000, reason: 'chargeback recovery, ticket 9' }, { 'Idempotency-Key': idemKey() });
    expect(pending.status).toBe(201);
    expect(pending.body.adjustment.state).toBe('pending');
    const id = pending.body.adjustment.adjustment_id as string;
    // the balance falls below the debit before anyone approves it
    expect((await post(operator, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: -20_000, reason: 'fee correction, ticket 10' }, { 'Idempotency-Key': idemKey() })).status).toBe(201);

    const refused = await post(compliance, `/v1/ops/players/${p.playerId}/adjustments/${id}/decision`, { decision: 'approve', reason: 'matches the chargeback report' });
    expectError(refused, 422, 'insufficient_funds');

    const entries = await entriesOf(admin, p.playerId, 'adjustment.approve');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      outcome: 'failed', actor_id: compliance.operatorId, reason: 'matches the chargeback report', brand: 'aurora',
      after: { refused: { code: 'insufficient_funds', status: 422 }, request: { decision: 'approve', path: `/v1/ops/players/${p.playerId}/adjustments/${id}/decision` } },
    });
  });

  it('an adjustment request the balance refuses, a withdrawal decided twice, paying an unapproved one, KYC not pending, a dispute of no bet', async () => {
    const p = await verifiedPlayer(10_000);
    expectError(await post(operator, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: -20_000, reason: 'debit beyond the balance' }, { 'Idempotency-Key': idemKey() }), 422, 'insufficient_funds');

    const w = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 3_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    expect(w.status).toBe(201);
    const wid = w.body.withdrawal.withdrawal_id as string;
    expect((await post(operator, `/v1/ops/players/${p.playerId}/withdrawals/${wid}/decision`, { decision: 'reject', reason: 'name mismatch' })).status).toBe(200);
    const twice = await post(operator, `/v1/ops/players/${p.playerId}/withdrawals/${wid}/decision`, { decision: 'approve', reason: 'second look, approving' });
    expect(twice.status).toBe(409);
    const unpaid = await post(operator, `/v1/ops/players/${p.playerId}/withdrawals/${wid}/paid`, { reason: 'bank transfer sent' });
    expect(unpaid.status).toBe(409);

    expectError(await post(compliance, `/v1/ops/players/${p.playerId}/kyc-decision`, { decision: 'reject', reason: 'already verified though' }), 409, 'invalid_state');
    const dispute = await post(operator, `/v1/ops/players/${p.playerId}/disputes`, { hold_id: 'instant:no-such-round', resolution: 'void', reason: 'player says the round froze' }, { 'Idempotency-Key': idemKey() });
    expect(dispute.status).toBeGreaterThanOrEqual(400);

    const failed = async (action: string) => (await entriesOf(admin, p.playerId, action)).filter((e) => e.outcome === 'failed');
    expect(await failed('adjustment.request')).toMatchObject([{ reason: 'debit beyond the balance', after: { refused: { code: 'insufficient_funds' }, request: { amount_minor: -20_000, currency: 'EUR' } } }]);
    expect(await failed('withdrawal.approve')).toMatchObject([{ reason: 'second look, approving', after: { refused: { code: twice.body.error.code, status: 409 } } }]);
    expect(await failed('withdrawal.paid')).toMatchObject([{ after: { refused: { code: unpaid.body.error.code } } }]);
    expect(await failed('kyc.reject')).toMatchObject([{ actor_id: compliance.operatorId, after: { refused: { code: 'invalid_state' } } }]);
    expect(await failed('dispute.resolve')).toMatchObject([{ after: { refused: { code: dispute.body.error.code }, request: { hold_id: 'instant:no-such-round' } } }]);
    // what was done is recorded once, as allowed, with no failed twin
    expect((await entriesOf(admin, p.playerId, 'withdrawal.reject')).map((e) => e.outcome)).toEqual(['allowed']);
  });

  it('records nothing as failed for a denial (already audited as denied) or a request that never passed validation', async () => {
    const p = await verifiedPlayer(80_000);
    const own = await post(admin, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: 60_000, reason: 'admin self-test' }, { 'Idempotency-Key': idemKey() });
    const id = own.body.adjustment.adjustment_id as string;
    expectError(await post(admin, `/v1/ops/players/${p.playerId}/adjustments/${id}/decision`, { decision: 'approve', reason: 'approving my own' }), 403, 'four_eyes_violation');
    expectError(await post(compliance, `/v1/ops/players/${p.playerId}/adjustments/${id}/decision`, { decision: 'approve', reason: '' }), 400, 'validation_failed');
    const entries = await entriesOf(admin, p.playerId, 'adjustment.approve');
    expect(entries.map((e) => e.outcome)).toEqual(['denied']);
  });
});

describe('validation refusals', () => {
  it('list their issues as the OpenAPI document says: path a dot-joined string, and a message', async () => {
    const admin = await bootstrapAdmin();
    const p = await register({ brand: 'aurora' });
    const r = await post(admin, `/v1/ops/players/${p.playerId}/kyc-decision`, { decision: 'approve', reason: ' ' });
    expectError(r, 400, 'validation_failed');
    const parsed = ErrorResponse.parse(r.body);
    expect(parsed.error.details.issues).toEqual([{ path: 'reason', message: expect.any(String) }]);
    const doc = (await call('GET', '/v1/openapi.json')).body;
    expect(doc.components.schemas.ValidationIssue.properties.path.type).toBe('string');
  });
});
