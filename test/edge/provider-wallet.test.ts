/**
 * The provider seamless-wallet API through the real worker: game launch, signed balance / bet /
 * win / rollback, replays and conflicts, rollback ordering, responsible gaming, sessions, the
 * catalog's verdicts, and every signature failure. Each refusal is checked for its error and for
 * the player's state being unchanged.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent } from '../../domain/events';
import type { PlayerDO } from '../../durable/player/player-do';
import { catalogStub } from '../../worker/catalog/stub';
import { signProviderRequest, type ProviderAction } from '../../worker/provider/signature';
import { advance, call, deposit, expectError, internals, player, register, type Json, type Registered } from './helpers';

const SECRET = env.PROVIDER_SECRET_SANDBOX_SLOTS;
const OTHER_SECRET = env.PAYMENT_WEBHOOK_SECRET_SANDBOX;
const GAME = 'sandbox-starfall-fortune';

type SignOpts = { provider?: string; secret?: string; at?: number; signAs?: ProviderAction; signBody?: string; headers?: Record<string, string>; raw?: string };

/** One signed provider call, as a provider would make it. */
async function prov(action: ProviderAction, body: Json, o: SignOpts = {}) {
  const raw = o.raw ?? JSON.stringify(body);
  const headers = o.headers ?? await signProviderRequest(o.secret ?? SECRET, o.signAs ?? action, o.signBody ?? raw, o.at);
  return call('POST', `/v1/provider/${o.provider ?? 'sandbox-slots'}/${action}`, raw, { headers: { 'Content-Type': 'application/json', ...headers } });
}

async function launch(p: Registered, game = GAME, body: Json = {}, country = 'MT') {
  return call('POST', `/v1/games/${game}/launch`, body, { token: p.token, country });
}

/** A player with money and a launched game. */
async function ready(amount = 10_000, over: Json = {}, country = 'MT') {
  const p = await register(over, { country });
  if (amount > 0) expect((await deposit(p.token, amount, over.currency ?? 'EUR', undefined, { country })).status).toBe(201);
  const l = await launch(p, GAME, {}, country);
  expect(l.status, JSON.stringify(l.body)).toBe(200);
  return { p, token: l.body.token as string };
}

let txSeq = 0;
const txId = (tag = 'tx') => `${tag}-${Date.now().toString(36)}-${++txSeq}`;

function bet(token: string, o: { tx?: string; round?: string; amount?: number; game?: string; currency?: string } = {}) {
  return prov('bet', { token, tx_id: o.tx ?? txId(), round_id: o.round ?? 'r-1', game_id: o.game ?? GAME, currency: o.currency ?? 'EUR', amount_minor: o.amount ?? 100 });
}

/** Everything a refused request must leave as it was. */
async function state(playerId: string, withOutbox = true) {
  return runInDurableObject(player(playerId), (o: PlayerDO) => {
    const db = internals(o).c.db;
    return {
      balances: db.all`select * from balances order by currency, bucket`,
      ledger: db.all`select entry_id, amount_minor, kind, ref from ledger order by entry_id`,
      holds: db.all`select hold_id, state from holds order by hold_id`,
      txs: db.all`select provider_id, tx_id, kind, state from provider_txs order by tx_id`,
      usage: db.all`select * from rg_usage order by metric, currency, hour`,
      outbox: withOutbox ? db.first<{ n: number }>`select count(*) as n from outbox`!.n : null,
    };
  });
}

async function balance(p: Registered): Promise<number> {
  const w = await call('GET', '/v1/wallet', undefined, { token: p.token });
  return w.body.balances.find((b: Json) => b.currency === 'EUR')?.available_minor ?? 0;
}

