/**
 * The edge side of the fast-mode parity contract (simulator/event-shapes.ts, docs/simulator.md):
 * scripted players do, through the real worker and objects, every kind of activity the simulator's
 * fast mode writes by hand (registration, logins with a device, KYC, deposits, limits, reality
 * checks, cool-off, self-exclusion, table bets at roulette and baccarat, provider rounds,
 * withdrawals (paid, rejected, cancelled), back-office adjustments, disputes, VIP, alerts and a decision on one, voided rounds, expired holds), and
 * the shapes of the events their objects emitted (players', tables' and the brand's outboxes) must
 * equal simulator/event-shapes.json. simulator/event-shapes.test.ts holds fast mode to the same file.
 *
 * A field added, removed or retyped at the edge fails here; refresh the contract with
 *   npx vitest run --project edge test/edge/event-shapes.test.ts -u
 * and the node test then fails until fast mode writes the same shape.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CasinoEvent } from '../../domain/events';
import { validateEvent } from '../../domain/events';
import { brandOpsName } from '../../durable/brand-ops/types';
import type { TableDO } from '../../durable/table/table-do';
import { signWebhook } from '../../worker/payments/providers';
import { signProviderRequest, type ProviderAction } from '../../worker/provider/signature';
import { formatShapes, shapesOf } from '../../simulator/event-shapes';
import { advance, call, deposit, idemKey, player, uniqueEmail, type Json, type Registered } from './helpers';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';

const DAY = 24 * 3_600_000;
const ROULETTE = 'roulette-1'; // dealer
const BACCARAT = 'auto-baccarat-1'; // automated, provably fair
const BLACKJACK = 'blackjack-1'; // dealer, Seated
const INFINITE = 'infinite-blackjack-1'; // automated, Infinite: places without seats
const GAME = 'sandbox-starfall-fortune';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

const table = (id: string) => env.TABLE.getByName(id) as DurableObjectStub<TableDO>;

function ok(r: { status: number; body: Json }, status: number, what: string): Json {
  if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function registerAs(over: Json, country = 'MT'): Promise<Registered> {
  const email = uniqueEmail('shape');
  const password = 'correct horse battery';
  const r = await call('POST', '/v1/players', { email, password, date_of_birth: '1990-01-15', country, brand: 'aurora', ...over }, { country, headers: { 'User-Agent': PHONE } });
  const body = ok(r, 201, 'register');
  return { token: body.token, playerId: body.player.player_id, email, password, body };
}

async function login(p: Registered, country = 'MT'): Promise<string> {
  return ok(await call('POST', '/v1/sessions', { email: p.email, password: p.password }, { country, headers: { 'User-Agent': PHONE } }), 201, 'login').token as string;
}

async function drainPlayerAlarms(playerId: string): Promise<void> {
  for (let i = 0; i < 10 && (await runDurableObjectAlarm(player(playerId))); i++);
}

async function prov(action: ProviderAction, body: Json) {
  const raw = JSON.stringify(body);
  const headers = await signProviderRequest(env.PROVIDER_SECRET_SANDBOX_SLOTS, action, raw);
  return ok(await call('POST', `/v1/provider/sandbox-slots/${action}`, raw, { headers: { 'Content-Type': 'application/json', ...headers } }), 200, `provider ${action}`);
}

let txSeq = 0;
const tx = (tag: string) => `${tag}-${Date.now().toString(36)}-${++txSeq}`;

let admin: Operator;
let operator: Operator;
let compliance: Operator;
let dealer: Operator;
const players: string[] = [];
const tablesUsed = new Set<string>();

beforeAll(async () => {
  admin = await bootstrapAdmin();
  operator = await createOperator(admin, { roles: ['operator'] });
  compliance = await createOperator(admin, { roles: ['compliance_officer'] });
  dealer = await createOperator(admin, { roles: ['dealer'] });
});

/** Everything the scripted players' activity made the objects emit. */
async function emitted(): Promise<CasinoEvent[]> {
  const out: CasinoEvent[] = [];
  for (const id of players) out.push(...(await player(id).outbox(0, 1000)).map((r) => r.event));
  for (const id of tablesUsed) out.push(...(await table(id).outbox(0, 1000)).map((r) => r.event));
  const ops = env.BRAND_OPS.getByName(brandOpsName('aurora'));
  out.push(...(await ops.outbox(0, 1000)).map((r: { event: CasinoEvent }) => r.event).filter((e: CasinoEvent) => e.player_id !== null && players.includes(e.player_id)));
  return out;
}

