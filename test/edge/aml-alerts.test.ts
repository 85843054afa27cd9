/**
 * The AML decision loop at the edge (domain/aml.ts, docs/aml.md): POST /internal/v1/aml-alerts
 * raises the warehouse's alerts in the brand's ops object (own secret, bounded batches, once per
 * alert_id), and operators decide them through POST /v1/ops/brands/{brand}/alerts/{id}/resolve: a
 * decision from the fixed set (required for AML alerts), ops.alert.resolved in the same transaction,
 * the note in the audit log; twice is 409 and a bad decision 422, both changing nothing.
 */
import { SELF, env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { AML_BATCH_MAX, type AmlAlertItem } from '../../domain/aml-publish';
import { validateEvent, type CasinoEvent } from '../../domain/events';
import { signRequest } from '../../domain/signed-request';
import { brandOpsName } from '../../durable/brand-ops/types';
import { call, expectError, register, type Json } from './helpers';
import { auditEntries, bootstrapAdmin, createOperator, type Operator } from './ops-helpers';

const SECRET = 'test-only-aml-publish-secret-0123456789abcdef';
const PATH = '/internal/v1/aml-alerts';
const BRAND = '/v1/ops/brands/aurora';
const T = Date.UTC(2026, 10, 2, 9, 0, 0);

const hex32 = () => crypto.randomUUID().replaceAll('-', '');

function item(playerId: string, over: Partial<AmlAlertItem> = {}): AmlAlertItem {
  return {
    alert_id: hex32(), player_id: playerId, brand: 'aurora', rule: 'structuring', severity: 'high', jurisdiction: 'MT', currency: 'EUR',
    window_start: T, window_end: T + 9 * 3_600_000, summary: '3 deposits just under the MT threshold of 2000.00 EUR on 2026-11-02, totalling 5999.97 EUR', ...over,
  };
}

async function post(body: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> {
  const res = await SELF.fetch(`https://casino.test${PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

async function publish(items: unknown, opts: { secret?: string; action?: string } = {}) {
  const body = JSON.stringify({ items });
  return post(body, await signRequest(opts.secret ?? SECRET, opts.action ?? 'aml-alerts', body));
}

const ops = () => env.BRAND_OPS.getByName(brandOpsName('aurora'));

async function opsEvents(alertId: string, type?: string): Promise<CasinoEvent[]> {
  const rows = await ops().outbox(0, 1000);
  return rows.map((r: { event: CasinoEvent }) => r.event).filter((e: CasinoEvent) => (e.payload as { alert_id?: string }).alert_id === alertId && (!type || e.event_type === type));
}

const resolve = (op: Operator, alertId: string, body: Json) => call('POST', `${BRAND}/alerts/${alertId}/resolve`, body, { token: op.token });

let admin: Operator;
let operator: Operator;
let compliance: Operator;
let playerId: string;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  operator = await createOperator(admin, { roles: ['operator'] });
  compliance = await createOperator(admin, { roles: ['compliance_officer'] });
  playerId = (await register({ brand: 'aurora' })).playerId;
});

describe('POST /internal/v1/aml-alerts: authentication and bounds', () => {
  it('refuses a missing, wrong or other route\'s signature with 401 and raises nothing', async () => {
    const a = item(playerId);
    const body = JSON.stringify({ items: [a] });
    expectError(await post(body, {}), 401, 'invalid_signature');
    // the segments route's secret, or this secret for the segments action: neither authenticates here
    expectError(await publish([a], { secret: 'test-only-segments-publish-secret-0123456789' }), 401, 'invalid_signature');
    expectError(await publish([a], { action: 'segments' }), 401, 'invalid_signature');
    const signed = await signRequest(SECRET, 'aml-alerts', body);
    expectError(await post(body.replace('structuring', 'velocity'), signed), 401, 'invalid_signature');
    expect(await ops().alert(a.alert_id)).toBeNull();
    expect(await opsEvents(a.alert_id)).toEqual([]);
  });

  it(`refuses more than ${AML_BATCH_MAX} alerts (422 batch_too_large) and a malformed or repeated item (400), raising none`, async () => {
    const many = Array.from({ length: AML_BATCH_MAX + 1 }, () => item(playerId));
    const r = await publish(many);
    expectError(r, 422, 'batch_too_large');
    expect(r.body.error.details).toMatchObject({ max_items: AML_BATCH_MAX, items: AML_BATCH_MAX + 1 });
    expect(await ops().alert(many[0]!.alert_id)).toBeNull();

    const good = item(playerId);
    expectError(await publish([good, item(playerId, { rule: 'smurfing' as never })]), 400, 'validation_failed');
    expectError(await publish([good, { ...item(playerId), alert_id: good.alert_id }]), 400, 'validation_failed');
    expectError(await publish([good, item(playerId, { brand: 'no-such-brand' })]), 400, 'validation_failed');
    expectError(await publish([item(playerId, { window_start: T + 1, window_end: T })]), 400, 'validation_failed');
    expect(await ops().alert(good.alert_id)).toBeNull();
  });

  it('accepts a full batch of 500 in one request', async () => {
    const full = Array.from({ length: AML_BATCH_MAX }, () => item(playerId, { severity: 'low' }));
    const r = await publish(full);
    expect(r.status).toBe(200);
    expect(r.body.summary).toEqual({ raised: AML_BATCH_MAX, duplicate: 0, unknown_player: 0 });
  });
});

describe('POST /internal/v1/aml-alerts: raising once per alert_id', () => {
  it('raises an alert with rule aml.<rule> under the warehouse\'s id; re-sending changes nothing', async () => {
    const a = item(playerId);
    const first = await publish([a]);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ results: [{ alert_id: a.alert_id, outcome: 'raised' }], summary: { raised: 1, duplicate: 0, unknown_player: 0 } });
    const raised = await ops().alert(a.alert_id);
    expect(raised).toMatchObject({
      alert_id: a.alert_id, rule: 'aml.structuring', severity: 'high', player_id: playerId, jurisdiction: 'MT', currency: 'EUR',
      summary: a.summary, evidence: [], state: 'open', occurred_at: a.window_end, decision: null,
    });
    const events = await opsEvents(a.alert_id);
    expect(events.map((e) => [e.event_type, e.payload])).toEqual([['ops.alert.raised', { alert_id: a.alert_id, brand: 'aurora', rule: 'aml.structuring', severity: 'high', summary: a.summary }]]);
    expect(validateEvent(events[0]!)).toMatchObject({ ok: true });

    // again, and again with another summary and severity: the alert as first raised, no second event
    const again = await publish([a]);
    expect(again.body.results).toEqual([{ alert_id: a.alert_id, outcome: 'duplicate' }]);
    expect((await publish([{ ...a, summary: 'changed', severity: 'low' }])).body.results).toEqual([{ alert_id: a.alert_id, outcome: 'duplicate' }]);
    expect(await ops().alert(a.alert_id)).toEqual(raised);
    expect(await opsEvents(a.alert_id)).toHaveLength(1);
  });

  it('reports a player neither the brand nor the warehouse can place (no jurisdiction) as unknown_player, not raised', async () => {
    const a = item(crypto.randomUUID(), { jurisdiction: null });
    expect((await publish([a])).body.results).toEqual([{ alert_id: a.alert_id, outcome: 'unknown_player' }]);
    expect(await ops().alert(a.alert_id)).toBeNull();
  });

  it('is not in the public OpenAPI document', async () => {
    const doc = await call('GET', '/v1/openapi.json');
    expect(JSON.stringify(doc.body)).not.toContain('aml-alerts');
  });
});

describe('deciding an alert', () => {
  it('an AML alert needs a decision from the set: none is 422 decision_required, another 422 invalid_decision; neither changes anything', async () => {
    const a = item(playerId, { rule: 'velocity', severity: 'medium' });
    await publish([a]);
    const before = await ops().alert(a.alert_id);
    expectError(await resolve(compliance, a.alert_id, { note: 'looked at it' }), 422, 'decision_required');
    const bad = await resolve(compliance, a.alert_id, { note: 'looked at it', decision: 'ignore' });
    expectError(bad, 422, 'invalid_decision');
    expect(bad.body.error.details.decisions).toEqual(['no_action', 'false_positive', 'escalated', 'reported']);
    expect(await ops().alert(a.alert_id)).toEqual(before);
    expect((await opsEvents(a.alert_id, 'ops.alert.resolved'))).toEqual([]);
  });

  it('decides once: the state, ops.alert.resolved (same transaction), the note in the audit log; twice is 409 and changes nothing', async () => {
    const a = item(playerId, { rule: 'deposit_withdraw' });
    await publish([a]);
    const note = `source of funds asked; escalated to the MLRO ${hex32().slice(0, 6)}`;
    const r = await resolve(compliance, a.alert_id, { note, decision: 'escalated' });
    expect(r.status).toBe(200);
    const actor = `operator:${compliance.operatorId}`;
    expect(r.body.alert).toMatchObject({ alert_id: a.alert_id, rule: 'aml.deposit_withdraw', state: 'resolved', decision: 'escalated', resolved_by: actor, note });
    const decided = await ops().alert(a.alert_id);
    expect(decided).toEqual(r.body.alert);
    const resolved = await opsEvents(a.alert_id, 'ops.alert.resolved');
    expect(resolved).toHaveLength(1);
    expect(validateEvent(resolved[0]!)).toMatchObject({ ok: true });
    expect(resolved[0]).toMatchObject({
      player_id: playerId, jurisdiction: 'MT',
      payload: { alert_id: a.alert_id, brand: 'aurora', rule: 'aml.deposit_withdraw', decision: 'escalated', actor, resolved_at: decided!.resolved_at },
    });
    // the note is the audit log's, not the event's
    expect(JSON.stringify(resolved[0]!.payload)).not.toContain('MLRO');
    const audit = (await auditEntries(admin, 'aurora')).filter((e) => e.action === 'alert.resolve' && e.target_id === a.alert_id);
    expect(audit).toMatchObject([{ outcome: 'allowed', reason: note, actor_id: compliance.operatorId }]);

    // again, by another operator and with another decision: 409, the first decision stands
    const twice = await resolve(operator, a.alert_id, { note: 'closing it', decision: 'no_action' });
    expectError(twice, 409, 'invalid_state');
    expect(twice.body.error.details).toMatchObject({ decision: 'escalated', resolved_by: actor });
    expect(await ops().alert(a.alert_id)).toEqual(decided);
    expect(await opsEvents(a.alert_id, 'ops.alert.resolved')).toHaveLength(1);
    // and a re-sent alert does not reopen it
    expect((await publish([a])).body.results).toEqual([{ alert_id: a.alert_id, outcome: 'duplicate' }]);
    expect(await ops().alert(a.alert_id)).toEqual(decided);
  });

  it('needs alert.resolve on the brand: an analyst, an operator of another brand and no token are refused, nothing changes', async () => {
    const a = item(playerId, { rule: 'payment_providers', severity: 'low' });
    await publish([a]);
    const before = await ops().alert(a.alert_id);
    const analyst = await createOperator(admin, { roles: ['analyst'] });
    const elsewhere = await createOperator(admin, { roles: ['compliance_officer'], brands: ['nova'] });
    expectError(await resolve(analyst, a.alert_id, { note: 'closing', decision: 'no_action' }), 403, 'forbidden');
    expectError(await resolve(elsewhere, a.alert_id, { note: 'closing', decision: 'no_action' }), 403, 'forbidden');
    expectError(await call('POST', `${BRAND}/alerts/${a.alert_id}/resolve`, { note: 'closing', decision: 'no_action' }), 401, 'unauthenticated');
    expect(await ops().alert(a.alert_id)).toEqual(before);
    // the operator role may: and sees the AML alert in the list first
    const open = await call('GET', `${BRAND}/alerts?state=open&limit=200`, undefined, { token: operator.token });
    expect(open.body.alerts.some((x: Json) => x.alert_id === a.alert_id && x.rule === 'aml.payment_providers')).toBe(true);
    expect((await resolve(operator, a.alert_id, { note: 'same provider group, one wallet', decision: 'false_positive' })).status).toBe(200);
  });
});