describe('game launch', () => {
  it('gives a launch token bound to player, session, game, provider, currency and jurisdiction', async () => {
    const p = await register();
    const l = await launch(p);
    expect(l.status).toBe(200);
    expect(l.body).toMatchObject({ player_id: p.playerId, game_id: GAME, provider_id: 'sandbox-slots', currency: 'EUR', bet_limit: { min_minor: 10, max_minor: 10000 } });
    expect(l.body.expires_at).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    // not a player token: the player API refuses it
    expectError(await call('GET', '/v1/wallet', undefined, { token: l.body.token }), 401, 'unauthenticated');
  });

  it('refuses unknown, disabled, live-table and out-of-jurisdiction games, unplayable currencies, and blocked players', async () => {
    const p = await register();
    expectError(await launch(p, 'no-such-game'), 404, 'game_not_found');
    expectError(await launch(p, 'live-roulette-1'), 409, 'invalid_state');
    expectError(await launch(p, 'sandbox-neon-nights'), 451, 'game_unavailable'); // GB and ON only
    expectError(await launch(p, GAME, { currency: 'KRW' }), 422, 'unsupported_currency'); // a currency, not one of this game
    expectError(await launch(p, GAME, { currency: 'EURO' }), 400, 'validation_failed');
    const gb = await register({ country: 'GB' }, { country: 'GB' });
    expectError(await launch(gb, 'sandbox-scroll-of-anubis', {}, 'GB'), 451, 'game_unavailable'); // MT and CW only
    expect((await launch(gb, GAME, {}, 'GB')).body.currency).toBe('GBP');
    const catalog = catalogStub(env);
    const by = { actor: 'test', reason: 'provider wallet test' };
    expect((await catalog.setGameEnabled('sandbox-fruit-frenzy', false, by)).ok).toBe(true);
    try {
      expectError(await launch(p, 'sandbox-fruit-frenzy'), 409, 'game_disabled');
    } finally {
      await catalog.setGameEnabled('sandbox-fruit-frenzy', true, by);
    }
    expect((await call('POST', '/v1/cool-off', { hours: 24 }, { token: p.token })).status).toBe(200);
    expect((await launch(p)).status).toBe(401); // cooling off ended the session
    expectError(await launch(p, GAME, {}, 'US'), 451, 'geo_blocked');
  });
});