describe('event shapes of a scripted player, through the objects', () => {
  it('account, KYC, deposits, limits and breaks', async () => {
    // registration (with and without an acquisition source), logout, a mistyped password, a login from abroad
    const a = await registerAs({ acquisition_source: 'affiliate.guide' });
    const b = await registerAs({});
    players.push(a.playerId, b.playerId);
    ok(await call('DELETE', '/v1/sessions/current', undefined, { token: a.token }), 204, 'logout');
    expect((await call('POST', '/v1/sessions', { email: a.email, password: 'wrong password!!' })).status).toBe(401);
    let token = await login(a, 'DE');

    // KYC through the sandbox: verified, rejected, and left pending for a compliance officer
    ok(await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P1234567' }, { token }), 200, 'kyc');
    ok(await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P7654321', sandbox_outcome: 'rejected' }, { token: b.token }), 200, 'kyc rejected');
    const c = await registerAs({});
    players.push(c.playerId);
    ok(await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P7654322', sandbox_outcome: 'pending' }, { token: c.token }), 200, 'kyc pending');
    ok(await opCall('POST', `/v1/ops/players/${c.playerId}/kyc-decision`, compliance, { decision: 'approve', reason: 'documents match' }), 200, 'kyc decision');

    // deposit limits: set, lower, raise (pending 24 h, then applied), a deposit over the limit refused
    ok(await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: 200_000 }, { token }), 200, 'limit');
    ok(await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: 150_000 }, { token }), 200, 'limit lower');
    ok(await deposit(token, 50_000), 201, 'deposit');
    // a deposit naming its payment instrument (kept only as its keyed hash, payment_reference)
    ok(await call('POST', '/v1/wallet/deposits', { amount_minor: 10_000, currency: 'EUR', payment_instrument: 'pm_card_fp_shapes01' }, { token, headers: { 'Idempotency-Key': idemKey() } }), 201, 'deposit with an instrument');
    // a deposit the payment provider fails
    const pending = await player(a.playerId).requestDeposit(decodeJwt(token).sid as string, idemKey(), { provider: 'sandbox', currency: 'EUR', amount_minor: 2_500 });
    if (!pending.ok) throw new Error(JSON.stringify(pending));
    const n = { deposit_id: pending.deposit.deposit_id, player_id: a.playerId, status: 'failed', amount_minor: 2_500, currency: 'EUR', provider_ref: 'psp-1', reason: 'card_declined', payment_instrument: 'pm_card_fp_shapes02' };
    const raw = JSON.stringify(n);
    ok(await call('POST', '/v1/payments/webhook/sandbox', raw, { headers: { 'X-Signature': await signWebhook(env.PAYMENT_WEBHOOK_SECRET_SANDBOX, raw) } }), 200, 'webhook failed');
    expect((await deposit(token, 120_000)).status).toBe(422); // over the limit: rg.limit.breach_refused
    ok(await call('PUT', '/v1/limits/deposit', { period: 'week', currency: 'EUR', amount_minor: 400_000 }, { token }), 200, 'limit raise');
    // session-time and reality-check limits (effective from the next session)
    ok(await call('PUT', '/v1/limits/session_time', { minutes: 240 }, { token }), 200, 'session limit');
    ok(await call('PUT', '/v1/limits/reality_check', { minutes: 60 }, { token }), 200, 'reality check');
    ok(await call('PUT', '/v1/limits/reality_check', { minutes: 30 }, { token }), 200, 'reality check lowered');
    await advance(a.playerId, DAY + 60_000);
    await drainPlayerAlarms(a.playerId); // the raise applies; the idle session ends
    token = await login(a);
    await advance(a.playerId, 20 * 60_000);
    ok(await call('GET', '/v1/players/me', undefined, { token }), 200, 'activity'); // no idle timeout
    await advance(a.playerId, 10 * 60_000 + 1);
    await drainPlayerAlarms(a.playerId); // rg.reality_check.due

    // cool-off: the session ends, a login is refused, and it ends by alarm
    ok(await call('POST', '/v1/cool-off', { hours: 24 }, { token: b.token }), 200, 'cool-off');
    expect((await call('POST', '/v1/sessions', { email: b.email, password: b.password })).status).toBe(403);
    await advance(b.playerId, DAY + 1_000);
    await drainPlayerAlarms(b.playerId);
    // self-exclusion, for months and for good
    ok(await call('POST', '/v1/self-exclusion', { months: 6 }, { token: c.token }), 200, 'self-exclusion');
    await advance(c.playerId, 200 * DAY);
    await drainPlayerAlarms(c.playerId); // rg.self_exclusion.ended, status back to active
    const d = await registerAs({});
    players.push(d.playerId);
    ok(await call('POST', '/v1/self-exclusion', { permanent: true }, { token: d.token }), 200, 'permanent self-exclusion');

    // a run of mistyped passwords: the failed_logins alert
    const e = await registerAs({});
    players.push(e.playerId);
    for (let i = 0; i < 5; i++) expect((await call('POST', '/v1/sessions', { email: e.email, password: 'not the password' })).status).toBe(401);
  });

  it('money: withdrawals, provider rounds, adjustments, disputes, VIP, alerts', async () => {
    const p = await registerAs({});
    players.push(p.playerId);
    ok(await call('POST', '/v1/players/me/kyc', { provider: 'sandbox', document_type: 'passport', document_number: 'P2234567' }, { token: p.token }), 200, 'kyc');
    ok(await deposit(p.token, 100_000), 201, 'deposit');
    // withdrawals: one approved and paid (right after the deposit: rapid_deposit_withdraw), one rejected
    const w1 = ok(await call('POST', '/v1/wallet/withdrawals', { amount_minor: 90_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } }), 201, 'withdrawal').withdrawal.withdrawal_id;
    ok(await opCall('POST', `/v1/ops/players/${p.playerId}/withdrawals/${w1}/decision`, operator, { decision: 'approve', reason: 'KYC ok' }), 200, 'approve');
    ok(await opCall('POST', `/v1/ops/players/${p.playerId}/withdrawals/${w1}/paid`, operator, { reason: 'bank transfer sent' }), 200, 'paid');
    const w2 = ok(await call('POST', '/v1/wallet/withdrawals', { amount_minor: 1_000, currency: 'EUR' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } }), 201, 'withdrawal 2').withdrawal.withdrawal_id;
    ok(await opCall('POST', `/v1/ops/players/${p.playerId}/withdrawals/${w2}/decision`, operator, { decision: 'reject', reason: 'payment method mismatch' }), 200, 'reject');
    // one to a named instrument that the player takes back before any decision
    const w3 = ok(await call('POST', '/v1/wallet/withdrawals', { amount_minor: 1_000, currency: 'EUR', payment_instrument: 'pm_bank_fp_shapes03' }, { token: p.token, headers: { 'Idempotency-Key': idemKey() } }), 201, 'withdrawal 3').withdrawal.withdrawal_id;
    ok(await call('POST', `/v1/wallet/withdrawals/${w3}/cancel`, undefined, { token: p.token }), 200, 'cancel');

    // provider rounds: a win (large enough for the large_win alert), a losing round closed with 0, a rollback
    const launch = ok(await call('POST', `/v1/games/${GAME}/launch`, {}, { token: p.token }), 200, 'launch');
    const bet = (round: string, amount: number) => {
      const id = tx('bet');
      return prov('bet', { token: launch.token, tx_id: id, round_id: round, game_id: GAME, currency: 'EUR', amount_minor: amount }).then(() => id);
    };
    await bet('r-1', 1_000);
    await prov('win', { player_id: p.playerId, tx_id: tx('win'), round_id: 'r-1', game_id: GAME, currency: 'EUR', amount_minor: 500_000 });
    await bet('r-2', 500);
    await prov('win', { player_id: p.playerId, tx_id: tx('win'), round_id: 'r-2', game_id: GAME, currency: 'EUR', amount_minor: 0 });
    const rolled = await bet('r-3', 700);
    await prov('rollback', { player_id: p.playerId, tx_id: tx('rb'), bet_tx_id: rolled, round_id: 'r-3', game_id: GAME, currency: 'EUR' });
    // a rollback of a bet the platform never saw (provider.rollback.unmatched; edge only, see simulator/event-shapes.test.ts)
    await prov('rollback', { player_id: p.playerId, tx_id: tx('rb'), bet_tx_id: tx('never-seen'), round_id: 'r-5', game_id: GAME, currency: 'EUR' });

    // adjustments: a small credit and debit applied at once, a large one approved by a second operator, one rejected
    const adjust = (op: Operator, amount: number, reason: string) =>
      opCall('POST', `/v1/ops/players/${p.playerId}/adjustments`, op, { currency: 'EUR', amount_minor: amount, reason }, { headers: { 'Idempotency-Key': idemKey() } });
    ok(await adjust(operator, 1_500, 'goodwill: support complaint'), 201, 'small adjustment');
    ok(await adjust(operator, -500, 'correction: bonus credited twice'), 201, 'small debit');
    const big = ok(await adjust(operator, 60_000, 'compensation: game malfunction'), 201, 'large adjustment').adjustment.adjustment_id;
    ok(await opCall('POST', `/v1/ops/players/${p.playerId}/adjustments/${big}/decision`, compliance, { decision: 'approve', reason: 'checked' }), 200, 'approve adjustment');
    const big2 = ok(await adjust(operator, 70_000, 'VIP retention offer'), 201, 'large adjustment 2').adjustment.adjustment_id;
    ok(await opCall('POST', `/v1/ops/players/${p.playerId}/adjustments/${big2}/decision`, compliance, { decision: 'reject', reason: 'not covered by policy' }), 200, 'reject adjustment');

    // an operator voids a settled provider bet (a dispute), and flags the player VIP
    const disputed = await bet('r-4', 300);
    await prov('win', { player_id: p.playerId, tx_id: tx('win'), round_id: 'r-4', game_id: GAME, currency: 'EUR', amount_minor: 0 });
    ok(await opCall('POST', `/v1/ops/players/${p.playerId}/disputes`, operator, { hold_id: `prov:sandbox-slots:${disputed}`, resolution: 'void', reason: 'game froze' }, { headers: { 'Idempotency-Key': idemKey() } }), 201, 'dispute');
    ok(await opCall('PUT', `/v1/ops/players/${p.playerId}/vip`, admin, { vip: true, reason: 'high roller' }), 200, 'vip');
  });

  it('tables: a dealer roulette round, an automated baccarat round, a dealer blackjack round, an automated Infinite blackjack round, a voided round, an expired hold', async () => {
    const p = await registerAs({});
    players.push(p.playerId);
    ok(await deposit(p.token, 50_000), 201, 'deposit');
    const placeBet = (tableId: string, roundId: string, spot: string, amount: number) =>
      call('POST', `/v1/tables/${tableId}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot, amount_minor: amount, currency: 'EUR' }, { token: p.token });
    tablesUsed.add(ROULETTE);
    tablesUsed.add(BACCARAT);

    // dealer roulette: a winning and a losing bet
    const r1 = ok(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer), 201, 'open').round.round_id;
    ok(await placeBet(ROULETTE, r1, 'straight:17', 100), 201, 'bet');
    ok(await placeBet(ROULETTE, r1, 'red', 1_000), 201, 'bet');
    ok(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${r1}/result`, dealer, { outcome: { number: 17 } }), 200, 'result');

    // automated baccarat: the table draws, settles by its alarm
    const opened = await table(BACCARAT).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    ok(await placeBet(BACCARAT, opened.round.round_id, 'banker', 1_000), 201, 'baccarat bet');
    ok(await placeBet(BACCARAT, opened.round.round_id, 'player', 1_000), 201, 'baccarat bet');
    await vi.waitFor(async () => {
      await runInDurableObject(table(BACCARAT), (o: TableDO) => { (o as unknown as { c: { clockOffsetMs: number } }).c.clockOffsetMs += 20_000; });
      for (let i = 0; i < 10 && (await runDurableObjectAlarm(table(BACCARAT))); i++);
      const r = await call('GET', `/v1/tables/${BACCARAT}/rounds/${opened.round.round_id}`);
      if (r.body.round.state !== 'settled') throw new Error(`round ${r.body.round.state}`);
    }, { timeout: 10_000, interval: 100 });

    // dealer blackjack: a seat with Perfect Pairs, a split and a double after it; the dealer makes 21
    tablesUsed.add(BLACKJACK);
    const bj = ok(await opCall('POST', `/v1/ops/tables/${BLACKJACK}/rounds`, dealer), 201, 'open blackjack').round.round_id;
    ok(await call('POST', `/v1/tables/${BLACKJACK}/blackjack/bets`, { bet_id: crypto.randomUUID(), round_id: bj, seat: 1, main_minor: 1_000, side_bets: { perfect_pairs: 100 }, currency: 'EUR' }, { token: p.token }), 201, 'blackjack bet');
    ok(await opCall('POST', `/v1/ops/tables/${BLACKJACK}/rounds/${bj}/close`, dealer), 200, 'close blackjack');
    const card = (c: string) => opCall('POST', `/v1/ops/tables/${BLACKJACK}/rounds/${bj}/cards`, dealer, { card: c });
    const decide = (action: string, hand_index: number) =>
      call('POST', `/v1/tables/${BLACKJACK}/blackjack/decisions`, { decision_id: crypto.randomUUID(), round_id: bj, box_id: 'seat-1', hand_index, action }, { token: p.token });
    for (const c of ['8S', '6D', '8H']) ok(await card(c), 200, `card ${c}`);
    ok(await decide('split', 0), 201, 'split');
    ok(await card('3C'), 200, 'card');
    ok(await decide('double', 0), 201, 'double');
    for (const c of ['9D', 'KS']) ok(await card(c), 200, `card ${c}`);
    ok(await decide('stand', 1), 201, 'stand');
    for (const c of ['10S', '5C']) ok(await card(c), 200, `dealer card ${c}`);

    // automated Infinite blackjack: a place (no seat: `seat` null in the hand events); nobody decides, the timers stand the hand
    tablesUsed.add(INFINITE);
    const inf = await table(INFINITE).openRound('rng');
    if (!inf.ok) throw new Error(JSON.stringify(inf));
    ok(await call('POST', `/v1/tables/${INFINITE}/blackjack/bets`, { bet_id: crypto.randomUUID(), round_id: inf.round.round_id, main_minor: 1_000, currency: 'EUR' }, { token: p.token }), 201, 'infinite bet');
    await vi.waitFor(async () => {
      await runInDurableObject(table(INFINITE), (o: TableDO) => { (o as unknown as { c: { clockOffsetMs: number } }).c.clockOffsetMs += 20_000; });
      for (let i = 0; i < 10 && (await runDurableObjectAlarm(table(INFINITE))); i++);
      const r = await call('GET', `/v1/tables/${INFINITE}/rounds/${inf.round.round_id}`);
      if (r.body.round.state !== 'settled') throw new Error(`round ${r.body.round.state}`);
    }, { timeout: 15_000, interval: 100 });

    // a round voided by the floor: every stake back
    const r2 = ok(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer), 201, 'open 2').round.round_id;
    ok(await placeBet(ROULETTE, r2, 'odd', 700), 201, 'bet 2');
    ok(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${r2}/void`, operator, { reason: 'wheel fault' }), 200, 'void');

    // a hold that expires before the table settles it (the table lost the player's object): the bet settles expired
    const r3 = ok(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer), 201, 'open 3').round.round_id;
    ok(await placeBet(ROULETTE, r3, 'even', 500), 201, 'bet 3');
    await advance(p.playerId, DAY + 60_000);
    await drainPlayerAlarms(p.playerId);
    ok(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${r3}/result`, dealer, { outcome: { number: 4 } }), 200, 'result 3');
  });

  it('the shapes equal the contract simulator/event-shapes.json', async () => {
    // the alerts reach the brand's object through the relay (asynchronous): wait for all three rules
    const events = await vi.waitFor(async () => {
      const all = await emitted();
      const rules = new Set(all.filter((e) => e.event_type === 'ops.alert.raised').map((e) => e.payload.rule));
      for (const rule of ['large_win', 'rapid_deposit_withdraw', 'failed_logins']) if (!rules.has(rule)) throw new Error(`no ${rule} alert yet`);
      return all;
    }, { timeout: 15_000, interval: 100 });
    // an operator decides two of them (with a currency and without): ops.alert.resolved (fast mode resolves some with a decision too)
    for (const [rule, decision] of [['large_win', 'no_action'], ['failed_logins', 'false_positive']]) {
      const raised = events.find((e) => e.event_type === 'ops.alert.raised' && e.payload.rule === rule)!;
      ok(await opCall('POST', `/v1/ops/brands/aurora/alerts/${raised.payload.alert_id}/resolve`, compliance, { note: 'checked by compliance', decision }), 200, `resolve ${rule}`);
    }
    events.push(...(await emitted()).filter((e) => e.event_type === 'ops.alert.resolved'));
    for (const e of events) expect(validateEvent(e), JSON.stringify(e)).toMatchObject({ ok: true });
    await expect(formatShapes(shapesOf(events))).toMatchFileSnapshot('../../simulator/event-shapes.json');
  });
});
