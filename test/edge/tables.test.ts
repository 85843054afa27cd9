/**
 * Live tables through the real worker and objects: dealer rounds, refusals that change nothing,
 * voids, the betting timer, automated provably-fair rounds, a settlement interrupted by a restart
 * (TARGETS.md R3), and the table WebSocket.
 */
import { SELF, env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyRound } from '../../domain/fairness/provably-fair';
import type { TableDO } from '../../durable/table/table-do';
import { advance, call, deposit, expectError, player, register, type Json, type Registered } from './helpers';
import { bootstrapAdmin, createOperator, opCall, type Operator } from './ops-helpers';
import { connectTable } from './table-socket';

const ROULETTE = 'roulette-1';

function table(tableId: string): DurableObjectStub<TableDO> {
  return env.TABLE.getByName(tableId) as DurableObjectStub<TableDO>;
}

/** The private parts of a TableDO instance, for tests that run inside it. */
function tableInternals(o: unknown) {
  return o as {
    c: import('../../durable/table/context').TableContext;
    settlement: { port: (playerId: string) => import('../../durable/table/player-port').PlayerPort; wave: number };
    ctx: DurableObjectState;
  };
}

async function advanceTable(tableId: string, ms: number): Promise<void> {
  await runInDurableObject(table(tableId), (o: TableDO) => { tableInternals(o).c.clockOffsetMs += ms; });
}

async function drainAlarms(tableId: string): Promise<void> {
  for (let i = 0; i < 10 && (await runDurableObjectAlarm(table(tableId))); i++);
}

async function funded(amount = 10_000, over: Json = {}): Promise<Registered> {
  const p = await register(over);
  expect((await deposit(p.token, amount)).status).toBe(201);
  return p;
}

async function available(p: Registered): Promise<number> {
  const r = await call('GET', '/v1/wallet', undefined, { token: p.token });
  return (r.body.balances as Json[]).find((b) => b.currency === 'EUR')?.available_minor ?? 0;
}