describe('balance, bet, win', () => {
  it('a round: balance, bet, win, each once; replays answer the first result; events validate', async () => {
    const { p, token } = await ready(10_000);
    const b0 = await prov('balance', { token });
    expect(b0.status).toBe(200);
    expect(b0.body).toEqual({ player_id: p.playerId, currency: 'EUR', balance_minor: 10_000 });

    const betTx = txId('bet');
    const first = await bet(token, { tx: betTx, round: 'round-1', amount: 300 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ tx_id: betTx, kind: 'bet', player_id: p.playerId, round_id: 'round-1', game_id: GAME, currency: 'EUR', amount_minor: 300, bet_tx_id: null, unmatched: false, balance_minor: 9_700, replayed: false });
    const again = await bet(token, { tx: betTx, round: 'round-1', amount: 300 });
    expect(again.status).toBe(200);
    expect({ ...again.body, replayed: false }).toEqual(first.body);
    expect(again.body.replayed).toBe(true);

    const winTx = txId('win');
    const win = { player_id: p.playerId, tx_id: winTx, round_id: 'round-1', game_id: GAME, currency: 'EUR', amount_minor: 750 };
    const w1 = await prov('win', win);
    expect(w1.status).toBe(200);
    expect(w1.body).toMatchObject({ kind: 'win', amount_minor: 750, bet_tx_id: betTx, balance_minor: 10_450, replayed: false });
    const w2 = await prov('win', win);
    expect(w2.body).toMatchObject({ balance_minor: 10_450, replayed: true });
    // a win of 0 closes a losing round without a ledger entry
    const lossBet = txId('bet');
    await bet(token, { tx: lossBet, round: 'round-2', amount: 50 });
    const close = await prov('win', { player_id: p.playerId, token, tx_id: txId('win'), round_id: 'round-2', game_id: GAME, currency: 'EUR', amount_minor: 0, bet_tx_id: lossBet });
    expect(close.body).toMatchObject({ amount_minor: 0, bet_tx_id: lossBet, balance_minor: 10_400 });

    expect(await balance(p)).toBe(10_400);
    expect((await prov('balance', { token })).body.balance_minor).toBe(10_400);
    const ledger = (await call('GET', '/v1/wallet/ledger?limit=50', undefined, { token: p.token })).body.entries;
    expect(ledger.map((e: Json) => [e.kind, e.amount_minor, e.ref])).toEqual([
      ['bet', -50, `prov:sandbox-slots:${lossBet}`],
      ['win', 750, `prov:sandbox-slots:${winTx}`],
      ['bet', -300, `prov:sandbox-slots:${betTx}`],
      ['deposit', 10_000, expect.any(String)],
    ]);
    expect(await player(p.playerId).audit()).toEqual([]);

    const events = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
    for (const e of events) expect(validateEvent(e), JSON.stringify(e)).toMatchObject({ ok: true });
    const types = events.map((e) => e.event_type).filter((t) => t.startsWith('provider.'));
    expect(types).toEqual(['provider.bet.debited', 'provider.win.credited', 'provider.bet.debited', 'provider.win.credited']);
    expect(events.find((e) => e.event_type === 'provider.bet.debited')!.payload).toMatchObject({
      provider_id: 'sandbox-slots', game_id: GAME, tx_id: betTx, round_id: 'round-1', amount_minor: 300, real_minor: 300, bonus_minor: 0, balance_after_minor: 9_700,
    });
  });

  it('the same tx_id with a different request is a conflict, whatever the kind; nothing changes', async () => {
    const { p, token } = await ready(5_000);
    const tx = txId();
    expect((await bet(token, { tx, round: 'c-1', amount: 100 })).status).toBe(200);
    const before = await state(p.playerId);
    expectError(await bet(token, { tx, round: 'c-1', amount: 200 }), 409, 'idempotency_conflict');
    expectError(await bet(token, { tx, round: 'c-2', amount: 100 }), 409, 'idempotency_conflict');
    expectError(await prov('win', { player_id: p.playerId, tx_id: tx, round_id: 'c-1', game_id: GAME, currency: 'EUR', amount_minor: 100 }), 409, 'idempotency_conflict');
    expectError(await prov('rollback', { player_id: p.playerId, tx_id: tx, bet_tx_id: tx, round_id: 'c-1', game_id: GAME, currency: 'EUR' }), 409, 'idempotency_conflict');
    expect(await state(p.playerId)).toEqual(before);
  });

  it('refuses wins without a standing bet of that round, game and currency', async () => {
    const { p, token } = await ready(5_000);
    const tx = txId();
    await bet(token, { tx, round: 'w-1', amount: 100 });
    const before = await state(p.playerId);
    const win = (o: Json) => prov('win', { player_id: p.playerId, tx_id: txId('win'), round_id: 'w-1', game_id: GAME, currency: 'EUR', amount_minor: 10, ...o });
    expectError(await win({ round_id: 'w-none' }), 404, 'transaction_not_found');
    expectError(await win({ bet_tx_id: 'never-seen' }), 404, 'transaction_not_found');
    expectError(await win({ game_id: 'sandbox-viking-gold' }), 409, 'invalid_state');
    expectError(await win({ currency: 'BTC' }), 409, 'invalid_state');
    expectError(await win({ player_id: crypto.randomUUID() }), 404, 'player_not_found');
    expectError(await win({ amount_minor: -1 }), 400, 'validation_failed');
    expectError(await win({ amount_minor: 1.5 }), 400, 'validation_failed');
    expect(await state(p.playerId)).toEqual(before);
  });

  it('refuses bets the catalog refuses, with the player unchanged', async () => {
    const { p, token } = await ready(5_000);
    const before = await state(p.playerId);
    expectError(await bet(token, { amount: 5 }), 422, 'bet_out_of_limits');
    expectError(await bet(token, { amount: 10_001 }), 422, 'bet_out_of_limits');
    expectError(await bet(token, { game: 'sandbox-viking-gold' }), 403, 'forbidden'); // token of another game
    expectError(await bet(token, { currency: 'GBP' }), 422, 'unsupported_currency');
    const by = { actor: 'test', reason: 'provider wallet test' };
    const catalog = catalogStub(env);
    expect((await catalog.setGameEnabled(GAME, false, by)).ok).toBe(true);
    try {
      expectError(await bet(token), 409, 'game_disabled');
    } finally {
      await catalog.setGameEnabled(GAME, true, by);
    }
    expect(await state(p.playerId)).toEqual(before);
    expect((await bet(token)).status).toBe(200);
  });

  it('refuses bets beyond the funds and the player\'s limits; a rolled-back bet gives its usage back', async () => {
    const { p, token } = await ready(1_000);
    expect((await call('PUT', '/v1/limits/wager', { period: 'day', currency: 'EUR', amount_minor: 500 }, { token: p.token })).status).toBe(200);
    const b1 = txId();
    expect((await bet(token, { tx: b1, round: 'l-1', amount: 400 })).status).toBe(200);
    const before = await state(p.playerId, false);
    const refused = await bet(token, { round: 'l-2', amount: 200 });
    expectError(refused, 422, 'limit_exceeded');
    expect(refused.body.error.details).toMatchObject({ kind: 'wager', limit_minor: 500, used_minor: 400 });
    expect(await state(p.playerId, false)).toEqual(before);
    // the rollback gives the stake and the wager back
    expect((await prov('rollback', { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id: b1, round_id: 'l-1', game_id: GAME, currency: 'EUR' })).body).toMatchObject({ amount_minor: 400, balance_minor: 1_000 });
    expect((await bet(token, { round: 'l-3', amount: 500 })).status).toBe(200);
    expectError(await bet(token, { round: 'l-4', amount: 10 }), 422, 'limit_exceeded');
    expect(await player(p.playerId).audit()).toEqual([]);
    const poor = await ready(50);
    const poorBefore = await state(poor.p.playerId);
    const r = await bet(poor.token, { amount: 100 });
    expectError(r, 422, 'insufficient_funds');
    expect(r.body.error.details).toMatchObject({ available_minor: 50, currency: 'EUR' });
    expect(await state(poor.p.playerId)).toEqual(poorBefore);
  });
});

