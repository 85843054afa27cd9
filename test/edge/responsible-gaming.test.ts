/** Limits, cool-off and self-exclusion: enforced in the call that moves the money. */
import { runDurableObjectAlarm } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { call, deposit, expectError, player, register, advance } from './helpers';

const DAY = 24 * 3_600_000;


function round(token: string, amount: number, id = crypto.randomUUID(), win = 0) {
  return call('POST', '/v1/dev/rounds', { round_id: id, currency: 'EUR', amount_minor: amount, win_minor: win }, { token });
}

describe('deposit limits', () => {
  it('refuse a deposit over the limit in the same call, and count the rolling window', async () => {
    const p = await register();
    const set = await call('PUT', '/v1/limits/deposit', { period: 'day', currency: 'EUR', amount_minor: 5000 }, { token: p.token });
    expect(set.body.limit).toMatchObject({ kind: 'deposit', period: 'day', currency: 'EUR', value: 5000, pending: null });
    expect((await deposit(p.token, 3000)).status).toBe(201);
    const over = await deposit(p.token, 2001);
    expectError(over, 422, 'limit_exceeded');
    expect(over.body.error.details).toMatchObject({ period: 'day', limit_minor: 5000, used_minor: 3000, remaining_minor: 2000 });
    expect((await call('GET', '/v1/wallet', undefined, { token: p.token })).body.balances[0].real_minor).toBe(3000);
    expect((await deposit(p.token, 2000)).status).toBe(201);
    await advance(p.playerId, DAY + 3_600_000);
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect((await deposit(login.body.token, 5000)).status).toBe(201);
  });

  it('decrease applies at once; increase waits 24 h as pending, then applies by alarm', async () => {
    const p = await register();
    await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: 10_000 }, { token: p.token });
    const down = await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: 4000 }, { token: p.token });
    expect(down.body.limit).toMatchObject({ value: 4000, pending: null });
    const up = await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: 20_000 }, { token: p.token });
    expect(up.body.limit.value).toBe(4000);
    expect(up.body.limit.pending.value).toBe(20_000);
    expect(up.body.limit.pending.effective_at - Date.now()).toBeGreaterThan(DAY - 60_000);
    expectError(await deposit(p.token, 5000), 422, 'limit_exceeded');
    const removal = await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: null }, { token: p.token });
    expect(removal.body.limit).toMatchObject({ value: 4000, pending: { value: null } });

    await advance(p.playerId, DAY + 1000);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    const events = (await player(p.playerId).outbox(0, 200)).map((r) => r.event);
    expect(events.filter((e) => e.event_type === 'rg.limit.applied').map((e) => e.payload.value)).toEqual([null]);
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect((await call('GET', '/v1/limits', undefined, { token: login.body.token })).body.limits).toEqual([]);
    expect((await deposit(login.body.token, 50_000)).status).toBe(201);
  });

  it('a limit in one currency does not silently stop applying in another', async () => {
    const p = await register();
    await call('PUT', '/v1/limits/deposit', { period: 'day', currency: 'EUR', amount_minor: 1000 }, { token: p.token });
    expectError(await deposit(p.token, 100, 'BTC'), 422, 'limit_currency_not_covered');
  });
});

