/**
 * Back-office flows through the real API, as operators would run them: queues fed by the players'
 * objects (relay to BrandOpsDO), KYC and withdrawal decisions, four-eyes adjustments, dispute
 * voids, lock/unlock, anomaly alerts, the player export, and the audit log with before/after,
 * its verification endpoint and tamper detection (R7).
 */
import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { auditShardName } from '../../durable/audit/types';
import { call, deposit, expectError, idemKey, player, register, type Json, type Registered } from './helpers';
import { auditEntries, bootstrapAdmin, createOperator, type Operator } from './ops-helpers';

const BRAND = '/v1/ops/brands/aurora';
const today = () => new Date().toISOString().slice(0, 10);

/** The queues are fed asynchronously (PlayerDO relays its outbox); wait for them, never sleep blindly. */
async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  return vi.waitFor(async () => {
    const v = await fn();
    if (!check(v)) throw new Error(`not yet: ${JSON.stringify(v).slice(0, 300)}`);
    return v;
  }, { timeout: 10_000, interval: 50 });
}

const get = (op: Operator, path: string) => call('GET', path, undefined, { token: op.token });
const post = (op: Operator, path: string, body: unknown, headers: Record<string, string> = {}) => call('POST', path, body, { token: op.token, headers });

async function verifiedPlayer(amount = 100_000): Promise<Registered> {
  const p = await register({ brand: 'aurora' });
  expect((await deposit(p.token, amount)).status).toBe(201);
  const kyc = await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token: p.token });
  expect(kyc.status).toBe(200);
  return p;
}

const balance = async (playerId: string) => {
  const r = await player(playerId).inspect();
  if (!r.ok) throw new Error('no player');
  return r.balances.find((b: Json) => b.currency === 'EUR')?.real_minor ?? 0;
};