describe('sessions and exclusions', () => {
  it('a bet needs the session open and the player free to play; wins and rollbacks are paid regardless', async () => {
    const { p, token } = await ready(2_000);
    const b1 = txId();
    const b2 = txId();
    expect((await bet(token, { tx: b1, round: 's-1', amount: 100 })).status).toBe(200);
    expect((await bet(token, { tx: b2, round: 's-2', amount: 100 })).status).toBe(200);
    expect((await call('POST', '/v1/self-exclusion', { months: 6 }, { token: p.token })).status).toBe(200);
    const before = await state(p.playerId, false);
    const refused = await bet(token, { round: 's-3', amount: 100 });
    expect(refused.status).toBe(401); // self-exclusion ended every session
    expectError(refused, 401, 'session_expired');
    expect(await state(p.playerId, false)).toEqual(before);
    // a repeat of a bet applied before answers its first result
    expect((await bet(token, { tx: b1, round: 's-1', amount: 100 })).body.replayed).toBe(true);
    // money owed is paid: a win (with the token, long after) and a rollback
    const win = await prov('win', { player_id: p.playerId, token, tx_id: txId('win'), round_id: 's-1', game_id: GAME, currency: 'EUR', amount_minor: 300 });
    expect(win.status).toBe(200);
    const rb = await prov('rollback', { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id: b2, round_id: 's-2', game_id: GAME, currency: 'EUR' });
    expect(rb.body).toMatchObject({ amount_minor: 100, balance_minor: 2_200 });
    // the provider's balance call reads without a session
    expect((await prov('balance', { token })).body.balance_minor).toBe(2_200);
  });

  it('a session that ended (logout, idle, lock) refuses bets; so does a block that left the session open', async () => {
    const { p, token } = await ready(2_000);
    expect((await call('DELETE', '/v1/sessions/current', undefined, { token: p.token })).status).toBe(204);
    expectError(await bet(token), 401, 'session_expired');
    const q = await ready(2_000);
    await advance(q.p.playerId, 31 * 60_000);
    expectError(await bet(q.token), 401, 'session_expired');
    const r = await ready(2_000);
    expect((await player(r.p.playerId).setStatus('locked', 'test', 'operator:test')).ok).toBe(true);
    expectError(await bet(r.token), 401, 'session_expired'); // locking ends every session
    // defence in depth: a cool-off recorded without ending the session still stops the bet
    const s = await ready(2_000);
    await runInDurableObject(player(s.p.playerId), (o: PlayerDO) => { internals(o).c.db.run`update profile set cool_off_until = ${Date.now() + 3_600_000}`; internals(o).c.forgetProfile(); });
    const before = await state(s.p.playerId, false);
    expectError(await bet(s.token), 403, 'cooling_off');
    expect(await state(s.p.playerId, false)).toEqual(before);
  });
});