describe('wager and loss limits', () => {
  it('are checked when the bet is placed, and wins reduce losses', async () => {
    const p = await register();
    await deposit(p.token, 10_000);
    await call('PUT', '/v1/limits/loss', { period: 'day', currency: 'EUR', amount_minor: 1000 }, { token: p.token });
    expect((await round(p.token, 800)).status).toBe(200);
    expectError(await round(p.token, 300), 422, 'limit_exceeded');
    expect((await round(p.token, 200, undefined, 1000)).status).toBe(200); // loss 800+200-1000 = 0
    expect((await round(p.token, 900)).status).toBe(200);

    await call('PUT', '/v1/limits/wager', { period: 'day', currency: 'EUR', amount_minor: 2000 }, { token: p.token });
    const over = await round(p.token, 101);
    expectError(over, 422, 'limit_exceeded');
    expect(over.body.error.details.kind).toBe('wager');
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('also bind bets placed by tables and providers (RPC)', async () => {
    const p = await register();
    await deposit(p.token, 10_000);
    await call('PUT', '/v1/limits/wager', { period: 'day', currency: 'EUR', amount_minor: 500 }, { token: p.token });
    const stub = player(p.playerId);
    expect(await stub.reserveHold({ hold_id: 't1', currency: 'EUR', amount_minor: 400, expires_at: null, ref: null })).toMatchObject({ ok: true });
    expect(await stub.reserveHold({ hold_id: 't2', currency: 'EUR', amount_minor: 200, expires_at: null, ref: null })).toMatchObject({ ok: false, code: 'limit_exceeded' });
    await stub.voidHold('t1'); // a voided bet gives its wager back
    expect(await stub.reserveHold({ hold_id: 't3', currency: 'EUR', amount_minor: 500, expires_at: null, ref: null })).toMatchObject({ ok: true });
  });
});

describe('cool-off and self-exclusion', () => {
  it('cool-off ends sessions and blocks login, deposits and bets at once, until it ends', async () => {
    const p = await register();
    await deposit(p.token, 1000);
    expectError(await call('POST', '/v1/cool-off', { hours: 23 }, { token: p.token }), 400, 'validation_failed');
    expectError(await call('POST', '/v1/cool-off', { hours: 6 * 7 * 24 + 1 }, { token: p.token }), 400, 'validation_failed');
    const r = await call('POST', '/v1/cool-off', { hours: 24 }, { token: p.token });
    expect(r.status).toBe(200);
    expectError(await call('GET', '/v1/wallet', undefined, { token: p.token }), 401, 'session_expired');
    expectError(await call('POST', '/v1/sessions', { email: p.email, password: p.password }), 403, 'cooling_off');
    expect(await player(p.playerId).reserveHold({ hold_id: 'x', currency: 'EUR', amount_minor: 1, expires_at: null, ref: null })).toMatchObject({ ok: false, code: 'cooling_off' });
    await advance(p.playerId, DAY + 1000);
    for (let i = 0; i < 5 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    expect((await call('POST', '/v1/sessions', { email: p.email, password: p.password })).status).toBe(201);
  });

  it('self-exclusion blocks at once, cannot be lifted early, and only ever gets longer', async () => {
    const p = await register();
    await deposit(p.token, 1000);
    expectError(await call('POST', '/v1/self-exclusion', { months: 5 }, { token: p.token }), 400, 'validation_failed');
    const r = await call('POST', '/v1/self-exclusion', { months: 6 }, { token: p.token });
    expect(r.body.player).toMatchObject({ status: 'self_excluded', self_exclusion_permanent: false });
    expectError(await call('POST', '/v1/sessions', { email: p.email, password: p.password }), 403, 'self_excluded');
    const stub = player(p.playerId);
    expect(await stub.reserveHold({ hold_id: 'x', currency: 'EUR', amount_minor: 1, expires_at: null, ref: null })).toMatchObject({ ok: false, code: 'self_excluded' });
    // no operator switch lifts it early
    expect(await stub.setStatus('active', 'please', 'op:alice')).toMatchObject({ ok: false, code: 'self_exclusion_irrevocable' });
    await advance(p.playerId, 100 * DAY);
    expectError(await call('POST', '/v1/sessions', { email: p.email, password: p.password }), 403, 'self_excluded');
    await advance(p.playerId, 90 * DAY);
    expect((await call('POST', '/v1/sessions', { email: p.email, password: p.password })).status).toBe(201);
    const types = (await stub.outbox(0, 200)).map((e) => e.event.event_type);
    expect(types).toEqual(expect.arrayContaining(['rg.self_exclusion.started', 'rg.self_exclusion.ended', 'player.status.changed']));
  });

  it('permanent self-exclusion never ends', async () => {
    const p = await register();
    expect((await call('POST', '/v1/self-exclusion', { permanent: true }, { token: p.token })).body.player.self_exclusion_permanent).toBe(true);
    await advance(p.playerId, 20 * 365 * DAY);
    expectError(await call('POST', '/v1/sessions', { email: p.email, password: p.password }), 403, 'self_excluded');
  });
});
