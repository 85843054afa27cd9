/**
 * The production API description (ENVIRONMENT=production, vitest project `edge-production`):
 * routes served only in development are not described. test/edge/contract.test.ts checks that
 * development's document still has them.
 */
import { describe, expect, it } from 'vitest';
import { call, expectError } from '../edge/helpers';

describe('production OpenAPI document', () => {
  it('the OpenAPI document has no development-only route', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    const paths = Object.keys(doc.paths);
    expect(paths).toContain('/v1/players');
    expect(paths.filter((p) => p.startsWith('/v1/dev'))).toEqual([]);
    const tags = Object.values(doc.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((o) => o.tags ?? []));
    expect(tags).not.toContain('Development');
    // nor the schemas only those routes used
    expect(Object.keys(doc.components.schemas)).not.toContain('InstantRound');
    // the route itself is not there either
    expectError(await call('POST', '/v1/dev/rounds', { round_id: 'r1', currency: 'EUR', amount_minor: 100 }), 404, 'not_found');
  });

});