describe('rollbacks', () => {
  it('restore a bet exactly once; replays answer the first result; a second rollback is refused', async () => {
    const { p, token } = await ready(1_000);
    const b = txId('bet');
    await bet(token, { tx: b, round: 'rb-1', amount: 250 });
    const rb = { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id: b, round_id: 'rb-1', game_id: GAME, currency: 'EUR' };
    const first = await prov('rollback', rb);
    expect(first.body).toMatchObject({ kind: 'rollback', amount_minor: 250, bet_tx_id: b, unmatched: false, balance_minor: 1_000, replayed: false });
    expect((await prov('rollback', rb)).body).toMatchObject({ amount_minor: 250, balance_minor: 1_000, replayed: true });
    const before = await state(p.playerId);
    expectError(await prov('rollback', { ...rb, tx_id: txId('rb') }), 409, 'transaction_rolled_back');
    expectError(await bet(token, { tx: b, round: 'rb-1', amount: 250 }), 409, 'transaction_rolled_back');
    expectError(await prov('win', { player_id: p.playerId, tx_id: txId('win'), round_id: 'rb-1', game_id: GAME, currency: 'EUR', amount_minor: 10 }), 409, 'transaction_rolled_back');
    expectError(await prov('win', { player_id: p.playerId, tx_id: txId('win'), round_id: 'rb-1', game_id: GAME, currency: 'EUR', amount_minor: 10, bet_tx_id: b }), 409, 'transaction_rolled_back');
    expect(await state(p.playerId)).toEqual(before);
    // the ledger keeps the bet and adds the compensating entry (kind adjustment)
    const ledger = (await call('GET', '/v1/wallet/ledger?limit=10', undefined, { token: p.token })).body.entries;
    expect(ledger.slice(0, 2).map((e: Json) => [e.kind, e.amount_minor, e.ref])).toEqual([
      ['adjustment', 250, `dispute:prov:sandbox-slots:${rb.tx_id}`], ['bet', -250, `prov:sandbox-slots:${b}`],
    ]);
    const events = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
    expect(events.find((e) => e.event_type === 'provider.bet.rolled_back')!.payload).toMatchObject({ tx_id: b, rollback_tx_id: rb.tx_id, amount_minor: 250, round_id: 'rb-1', game_id: GAME });
  });

  it('a rollback of an unknown bet is recorded, and the bet is refused when it arrives late', async () => {
    const { p, token } = await ready(1_000);
    const late = txId('late');
    const rb = await prov('rollback', { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id: late, round_id: 'u-1', game_id: GAME, currency: 'EUR' });
    expect(rb.status).toBe(200);
    expect(rb.body).toMatchObject({ kind: 'rollback', amount_minor: 0, bet_tx_id: late, unmatched: true, balance_minor: 1_000 });
    const before = await state(p.playerId);
    expectError(await bet(token, { tx: late, round: 'u-1', amount: 100 }), 409, 'transaction_rolled_back');
    expect(await state(p.playerId)).toEqual(before);
    expect(await balance(p)).toBe(1_000);
    const unmatched = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event).find((e) => e.event_type === 'provider.rollback.unmatched');
    expect(unmatched?.payload).toMatchObject({ tx_id: late, amount_minor: 0 });
  });

  it('only bets, and only before a win: wins and rollbacks cannot be rolled back', async () => {
    const { p, token } = await ready(1_000);
    const b = txId('bet');
    await bet(token, { tx: b, round: 'n-1', amount: 100 });
    const w = txId('win');
    await prov('win', { player_id: p.playerId, tx_id: w, round_id: 'n-1', game_id: GAME, currency: 'EUR', amount_minor: 150 });
    const before = await state(p.playerId);
    const rb = (bet_tx_id: string) => prov('rollback', { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id, round_id: 'n-1', game_id: GAME, currency: 'EUR' });
    expectError(await rb(w), 409, 'rollback_not_allowed');
    expectError(await rb(b), 409, 'rollback_not_allowed');
    expect(await state(p.playerId)).toEqual(before);
    // mismatched round of a known bet
    const b2 = txId('bet');
    await bet(token, { tx: b2, round: 'n-2', amount: 100 });
    expectError(await prov('rollback', { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id: b2, round_id: 'n-3', game_id: GAME, currency: 'EUR' }), 409, 'invalid_state');
  });

  it('a bet voided by support first: the provider rollback moves nothing more', async () => {
    const { p, token } = await ready(1_000);
    const b = txId('bet');
    await bet(token, { tx: b, round: 'd-1', amount: 200 });
    const v = await player(p.playerId).resolveDispute({ dispute_id: 'dsp-1', hold_id: `prov:sandbox-slots:${b}`, resolution: 'void', reason: 'support', actor: 'operator:x' });
    expect(v.ok).toBe(true);
    const rb = await prov('rollback', { player_id: p.playerId, tx_id: txId('rb'), bet_tx_id: b, round_id: 'd-1', game_id: GAME, currency: 'EUR' });
    expect(rb.body).toMatchObject({ amount_minor: 0, balance_minor: 1_000 });
    expect(await balance(p)).toBe(1_000);
  });
});