describe('back office', () => {
  let admin: Operator;
  let operator: Operator;
  let compliance: Operator;

  beforeAll(async () => {
    admin = await bootstrapAdmin();
    operator = await createOperator(admin, { roles: ['operator'] });
    compliance = await createOperator(admin, { roles: ['compliance_officer'] });
  });

  it('KYC queue: a pending submission shows up, and the decision takes it out, with the reason audited', async () => {
    const p = await register({ brand: 'aurora' });
    expect((await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P7654321', sandbox_outcome: 'pending' }, { token: p.token })).status).toBe(200);
    await eventually(() => get(compliance, `${BRAND}/queues/kyc`), (r) => r.body.items.some((i: Json) => i.player_id === p.playerId));
    expectError(await post(compliance, `/v1/ops/players/${p.playerId}/kyc-decision`, { decision: 'approve' }), 400, 'validation_failed');
    const r = await post(compliance, `/v1/ops/players/${p.playerId}/kyc-decision`, { decision: 'approve', reason: 'passport checked against selfie' });
    expect(r.status).toBe(200);
    expect((await player(p.playerId).inspect() as Json).player.kyc_status).toBe('verified');
    await eventually(() => get(compliance, `${BRAND}/queues/kyc`), (q) => !q.body.items.some((i: Json) => i.player_id === p.playerId));
    expectError(await post(compliance, `/v1/ops/players/${p.playerId}/kyc-decision`, { decision: 'reject', reason: 'second thoughts' }), 409, 'invalid_state');
    const entry = (await auditEntries(admin, 'aurora')).find((e) => e.action === 'kyc.approve' && e.target_id === p.playerId);
    expect(entry).toMatchObject({ actor_id: compliance.operatorId, reason: 'passport checked against selfie', outcome: 'allowed' });
    expect(JSON.parse(entry!.before)).toEqual({ kyc_status: 'pending' });
  });

  it('withdrawal queue: approve then mark paid; reject returns the funds', async () => {
    const p = await verifiedPlayer(20_000);
    const w1 = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 5_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    const w2 = await call('POST', '/v1/wallet/withdrawals', { amount_minor: 3_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } });
    expect([w1.status, w2.status]).toEqual([201, 201]);
    const id1 = w1.body.withdrawal.withdrawal_id as string;
    const id2 = w2.body.withdrawal.withdrawal_id as string;
    await eventually(() => get(operator, `${BRAND}/queues/withdrawals`), (q) => [id1, id2].every((id) => q.body.items.some((i: Json) => i.withdrawal_id === id)));
    expect((await post(operator, `/v1/ops/players/${p.playerId}/withdrawals/${id1}/decision`, { decision: 'approve', reason: 'KYC ok, no bonus' })).status).toBe(200);
    expect((await post(operator, `/v1/ops/players/${p.playerId}/withdrawals/${id1}/paid`, { reason: 'bank transfer sent' })).status).toBe(200);
    expect((await post(operator, `/v1/ops/players/${p.playerId}/withdrawals/${id2}/decision`, { decision: 'reject', reason: 'name mismatch on account' })).status).toBe(200);
    expect(await balance(p.playerId)).toBe(15_000);
    await eventually(() => get(operator, `${BRAND}/queues/withdrawals`), (q) => !q.body.items.some((i: Json) => [id1, id2].includes(i.withdrawal_id)));
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('adjustments: small ones apply at once; large ones wait for a second operator (four eyes)', async () => {
    const p = await verifiedPlayer(10_000);
    const small = await post(operator, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: 1_500, reason: 'goodwill for outage' }, { 'Idempotency-Key': idemKey() });
    expect(small.status).toBe(201);
    expect(await balance(p.playerId)).toBe(11_500);

    const key = idemKey();
    const large = await post(operator, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: 75_000, reason: 'jackpot paid manually' }, { 'Idempotency-Key': key });
    expect(large.status).toBe(201);
    expect(large.body).toMatchObject({ replayed: false, adjustment: { adjustment_id: expect.any(String), state: 'pending', amount_minor: 75_000, requested_by: `operator:${operator.operatorId}` } });
    const adjustmentId = large.body.adjustment.adjustment_id as string;
    expect(await balance(p.playerId)).toBe(11_500); // not yet
    // retry with the same key: the same pending adjustment, nothing new
    const retry = await post(operator, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: 75_000, reason: 'jackpot paid manually' }, { 'Idempotency-Key': key });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ replayed: true, adjustment: { adjustment_id: adjustmentId, state: 'pending' } });
    await eventually(() => get(compliance, `${BRAND}/queues/adjustments`), (q) => q.body.items.some((i: Json) => i.adjustment_id === adjustmentId));

    // the requester may not approve (they lack the permission), and an admin who requested may not approve their own
    expectError(await post(operator, `/v1/ops/players/${p.playerId}/adjustments/${adjustmentId}/decision`, { decision: 'approve', reason: 'me again' }), 403, 'forbidden');
    const own = await post(admin, `/v1/ops/players/${p.playerId}/adjustments`, { currency: 'EUR', amount_minor: 60_000, reason: 'admin self-test' }, { 'Idempotency-Key': idemKey() });
    expect(own.status).toBe(201);
    expect(own.body.adjustment).toMatchObject({ state: 'pending', requested_by: `operator:${admin.operatorId}` });
    const ownId = own.body.adjustment.adjustment_id as string;
    expectError(await post(admin, `/v1/ops/players/${p.playerId}/adjustments/${ownId}/decision`, { decision: 'approve', reason: 'approving my own' }), 403, 'four_eyes_violation');
    expect(await balance(p.playerId)).toBe(11_500);

    const approved = await post(compliance, `/v1/ops/players/${p.playerId}/adjustments/${adjustmentId}/decision`, { decision: 'approve', reason: 'verified against provider report' });
    expect(approved.status).toBe(200);
    expect(await balance(p.playerId)).toBe(86_500);
    expect((await post(compliance, `/v1/ops/players/${p.playerId}/adjustments/${ownId}/decision`, { decision: 'reject', reason: 'test adjustment' })).status).toBe(200);
    expect(await balance(p.playerId)).toBe(86_500);
    await eventually(() => get(compliance, `${BRAND}/queues/adjustments`), (q) => !q.body.items.some((i: Json) => [adjustmentId, ownId].includes(i.adjustment_id)));
    expect(await player(p.playerId).audit()).toEqual([]);

    const ledger = await get(operator, `/v1/ops/players/${p.playerId}/ledger`);
    expect(ledger.status).toBe(200);
    const entries = (await auditEntries(admin, 'aurora')).filter((e) => e.target_id === p.playerId && e.action.startsWith('adjustment.'));
    expect(entries.map((e) => `${e.action}:${e.outcome}`)).toEqual(expect.arrayContaining(['adjustment.request:allowed', 'adjustment.approve:allowed', 'adjustment.reject:allowed', 'adjustment.approve:denied']));
    expect(entries.find((e) => e.actor_id === admin.operatorId && e.action === 'adjustment.approve')).toMatchObject({ outcome: 'denied', reason: expect.stringContaining('four eyes') });
  });

  it('disputes: voiding a settled losing bet refunds the stake by a new entry; voiding twice is refused', async () => {
    const p = await verifiedPlayer(10_000);
    const round = await call('POST', '/v1/dev/rounds', { round_id: 'dispute-1', currency: 'EUR', amount_minor: 2_000, win_minor: 0 }, { token: p.token });
    expect(round.status).toBe(200);
    expect(await balance(p.playerId)).toBe(8_000);
    const before = (await get(operator, `/v1/ops/players/${p.playerId}/ledger`)).body;
    const r = await post(operator, `/v1/ops/players/${p.playerId}/disputes`, { hold_id: 'instant:dispute-1', resolution: 'void', reason: 'game froze, provider confirmed' }, { 'Idempotency-Key': idemKey() });
    expect(r.status).toBe(201);
    expect(await balance(p.playerId)).toBe(10_000);
    const again = await post(operator, `/v1/ops/players/${p.playerId}/disputes`, { hold_id: 'instant:dispute-1', resolution: 'void', reason: 'double click' }, { 'Idempotency-Key': idemKey() });
    expectError(again, 409, 'invalid_state');
    expect(await balance(p.playerId)).toBe(10_000);
    const after = (await get(operator, `/v1/ops/players/${p.playerId}/ledger`)).body;
    expect(after.entries.length).toBe(before.entries.length + 1);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('lock and unlock: the player is out at once and back after unlock; both audited', async () => {
    const p = await verifiedPlayer(5_000);
    expect((await post(operator, `/v1/ops/players/${p.playerId}/lock`, { reason: 'suspected account takeover' })).status).toBe(200);
    expect((await call('GET', '/v1/wallet', undefined, { token: p.token })).status).toBe(401);
    expectError(await call('POST', '/v1/sessions', { email: p.email, password: p.password }), 403, 'account_locked');
    expect((await post(operator, `/v1/ops/players/${p.playerId}/unlock`, { reason: 'owner verified by phone' })).status).toBe(200);
    expect((await call('POST', '/v1/sessions', { email: p.email, password: p.password })).status).toBe(201);
    const actions = (await auditEntries(admin, 'aurora')).filter((e) => e.target_id === p.playerId).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['player.lock', 'player.unlock']));
  });

  it('anomaly alerts: a large win and a rapid deposit-withdraw raise alerts that can be resolved once', async () => {
    const p = await verifiedPlayer(100_000);
    expect((await call('POST', '/v1/dev/rounds', { round_id: 'big-1', currency: 'EUR', amount_minor: 1_000, win_minor: 600_000 }, { token: p.token })).status).toBe(200);
    expect((await call('POST', '/v1/wallet/withdrawals', { amount_minor: 90_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } })).status).toBe(201);
    const alerts = await eventually(() => get(operator, `${BRAND}/alerts`), (r) => ['large_win', 'rapid_deposit_withdraw'].every((rule) => r.body.alerts.some((a: Json) => a.player_id === p.playerId && a.rule === rule)));
    const big = alerts.body.alerts.find((a: Json) => a.player_id === p.playerId && a.rule === 'large_win');
    expect(big.summary).toMatch(/^Win of 6000\.00 EUR credited \(win instant-win:big-1;/);
    expect((await post(operator, `${BRAND}/alerts/${big.alert_id}/resolve`, { note: 'checked: legitimate slot jackpot' })).status).toBe(200);
    expectError(await post(operator, `${BRAND}/alerts/${big.alert_id}/resolve`, { note: 'again' }), 409, 'invalid_state');
    const resolved = await get(operator, `${BRAND}/alerts?state=resolved`);
    expect(resolved.body.alerts.some((a: Json) => a.alert_id === big.alert_id)).toBe(true);
  });

  it('search and export: masked without PII rights, audited either way', async () => {
    const p = await register({ brand: 'aurora' });
    const prefix = p.email.slice(0, 12);
    const found = await eventually(() => get(operator, `${BRAND}/players?q=${encodeURIComponent(prefix)}`), (r) => r.body.players.some((x: Json) => x.player_id === p.playerId));
    expect(found.body.players.find((x: Json) => x.player_id === p.playerId).email).not.toBe(p.email);
    const analyst = await createOperator(admin, { roles: ['analyst'] });
    const masked = await call('GET', `${BRAND}/exports/players.csv`, undefined, { token: analyst.token });
    expect(masked.status).toBe(200);
    expect(masked.body.raw).toMatch(/^player_id,email,/);
    expect(masked.body.raw).not.toContain(p.email);
    const full = await call('GET', `${BRAND}/exports/players.csv`, undefined, { token: compliance.token });
    expect(full.body.raw).toContain(p.email);
    const exports = (await auditEntries(admin, 'aurora')).filter((e) => e.action === 'export.players');
    expect(exports.map((e) => e.actor_id)).toEqual(expect.arrayContaining([analyst.operatorId, compliance.operatorId]));
  });

  it('export: an email a spreadsheet would read as a formula is neutralised (leading apostrophe, quoted), masked or not', async () => {
    const email = `-2+3.${crypto.randomUUID().slice(0, 8)}@example.test`; // a valid address, and "=-2+3..." to a spreadsheet
    const p = await register({ brand: 'aurora', email });
    await eventually(() => get(compliance, `${BRAND}/players?q=${encodeURIComponent(p.playerId)}`), (r) => r.body.players?.some((x: Json) => x.player_id === p.playerId));
    const rowOf = (csv: string) => csv.split('\r\n').find((line) => line.startsWith(`${p.playerId},`))!;
    const full = await get(compliance, `${BRAND}/exports/players.csv`);
    expect(full.status).toBe(200);
    const row = rowOf(full.body.raw);
    expect(row.split(',')[1]).toBe(`"'${email}"`);
    expect(row).not.toContain(`,${email}`);
    expect(row).not.toContain(`,"${email}`);
    const analyst = await createOperator(admin, { roles: ['analyst'] });
    const masked = rowOf((await get(analyst, `${BRAND}/exports/players.csv`)).body.raw);
    expect(masked.split(',')[1]).toBe(`"'-***@e***.test"`);
  });

  it('timeline lists the player\'s events newest first', async () => {
    const p = await verifiedPlayer(3_000);
    const t = await get(operator, `/v1/ops/players/${p.playerId}/timeline?limit=10`);
    expect(t.status).toBe(200);
    const types = (t.body.events as Json[]).map((e) => e.event.event_type);
    expect(types).toContain('player.registered');
    expect(types.indexOf('player.kyc.changed')).toBeLessThan(types.indexOf('player.registered'));
  });
});

