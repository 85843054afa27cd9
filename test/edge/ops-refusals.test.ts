/**
 * Refusals in the back office: a 400's issues have the shape the OpenAPI document gives them (what
 * the panel reads).
 */
import { describe, expect, it } from 'vitest';
import { ErrorResponse } from '../../worker/schemas';
import { call, expectError, register } from './helpers';
import { bootstrapAdmin } from './ops-helpers';

const post = (op: { token: string }, path: string, body: unknown, headers: Record<string, string> = {}) => call('POST', path, body, { token: op.token, headers });

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