describe('signatures', () => {
  it('refuses missing, wrong, foreign, stale, future, tampered and re-aimed signatures with 401 and no change', async () => {
    const { p, token } = await ready(1_000);
    const body = { token, tx_id: txId(), round_id: 'sig-1', game_id: GAME, currency: 'EUR', amount_minor: 100 };
    const raw = JSON.stringify(body);
    const before = await state(p.playerId);
    const good = await signProviderRequest(SECRET, 'bet', raw);
    const cases: [string, Promise<{ status: number; body: Json }>, string][] = [
      ['no headers', prov('bet', body, { headers: {} }), 'invalid_signature'],
      ['no signature', prov('bet', body, { headers: { 'X-Timestamp': good['X-Timestamp'] } }), 'invalid_signature'],
      ['no timestamp', prov('bet', body, { headers: { 'X-Signature': good['X-Signature'] } }), 'invalid_signature'],
      ['malformed', prov('bet', body, { headers: { 'X-Timestamp': good['X-Timestamp'], 'X-Signature': good['X-Signature'].slice(7) } }), 'invalid_signature'],
      ['wrong secret', prov('bet', body, { secret: 'not-the-secret-not-the-secret-not-the-secret' }), 'invalid_signature'],
      ['another secret of ours', prov('bet', body, { secret: OTHER_SECRET }), 'invalid_signature'],
      ['player token as signature', prov('bet', body, { headers: { Authorization: `Bearer ${p.token}` } }), 'invalid_signature'],
      ['body tampered', prov('bet', { ...body, amount_minor: 1 }, { signBody: raw }), 'invalid_signature'],
      ['timestamp changed', prov('bet', body, { headers: { ...good, 'X-Timestamp': String(Number(good['X-Timestamp']) + 1) } }), 'invalid_signature'],
      ['signed for another action', prov('win', { player_id: p.playerId, tx_id: txId(), round_id: 'sig-1', game_id: GAME, currency: 'EUR', amount_minor: 100 }, { signAs: 'bet' }), 'invalid_signature'],
      ['6 minutes old', prov('bet', body, { at: Date.now() - 6 * 60_000 }), 'request_expired'],
      ['6 minutes ahead', prov('bet', body, { at: Date.now() + 6 * 60_000 }), 'request_expired'],
      ['milliseconds, not seconds', (async () => {
        const ts = String(Date.now());
        const mac = (await signProviderRequest(SECRET, 'bet', raw, Number(ts) * 1000))['X-Signature']; // signs "<ms>.bet.<body>"
        return prov('bet', body, { headers: { 'X-Timestamp': ts, 'X-Signature': mac } });
      })(), 'request_expired'],
    ];
    for (const [name, res, code] of cases) {
      const r = await res;
      expect(r.status, name).toBe(401);
      expect(r.body.error?.code, name).toBe(code);
    }
    expectError(await prov('bet', body, { provider: 'unknown-provider' }), 404, 'provider_not_found');
    expectError(await prov('bet', body, { provider: 'edge-studio' }), 404, 'provider_not_found');
    expectError(await prov('bet', body, { provider: 'Bad_Id!' }), 404, 'provider_not_found');
    expect(await state(p.playerId)).toEqual(before);
    // four minutes old is within the window
    expect((await prov('bet', body, { at: Date.now() - 4 * 60_000 })).status).toBe(200);
  });

  it('a signed request is then validated: bad JSON, unknown fields, bad tokens are 4xx in the error shape', async () => {
    const { p, token } = await ready(1_000);
    const before = await state(p.playerId);
    expectError(await prov('bet', {}, { raw: '{"token":' }), 400, 'malformed_json');
    expectError(await prov('bet', { token, tx_id: txId(), round_id: 'v', game_id: GAME, currency: 'EUR', amount_minor: 100, extra: 1 }), 400, 'validation_failed');
    expectError(await prov('bet', { token, tx_id: 'spaces are not ids', round_id: 'v', game_id: GAME, currency: 'EUR', amount_minor: 100 }), 400, 'validation_failed');
    expectError(await prov('bet', { token, tx_id: txId(), round_id: 'v', game_id: GAME, currency: 'EUR', amount_minor: 0 }), 400, 'validation_failed');
    expectError(await prov('bet', { token: p.token, tx_id: txId(), round_id: 'v', game_id: GAME, currency: 'EUR', amount_minor: 100 }), 401, 'unauthenticated');
    expectError(await prov('bet', { token: `${token}x`, tx_id: txId(), round_id: 'v', game_id: GAME, currency: 'EUR', amount_minor: 100 }), 401, 'unauthenticated');
    expectError(await prov('balance', { token: 'not a token' }), 401, 'unauthenticated');
    expectError(await prov('balance', { token: '' }), 400, 'validation_failed');
    expectError(await prov('win', { player_id: crypto.randomUUID(), token, tx_id: txId(), round_id: 'v', game_id: GAME, currency: 'EUR', amount_minor: 1 }), 401, 'unauthenticated');
    expect(await state(p.playerId)).toEqual(before);
  });
});