describe('audit log verification (R7)', () => {
  it('verifies today\'s chain, and reports an edited or deleted entry', async () => {
    const admin = await bootstrapAdmin();
    const op = await createOperator(admin, { roles: ['operator'] });
    const p = await register({ brand: 'aurora' });
    for (let i = 0; i < 3; i++) expect((await post(op, `/v1/ops/players/${p.playerId}/lock`, { reason: `lock number ${i}` })).status).toBe(200);
    const verify = () => get(admin, `${BRAND}/audit/verify?from=${today()}&to=${today()}`);
    const ok = await verify();
    expect(ok.status).toBe(200);
    expect(ok.body.ok).toBe(true);

    const shard = auditShardName('aurora', Date.now());
    const stub = env.AUDIT.getByName(shard);
    const rows = await runInDurableObject(stub, (_o, state) => state.storage.sql.exec('select seq from entries order by seq').toArray() as { seq: number }[]);
    const middle = rows[Math.floor(rows.length / 2)]!.seq;
    await runInDurableObject(stub, (_o, state) => {
      for (const t of state.storage.sql.exec(`select name from sqlite_master where type = 'trigger'`).toArray()) state.storage.sql.exec(`drop trigger ${t.name as string}`);
      state.storage.sql.exec(`update entries set reason = 'nothing to see here' where seq = ?`, middle);
    });
    const edited = await verify();
    expect(edited.body.ok).toBe(false);
    expect(edited.body.days[0].problem).toEqual({ seq: middle, reason: 'hash mismatch: entry was edited' });

    await runInDurableObject(stub, (_o, state) => { state.storage.sql.exec('delete from entries where seq = ?', middle); });
    const removed = await verify();
    expect(removed.body.ok).toBe(false);
    expect(removed.body.days[0].problem).toEqual({ seq: middle, reason: `seq gap: entry ${middle} missing` });
  });
});