function bet(p: Registered, roundId: string, spot: string, amount_minor: number, over: Json = {}) {
  return call('POST', `/v1/tables/${ROULETTE}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot, amount_minor, currency: 'EUR', ...over }, { token: p.token });
}

async function outboxTypes(tableId: string, roundId: string): Promise<string[]> {
  return (await table(tableId).outbox(0, 1000)).filter((r) => r.event.round_id === roundId).map((r) => r.event.event_type);
}

let admin: Operator;
let dealer: Operator;
let floor: Operator;

beforeAll(async () => {
  admin = await bootstrapAdmin();
  dealer = await createOperator(admin, { roles: ['dealer'], brands: ['aurora'] });
  floor = await createOperator(admin, { roles: ['operator'], brands: ['aurora'] });
});

async function openRound(): Promise<Json> {
  const r = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.round;
}

async function settleWith(roundId: string, number: number): Promise<Json> {
  const r = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${roundId}/result`, dealer, { outcome: { number } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.round;
}

describe('dealer rounds', () => {
  it('bets reserve stakes; the result settles each bet once and credits the wins', async () => {
    const [a, b, c] = [await funded(), await funded(), await funded()];
    const round = await openRound();
    expect(round).toMatchObject({ state: 'betting_open', round_no: expect.any(Number), commitment: null });
    expect((await bet(a, round.round_id, 'straight:17', 500)).status).toBe(201);
    expect((await bet(b, round.round_id, 'black', 1000)).status).toBe(201);
    expect((await bet(c, round.round_id, 'dozen:1', 200)).status).toBe(201);
    expect((await bet(c, round.round_id, 'split:20-17', 100)).body.bet).toMatchObject({ spot: 'split:17-20', bet_type: 'split', state: 'accepted' });
    expect(await available(c)).toBe(9_700); // reserved, not yet taken

    const settled = await settleWith(round.round_id, 17);
    expect(settled).toMatchObject({ state: 'settled', outcome: { number: 17 }, summary: expect.objectContaining({ color: 'black' }) });
    expect(await available(a)).toBe(10_000 - 500 + 500 * 36);
    expect(await available(b)).toBe(10_000 - 1000 + 2000);
    expect(await available(c)).toBe(10_000 - 300 + 100 * 18);

    // entering the result again changes nothing
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}/result`, dealer, { outcome: { number: 0 } }), 409, 'invalid_state');
    expect(await available(a)).toBe(10_000 - 500 + 500 * 36);

    for (const p of [a, b, c]) {
      expect(await player(p.playerId).audit()).toEqual([]);
      const ledger = await call('GET', '/v1/wallet/ledger', undefined, { token: p.token });
      const kinds = (ledger.body.entries as Json[]).map((e) => e.kind);
      expect(kinds.filter((k) => k === 'bet').length).toBe(p === c ? 2 : 1);
    }
    const types = await outboxTypes(ROULETTE, round.round_id);
    expect(types.filter((t) => t === 'table.bet.placed')).toHaveLength(4);
    expect(types.filter((t) => t === 'table.bet.settled')).toHaveLength(4);
    expect(types).toEqual(expect.arrayContaining(['table.round.opened', 'table.round.closed', 'table.round.result', 'table.round.settled']));

    const detail = await opCall('GET', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}`, floor);
    expect(detail.body.totals).toEqual([{ currency: 'EUR', bets: 4, wagered_minor: 1800, returned_minor: 500 * 36 + 2000 + 1800 }]);
    const rtp = await opCall('GET', `/v1/ops/tables/${ROULETTE}/rtp`, floor);
    const all = (rtp.body.windows as Json[]).find((w) => w.window === '1h' && w.bet_type === '*');
    expect(all).toMatchObject({ bets: expect.any(Number), theoretical_rtp: expect.closeTo(36 / 37, 6) });
  });

  it("table money events reach the brand's back office by the relay alarm, not during the settlement", async () => {
    const p = await funded();
    const round = await openRound();
    await bet(p, round.round_id, 'low', 100);
    await settleWith(round.round_id, 3);
    const events = (await player(p.playerId).outbox(0, 100)).map((r) => r.event).filter((e) => e.event_type === 'wallet.win.credited');
    expect(events).toHaveLength(1);
    const ops = env.BRAND_OPS.getByName('ops:aurora');
    expect(await ops.seen(events[0]!.event_id)).toBe(false);
    await advance(p.playerId, 6_000);
    for (let i = 0; i < 3 && (await runDurableObjectAlarm(player(p.playerId))); i++);
    expect(await ops.seen(events[0]!.event_id)).toBe(true);
  });

  it('refused bets answer with a clear code and take no money', async () => {
    const p = await funded(20_000);
    const round = await openRound();
    const cases: [string, number, Json, number, string][] = [
      ['straight:37', 500, {}, 422, 'unknown_bet_spot'],
      ['split:1-5', 500, {}, 422, 'unknown_bet_spot'],
      ['banker', 500, {}, 422, 'unknown_bet_spot'],
      ['straight:5', 50, {}, 422, 'bet_out_of_limits'],
      ['straight:5', 10_001, {}, 422, 'bet_out_of_limits'],
      ['red', 500, { currency: 'KWD' }, 422, 'unsupported_currency'],
      ['red', 500, { round_id: '01890000-0000-7000-8000-000000000000' }, 404, 'round_not_found'],
      ['red', 50_000, {}, 422, 'insufficient_funds'],
    ];
    for (const [spot, amount, over, status, code] of cases) expectError(await bet(p, round.round_id, spot, amount, over), status, code);
    expectError(await call('POST', `/v1/tables/${ROULETTE}/bets`, { bet_id: crypto.randomUUID(), round_id: round.round_id, spot: 'red', amount_minor: 100, currency: 'EUR' }), 401, 'unauthenticated');
    expectError(await call('POST', '/v1/tables/no-such-table/bets', { bet_id: crypto.randomUUID(), round_id: round.round_id, spot: 'red', amount_minor: 100, currency: 'EUR' }, { token: p.token }), 404, 'table_not_found');
    expectError(await bet(p, round.round_id, 'red', 100.5), 400, 'validation_failed');
    expect(await available(p)).toBe(20_000);

    // idempotent on bet_id: a replay answers the same bet, another bet under the same id is a conflict
    const bet_id = crypto.randomUUID();
    expect((await bet(p, round.round_id, 'black', 1000, { bet_id })).status).toBe(201);
    const replay = await bet(p, round.round_id, 'black', 1000, { bet_id });
    expect(replay.status).toBe(200);
    expect(replay.body).toMatchObject({ replayed: true, bet: { bet_id, state: 'accepted' } });
    expectError(await bet(p, round.round_id, 'black', 2000, { bet_id }), 409, 'idempotency_conflict');
    expect(await available(p)).toBe(19_000);

    // exposure: what one player's bets may return in a round is capped (EUR 50,000 here)
    const rich = await funded(200_000);
    for (let i = 0; i < 13; i++) expect((await bet(rich, round.round_id, `straight:${i}`, 10_000)).status).toBe(201);
    expectError(await bet(rich, round.round_id, 'straight:20', 10_000), 422, 'exposure_exceeded');
    expect(await available(rich)).toBe(200_000 - 130_000);

    // after close
    expect((await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}/close`, dealer)).status).toBe(200);
    expectError(await bet(p, round.round_id, 'red', 100), 409, 'betting_closed');
    expect(await available(p)).toBe(19_000);
    await settleWith(round.round_id, 0);
    expect(await available(rich)).toBe(200_000 - 130_000 + 10_000 * 36);
  });

  it('a void refunds every bet; a settled round cannot be voided', async () => {
    const [a, b] = [await funded(), await funded()];
    const round = await openRound();
    await bet(a, round.round_id, 'odd', 700);
    await bet(b, round.round_id, 'straight:3', 300);
    expect(await available(a)).toBe(9_300);
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}/void`, dealer, { reason: 'dealer cannot void' }), 403, 'forbidden');
    const voided = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}/void`, floor, { reason: 'wheel malfunction, ticket 88' });
    expect(voided.status).toBe(200);
    expect(voided.body.round).toMatchObject({ state: 'voided', void_reason: 'wheel malfunction, ticket 88' });
    expect(await available(a)).toBe(10_000);
    expect(await available(b)).toBe(10_000);
    const mine = await call('GET', `/v1/tables/${ROULETTE}/bets?round_id=${round.round_id}`, undefined, { token: a.token });
    expect(mine.body.bets).toEqual([expect.objectContaining({ state: 'voided', result: 'void', returned_minor: 700 })]);
    expectError(await bet(a, round.round_id, 'red', 100), 409, 'betting_closed');

    const next = await openRound();
    await bet(a, next.round_id, 'red', 100);
    await settleWith(next.round_id, 1);
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${next.round_id}/void`, floor, { reason: 'too late for this' }), 409, 'invalid_state');
    expect(await available(a)).toBe(10_100);
  });

  it('only one live round at a time; betting closes when the timer runs out', async () => {
    const p = await funded();
    const round = await openRound();
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer), 409, 'invalid_state');
    await advanceTable(ROULETTE, 16_000);
    await drainAlarms(ROULETTE);
    expect((await call('GET', `/v1/tables/${ROULETTE}/rounds/${round.round_id}`)).body.round.state).toBe('betting_closed');
    expectError(await bet(p, round.round_id, 'red', 100), 409, 'betting_closed');
    await settleWith(round.round_id, 5);
  });

  it('a dealer may hold betting open longer for one round (3 to 120 s)', async () => {
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer, { betting_seconds: 121 }), 400, 'validation_failed');
    const r = await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds`, dealer, { betting_seconds: 40 });
    expect(r.status).toBe(201);
    expect(r.body.round.closes_at - r.body.round.opened_at).toBe(40_000);
    await settleWith(r.body.round.round_id, 9);
  });

  it('a result that breaks the game rules is refused', async () => {
    const round = await openRound();
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}/result`, dealer, { outcome: { number: 37 } }), 422, 'invalid_outcome');
    expectError(await opCall('POST', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}/result`, dealer, { outcome: { player: ['9H', 'KD'], banker: ['7S', '10C'] } }), 422, 'invalid_outcome');
    expect((await call('GET', `/v1/tables/${ROULETTE}/rounds/${round.round_id}`)).body.round.state).toBe('betting_open');
    await settleWith(round.round_id, 5);
  });
});

describe('automated tables', () => {
  it('publish the seed commitment before betting and a verifiable seed after the result', async () => {
    const AUTO = 'auto-roulette-1';
    const p = await funded();
    const opened = await table(AUTO).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const round = opened.round;
    expect(round.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(round.server_seed).toBeNull();
    const placed = await call('POST', `/v1/tables/${AUTO}/bets`, { bet_id: crypto.randomUUID(), round_id: round.round_id, spot: 'even', amount_minor: 1000, currency: 'EUR' }, { token: p.token });
    expect(placed.status).toBe(201);
    expect((await call('GET', `/v1/tables/${AUTO}/rounds/${round.round_id}`)).body.round.server_seed).toBeNull();

    await advanceTable(AUTO, 13_000);
    await drainAlarms(AUTO);
    const pub = (await call('GET', `/v1/tables/${AUTO}/rounds/${round.round_id}`)).body.round;
    expect(pub).toMatchObject({ state: 'settled', result_source: 'rng', commitment: round.commitment, server_seed: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifyRound({ kind: 'roulette', table_id: AUTO, round_id: pub.round_id, commitment: pub.commitment, server_seed: pub.server_seed, outcome: pub.outcome })).toEqual({ ok: true });
    expect(verifyRound({ kind: 'roulette', table_id: AUTO, round_id: pub.round_id, commitment: pub.commitment, server_seed: pub.server_seed, outcome: { number: (pub.outcome.number + 1) % 37 } }).ok).toBe(false);
    const n = pub.outcome.number as number;
    const won = n !== 0 && n % 2 === 0;
    expect(await available(p)).toBe(won ? 11_000 : 9_000);
    // nobody is watching, so the table does not start another round
    expect((await call('GET', `/v1/tables/${AUTO}`)).body.round.round_id).toBe(round.round_id);
  });
});

describe('bench E5 floor probe (development routes)', () => {
  it('calls every bet\'s player object once and changes nothing; refuses strangers and unknown rounds', async () => {
    const [a, b] = [await funded(), await funded()];
    const open = await opCall('POST', `/v1/dev/tables/${ROULETTE}/rounds`, dealer, { betting_seconds: 900 });
    expect(open.status, JSON.stringify(open.body)).toBe(201);
    const round = open.body.round;
    expect(round.closes_at - round.opened_at).toBe(900_000);
    expect((await bet(a, round.round_id, 'red', 100)).status).toBe(201);
    expect((await bet(b, round.round_id, 'black', 200)).status).toBe(201);
    const probe = await opCall('POST', `/v1/dev/tables/${ROULETTE}/rounds/${round.round_id}/floor-probe`, dealer);
    expect(probe.status, JSON.stringify(probe.body)).toBe(200);
    expect(probe.body.calls).toBe(2);
    // nothing moved: the stakes are still held, the bets still open
    expect([await available(a), await available(b)]).toEqual([9_900, 9_800]);
    const detail = await opCall('GET', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}`, floor);
    expect((detail.body.bets as Json[]).map((x) => x.state)).toEqual(['accepted', 'accepted']);
    expectError(await opCall('POST', `/v1/dev/tables/${ROULETTE}/rounds/${crypto.randomUUID()}/floor-probe`, dealer), 404, 'round_not_found');
    expectError(await call('POST', `/v1/dev/tables/${ROULETTE}/rounds/${round.round_id}/floor-probe`), 401, 'unauthenticated');
    expectError(await opCall('POST', `/v1/dev/tables/${ROULETTE}/rounds`, dealer, { betting_seconds: 3601 }), 400, 'validation_failed');
    expect((await settleWith(round.round_id, 1)).state).toBe('settled');
  });
});