describe('hostile signed requests (R5)', () => {
  it('1,000 fuzzed bodies, correctly signed: never a 5xx, errors in the one shape, money moves only on a 200', async () => {
    const { p, token } = await ready(5_000);
    const value = fc.oneof(
      fc.integer(), fc.double(), fc.constantFrom(-1, 0, 0.5, 2 ** 53, -(2 ** 60), 1e308, 10, 100, 10_000), fc.string({ maxLength: 70 }), fc.boolean(), fc.constant(null),
      fc.constantFrom('EUR', 'BTC', 'eur', GAME, 'sandbox-viking-gold', 'r-1', 'tx-1', 'tx-2', p.playerId, token, p.token, crypto.randomUUID()), fc.array(fc.integer(), { maxLength: 3 }),
    );
    const body = fc.oneof(
      fc.dictionary(fc.constantFrom('token', 'player_id', 'tx_id', 'bet_tx_id', 'round_id', 'game_id', 'currency', 'amount_minor', '__proto__', 'constructor'), value, { maxKeys: 8 }),
      fc.string({ maxLength: 60 }),
      fc.json(),
    );
    const action = fc.constantFrom('balance' as const, 'bet' as const, 'win' as const, 'rollback' as const);
    await fc.assert(fc.asyncProperty(action, body, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8'), async (a, b, type) => {
      const raw = typeof b === 'string' ? b : JSON.stringify(b);
      const headers = { ...await signProviderRequest(SECRET, a, raw), 'Content-Type': type };
      const before = await state(p.playerId, false);
      const r = await call('POST', `/v1/provider/sandbox-slots/${a}`, raw, { headers });
      expect(r.status, `${a} ${raw} -> ${JSON.stringify(r.body)}`).toBeLessThan(500);
      if (r.status >= 400) {
        expect(Object.keys(r.body)).toEqual(['error']);
        expect(typeof r.body.error.code).toBe('string');
        const after = await state(p.playerId, false);
        expect(after.ledger).toEqual(before.ledger);
        expect(after.txs).toEqual(before.txs);
      }
    }), { numRuns: 1_000 });
    expect(await player(p.playerId).audit()).toEqual([]);
  }, 120_000);
});

