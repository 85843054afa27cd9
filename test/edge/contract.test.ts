/** The public contract: the OpenAPI document, and every emitted event against its schema. */
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events';
import { call, deposit, player, register } from './helpers';

describe('OpenAPI document', () => {
  it('describes every public path of the edge core', async () => {
    const r = await call('GET', '/v1/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const paths = Object.keys(r.body.paths);
    for (const p of ['/v1/players', '/v1/sessions', '/v1/sessions/current', '/v1/players/me', '/v1/wallet', '/v1/wallet/ledger',
      '/v1/wallet/deposits', '/v1/wallet/withdrawals', '/v1/payments/webhook/{provider}', '/v1/limits', '/v1/limits/{kind}',
      '/v1/cool-off', '/v1/self-exclusion', '/v1/health',
      '/v1/tournaments', '/v1/tournaments/{tournament_id}/join', '/v1/tournaments/{tournament_id}/leaderboard', '/v1/tables/{table_id}/leaderboard']) {
      expect(paths).toContain(p);
    }
    const dep = r.body.paths['/v1/wallet/deposits'].post;
    expect(dep.parameters.map((x: any) => x.name)).toContain('idempotency-key');
    expect(dep.responses['409'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    // every operation with a body declares the 415 of a body sent as another media type
    for (const [path, item] of Object.entries(r.body.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (op.requestBody) expect(op.responses['415']?.content['application/json'].schema.$ref, `${method} ${path}`).toBe('#/components/schemas/Error');
      }
    }
    expect(r.body.components.securitySchemes.bearer.scheme).toBe('bearer');
  });

  it('describes the development-only routes in development (test/edge-production/openapi.test.ts: not in production)', async () => {
    const r = await call('GET', '/v1/openapi.json');
    expect(r.body.paths['/v1/dev/rounds'].post.tags).toEqual(['Development']);
    expect(Object.keys(r.body.components.schemas)).toContain('InstantRound');
  });
});

describe('event contract', () => {
  it('every event a player object emits validates against the shared schemas', async () => {
    const p = await register();
    // each step must have happened, or its events would be missing and the check below would pass on less
    expect((await deposit(p.token, 5000)).status).toBe(201);
    expect((await call('PUT', '/v1/limits/loss', { period: 'week', currency: 'EUR', amount_minor: 4000 }, { token: p.token })).status).toBe(200);
    expect((await call('POST', '/v1/dev/rounds', { round_id: 'r1', currency: 'EUR', amount_minor: 100, win_minor: 250 }, { token: p.token })).status).toBe(200);
    expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'AB123' }, { token: p.token })).status).toBe(200);
    expect((await call('POST', '/v1/wallet/withdrawals', { amount_minor: 100, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': 'w1' } })).status).toBe(201);
    expect((await call('POST', '/v1/cool-off', { hours: 24 }, { token: p.token })).status).toBe(200);
    const rows = await player(p.playerId).outbox(0, 1000);
    expect(rows.length).toBeGreaterThan(10);
    for (const { event } of rows) {
      const v = validateEvent(event);
      expect(v, JSON.stringify(event)).toMatchObject({ ok: true });
      expect(event.player_id).toBe(p.playerId);
      expect(event.jurisdiction).toBe('MT');
    }
    const seqs = rows.map((r) => r.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  });
});