describe('R3: a settlement interrupted by a restart', () => {
  /** Settled stakes counted in the table's RTP buckets (each bet must be counted once). */
  async function rtpBets(): Promise<number> {
    return runInDurableObject(table(ROULETTE), (o: TableDO) => tableInternals(o).c.db.first<{ n: number | null }>`select sum(bets) as n from rtp_hours`!.n ?? 0);
  }

  /**
   * 30 bets; the table object dies after `dieAfter` settle calls (what it wrote is durable first);
   * one player's answer is lost in transit. Waves of `wave` calls (settlement.ts records each wave
   * in one transaction). Returns the players, the round and how many bets were settled at the death.
   */
  async function interrupted(wave: number, dieAfter: number) {
    const players = await Promise.all(Array.from({ length: 30 }, () => funded(5_000)));
    const round = await openRound();
    for (const [i, p] of players.entries()) expect((await bet(p, round.round_id, i % 2 ? 'red' : `straight:${i % 37}`, 100)).status).toBe(201);
    const rtpBefore = await rtpBets();
    // a settle call that reached a player object whose answer was lost: the retry must not pay twice
    const lost = players[3]!;
    const died = await runInDurableObject(table(ROULETTE), async (o: TableDO) => {
      const t = tableInternals(o);
      t.settlement.wave = wave;
      const real = t.settlement.port;
      let calls = 0;
      t.settlement.port = (id) => {
        const port = real(id);
        return {
          ...port,
          reserveTableBet: (...args) => port.reserveTableBet(...args),
          abandonTableBet: (holdId) => port.abandonTableBet(holdId),
          floorProbe: () => port.floorProbe(),
          settleTableBet: async (input) => {
            if (++calls > dieAfter) {
              // what was written is durable (in production the output gate holds these calls until it is), then the object dies
              await t.ctx.storage.sync();
              t.ctx.abort('test: restart in the middle of a settlement');
              throw new Error('aborted');
            }
            const r = await port.settleTableBet(input);
            if (id === lost.playerId) throw new Error('answer lost');
            return r;
          },
        };
      };
      return o.enterResult(round.round_id, { number: 7 }, 'operator:test').then(() => 'finished', (e: Error) => e.message);
    }).catch((e: Error) => e.message);
    // the call ends with the object's death (its abort reason), not with a finished settlement
    expect(died).toBe('test: restart in the middle of a settlement');
    const atDeath = await opCall('GET', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}`, floor);
    expect(atDeath.body.round.state).toBe('result');
    const settledAtDeath = (atDeath.body.bets as Json[]).filter((b) => b.state === 'settled').length;
    return { players, round, lost, settledAtDeath, rtpBefore };
  }

  async function expectExactlyOnce({ players, round, rtpBefore }: Awaited<ReturnType<typeof interrupted>>) {
    // the restarted object picks the settlement up from its alarm (retries of failed calls come 2 s apart)
    for (let i = 0; i < 10; i++) {
      if ((await call('GET', `/v1/tables/${ROULETTE}/rounds/${round.round_id}`)).body.round.state === 'settled') break;
      await runDurableObjectAlarm(table(ROULETTE));
      await advanceTable(ROULETTE, 2_500);
    }
    expect((await call('GET', `/v1/tables/${ROULETTE}/rounds/${round.round_id}`)).body.round.state).toBe('settled');
    for (const [i, p] of players.entries()) {
      expect(await player(p.playerId).audit()).toEqual([]);
      const holds = await runInDurableObject(player(p.playerId), (o) => (o as unknown as { walletRg: { openHolds(): unknown[] } }).walletRg.openHolds());
      expect(holds).toEqual([]);
      const entries = (await call('GET', '/v1/wallet/ledger', undefined, { token: p.token })).body.entries as Json[];
      expect(entries.filter((e) => e.kind === 'bet')).toHaveLength(1);
      const wins = entries.filter((e) => e.kind === 'win');
      const won = i % 2 ? true : i % 37 === 7; // 7 is red
      expect(wins).toHaveLength(won ? 1 : 0);
      expect(await available(p)).toBe(5_000 - 100 + (won ? (i % 2 ? 200 : 3600) : 0));
    }
    // the table's own records: one settled event and one RTP sample per bet, none twice
    const settledEvents = (await outboxTypes(ROULETTE, round.round_id)).filter((t) => t === 'table.bet.settled');
    expect(settledEvents).toHaveLength(30);
    expect((await rtpBets()) - rtpBefore).toBe(30);
    const detail = await opCall('GET', `/v1/ops/tables/${ROULETTE}/rounds/${round.round_id}`, floor);
    expect((detail.body.bets as Json[]).every((b) => b.state === 'settled')).toBe(true);
    expect(detail.body.totals).toEqual([{ currency: 'EUR', bets: 30, wagered_minor: 3_000, returned_minor: 15 * 200 }]);
  }

  it('finishes after the restart with every bet settled exactly once and no hold left pending', async () => {
    // one wave (the default size): the object dies with 12 calls answered and none recorded yet
    const run = await interrupted(250, 12);
    expect(run.settledAtDeath).toBe(0);
    await expectExactlyOnce(run);
  });

  it('a restart between waves keeps the recorded waves and settles the rest once', async () => {
    // waves of 8: the first wave (one lost answer among them) is recorded, the second dies after 4 calls
    const run = await interrupted(8, 12);
    expect(run.settledAtDeath).toBe(run.players.slice(0, 8).includes(run.lost) ? 7 : 8);
    await expectExactlyOnce(run);
  });
});

describe('the table WebSocket', () => {
  const connect = (token: string | null) => connectTable(ROULETTE, token);

  it('pushes the round, the player\'s own bets and settlements, and chat (rate-limited; players only)', async () => {
    const p = await funded();
    const other = await funded();
    const me = await connect(p.token);
    const spectator = await connect(null);
    expect((await me.next('hello')).you).toMatchObject({ player_id: p.playerId });
    expect((await spectator.next('hello')).you).toBeNull();

    const round = await openRound();
    expect((await me.next('round.opened')).round.round_id).toBe(round.round_id);
    await bet(p, round.round_id, 'black', 400);
    await bet(other, round.round_id, 'red', 400);
    const accepted = await me.next('bet.accepted');
    expect(accepted).toMatchObject({ bet: { spot: 'black', amount_minor: 400 }, available_minor: 9_600 });
    await settleWith(round.round_id, 2); // black
    expect((await me.next('bet.settled')).bet).toMatchObject({ result: 'win', returned_minor: 800 });
    expect((await spectator.next('round.settled')).round.state).toBe('settled');
    // only the player's own bets reach their socket; spectators get none
    expect(me.log.filter((m) => m.type === 'bet.accepted').map((m) => m.bet.spot)).toEqual(['black']);
    expect(spectator.log.some((m) => m.type.startsWith('bet.'))).toBe(false);

    spectator.ws.send(JSON.stringify({ type: 'chat', text: 'hello' }));
    expect(await spectator.next('error')).toMatchObject({ code: 'unauthenticated' });
    me.ws.send(JSON.stringify({ type: 'chat', text: 'x'.repeat(201) }));
    expect(await me.next('error')).toMatchObject({ code: 'validation_failed' });
    for (let i = 0; i < 5; i++) me.ws.send(JSON.stringify({ type: 'chat', text: `good luck ${i}` }));
    for (let i = 0; i < 5; i++) expect((await spectator.next('chat')).text).toBe(`good luck ${i}`);
    me.ws.send(JSON.stringify({ type: 'chat', text: 'one too many' }));
    expect(await me.next('error')).toMatchObject({ code: 'rate_limited' });
    me.ws.send('not json');
    expect(await me.next('error')).toMatchObject({ code: 'malformed_json' });
    me.ws.close();
    spectator.ws.close();
  });

  it('refuses a bad token and plain HTTP', async () => {
    const res = await SELF.fetch(`https://casino.test/v1/tables/${ROULETTE}/ws`, { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'casino.v1, bearer.not-a-token' }, cf: { country: 'MT' } } as RequestInit);
    expect(res.status).toBe(401);
    await res.text();
    expectError(await call('GET', `/v1/tables/${ROULETTE}/ws`), 400, 'validation_failed');
  });
});