describe('OpenAPI and the worked signing example', () => {
  it('documents every provider route with its signature scheme, and the example signature is real', async () => {
    const doc = (await call('GET', '/v1/openapi.json')).body;
    for (const action of ['balance', 'bet', 'win', 'rollback']) {
      const op = doc.paths[`/v1/provider/{provider_id}/${action}`]?.post;
      expect(op, action).toBeDefined();
      expect(op.security).toEqual([{ providerSignature: [] }]);
      expect(op.parameters.map((x: Json) => x.name)).toEqual(expect.arrayContaining(['provider_id', 'x-timestamp', 'x-signature']));
      expect(op.description).toContain('HMAC-SHA256');
      expect(op.responses['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/Error');
    }
    expect(doc.paths['/v1/games/{game_id}/launch'].post.responses['200']).toBeDefined();
    expect(doc.components.securitySchemes.providerSignature).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-Signature' });
    for (const name of ['ProviderBetRequest', 'ProviderWinRequest', 'ProviderRollbackRequest', 'ProviderBalanceRequest', 'ProviderTransaction', 'ProviderBalance', 'GameLaunch']) {
      expect(doc.components.schemas[name]?.example, name).toBeDefined();
    }
    // docs/provider-api.md: the bet example signed at 1763722800 with the docs' example secret
    const example = doc.components.schemas.ProviderBetRequest.example;
    const headers = await signProviderRequest('example-secret-for-docs-0123456789abcdef', 'bet', JSON.stringify(example), 1763722800_000);
    const sigParam = doc.paths['/v1/provider/{provider_id}/bet'].post.parameters.find((x: Json) => x.name === 'x-signature');
    expect(headers).toEqual({ 'X-Timestamp': '1763722800', 'X-Signature': sigParam.schema.example });
    expect(headers['X-Signature']).toBe('sha256=12d740f9c8e1dfdaed2f37a46415996c5edb32c9eec46c7bdc5ff49a0519043e');
  });
});
