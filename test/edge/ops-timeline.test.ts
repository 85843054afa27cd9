/**
 * The timeline through the API: each event comes with `shown`, what the panel prints: amounts in
 * major units, UTC times, operators by their staff-directory display name and the player by masked
 * email, each with the raw value or id as `title`.
 */
import { describe, expect, it } from 'vitest';
import { call, deposit, idemKey, register, type Json } from './helpers';
import { bootstrapAdmin, createOperator } from './ops-helpers';

describe('GET /v1/ops/players/{id}/timeline', () => {
  it('shows amounts, times and who acted, by name, with the ids on hover', async () => {
    const admin = await bootstrapAdmin();
    const operator = await createOperator(admin, { roles: ['operator'] });
    const p = await register({ brand: 'aurora', email: `timeline.reader.${idemKey()}@players.example` });
    await deposit(p.token, 18_000);
    expect((await call('POST', `/v1/ops/players/${p.playerId}/lock`, { reason: 'ticket 1001' }, { token: operator.token })).status).toBe(200);
    expect((await call('POST', `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: 1_234, reason: 'goodwill, ticket 1002' }, { token: operator.token, headers: { 'Idempotency-Key': idemKey() } })).status).toBe(201);

    const r = await call('GET', `/v1/ops/players/${p.playerId}/timeline`, undefined, { token: operator.token });
    expect(r.status).toBe(200);
    const of = (type: string) => (r.body.events as Json[]).find((e) => e.event.event_type === type)!;
    const fields = (type: string) => Object.fromEntries((of(type).shown.fields as Json[]).map((f) => [f.name, { text: f.text, title: f.title }]));

    const deposited = of('wallet.deposit.completed');
    expect(deposited.shown.at.text).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(new Date(deposited.shown.at.title).getTime()).toBe(deposited.event.occurred_at);
    expect(fields('wallet.deposit.completed')).toMatchObject({ amount: { text: '180.00 EUR', title: '18000 minor units' }, 'balance after': { text: '180.00 EUR' } });
    expect(fields('player.status.changed').actor).toEqual({ text: 'operator test', title: `operator:${operator.operatorId}` });
    expect(fields('backoffice.adjustment.applied')).toMatchObject({ amount: { text: '12.34 EUR' }, 'requested by': { text: 'operator test', title: `operator:${operator.operatorId}` } });
    // the raw event is there too, unchanged
    expect(of('backoffice.adjustment.applied').event.payload.amount_minor).toBe(1_234);

    // the profile names who acted in its KYC history, adjustments and withdrawals the same way
    const profile = (await call('GET', `/v1/ops/players/${p.playerId}`, undefined, { token: operator.token })).body;
    expect(profile.adjustments[0].requested_by).toBe(`operator:${operator.operatorId}`);
    expect(profile.names).toEqual({ [`operator:${operator.operatorId}`]: 'operator test', [`player:${p.playerId}`]: expect.stringMatching(/^t\*\*\*@p\*\*\*\.example$/) });
    const doc = (await call('GET', '/v1/openapi.json')).body;
    expect(doc.paths['/v1/ops/players/{player_id}/timeline'].get.responses['200'].content['application/json'].schema.$ref).toBe('#/components/schemas/TimelinePage');
  });
});
