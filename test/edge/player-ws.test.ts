/**
 * The player channel (docs/rewards.md "Player channel"), through the real worker, table and player
 * objects: GET /v1/players/me/ws opens with the rewards snapshot; a bet settled at a table sends its
 * grants to the player's socket after the commit; a rolled-back transaction sends nothing; a player
 * at risk gets the break message and no grant; shout-outs reach the table's sockets; refusals are
 * the one JSON error and change nothing; a reconnect gets the snapshot; and sockets outlive a
 * restart of the player's object (hibernation keeps them; the channel holds nothing in memory).
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { fail } from '../../domain/errors';
import { PlayerDO } from '../../durable/player/player-do';
import type { PlayerRewards, TableBetContext } from '../../durable/player/rewards';
import { loadRewardsConfig } from '../../durable/player/rewards-config';
import raw from '../../config/rewards.json';
import { call, deposit, expectError, funded, internals, player, register, restartPlayer, type Json, type Registered } from './helpers';
import { dealerTable } from './dealer-table';
import { bootstrapAdmin, createOperator, type Operator } from './ops-helpers';
import { connectPlayer, upgrade, type PlayerSocket } from './player-socket';
import { connectTable } from './table-socket';

const ROULETTE = 'roulette-1';
let dealer: Operator;

beforeAll(async () => {
  const admin = await bootstrapAdmin();
  dealer = await createOperator(admin, { roles: ['dealer'], brands: ['aurora'] });
});

const { openRound, result } = dealerTable(ROULETTE, () => dealer);

async function bet(p: Registered, roundId: string, spot = 'red', amount_minor = 100): Promise<void> {
  const r = await call('POST', `/v1/tables/${ROULETTE}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot, amount_minor, currency: 'EUR' }, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

/** One lost red bet at the dealer's roulette, placed and settled through the real routes: its round id. */
async function lostBet(p: Registered): Promise<string> {
  const round = await openRound();
  await bet(p, round.round_id);
  await result(round.round_id, 2); // black
  return round.round_id;
}

async function rewards(p: Registered): Promise<Json> {
  const r = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const settledOf = (roundId: string) => (m: Json) => m.type === 'rewards.grant' && m.round_id === roundId && String(m.source_event_id).startsWith('bet-settled:');

/** What the player's object holds that the tests reach into (protected members). */
function inside(o: PlayerDO) {
  return o as unknown as { tx<T>(fn: () => T): T; rewardsRg: PlayerRewards; channel: { sockets(): number }; c: { now(): number } };
}

const SHOUT_RULE = {
  id: 'shout-on-settle', version: 1, status: 'active', name: 'A shout-out for every settled bet (test)', on: 'table.bet.settled',
  actions: [{ type: 'shout_out', template: 'Round of applause for {player}' }],
};

describe('the player channel', () => {
  it('opens with the snapshot, then a bet settled at a table sends its XP and points grants, naming the rule and version', async () => {
    const p = await funded();
    const socket = await connectPlayer(p.token);
    const snapshot = await socket.next('rewards.snapshot');
    expect(snapshot.rewards).toEqual(await rewards(p));
    expect(typeof snapshot.server_time).toBe('number');

    const roundId = await lostBet(p);
    const grants = [await socket.next(settledOf(roundId)), await socket.next(settledOf(roundId))];
    // config/rewards.json: settled-table-bet gives 10 XP and 5 points per settled bet
    expect(grants.map((g) => [g.kind, g.amount]).sort()).toEqual([['points', 5], ['xp', 10]]);
    for (const g of grants) {
      expect(g).toMatchObject({ rule_id: 'settled-table-bet', rule_version: expect.any(Number), table_id: ROULETTE, round_id: roundId, grant_id: expect.stringMatching(/^bet-settled:/) });
      expect(g.at).toBeGreaterThanOrEqual(snapshot.server_time);
    }
    // the placed bet's own grants came first (first hand at a new game), and nothing the player must not see
    expect(socket.log.some((m) => m.type === 'rewards.grant' && m.rule_id === 'first-hand-new-game')).toBe(true);
    await socket.drain();
    const types = new Set(socket.log.map((m) => m.type));
    for (const t of types) expect(['rewards.snapshot', 'rewards.grant', 'rewards.badge', 'rewards.mission', 'rewards.level', 'time']).toContain(t);
    // what the socket said is what the read says
    const after = await rewards(p);
    expect(after.xp - snapshot.rewards.xp).toBe(socket.log.filter((m) => m.type === 'rewards.grant' && m.kind === 'xp').reduce((s, m) => s + m.amount, 0));
    expect(after.points_balance - snapshot.rewards.points_balance).toBe(socket.log.filter((m) => m.type === 'rewards.grant' && m.kind === 'points').reduce((s, m) => s + m.amount, 0));
    socket.ws.close();
  });

  it('a rolled-back transaction sends nothing; the same evaluation committed sends its grants', async () => {
    const p = await funded();
    const socket = await connectPlayer(p.token);
    await socket.next('rewards.snapshot');
    const before = await rewards(p);
    const context: TableBetContext = {
      table_id: ROULETTE, round_id: crypto.randomUUID(), game: 'roulette', game_id: 'live-roulette-1', spot: 'red', bet_type: 'red',
      session_id: crypto.randomUUID(), amount_minor: 100, at: Date.now(), result: 'lose',
    };
    const settle = (commit: boolean) => runInDurableObject(player(p.playerId), (o: PlayerDO) => inside(o).tx(() => {
      inside(o).rewardsRg.tableBetSettled('rolled-back-hold', 'EUR', 0, context);
      return commit ? { ok: true as const } : fail('invalid_state', 'test: the transaction refuses after the rules ran');
    }));
    expect(await settle(false)).toMatchObject({ ok: false, code: 'invalid_state' });
    await socket.drain();
    expect(socket.log.filter((m) => m.type.startsWith('rewards.') && m.type !== 'rewards.snapshot')).toEqual([]);
    expect(await rewards(p)).toEqual(before);

    // not vacuous: the very same evaluation, committed, is rewarded and sent
    expect(await settle(true)).toEqual({ ok: true });
    const sent = [await socket.next(settledOf(context.round_id)), await socket.next(settledOf(context.round_id))];
    expect(sent.map((g) => g.grant_id).sort()).toEqual(['bet-settled:rolled-back-hold:settled-table-bet:0', 'bet-settled:rolled-back-hold:settled-table-bet:1']);
    expect((await rewards(p)).xp).toBe(before.xp + 10);
    socket.ws.close();
  });

  it('a player at risk (a limit just hit) gets the break message and no grant', async () => {
    const p = await funded();
    expect((await call('PUT', '/v1/limits/deposit', { period: 'day', currency: 'EUR', amount_minor: 10_000 }, { token: p.token })).status).toBe(200);
    expectError(await deposit(p.token, 5_000), 422, 'limit_exceeded');
    const socket = await connectPlayer(p.token);
    const snapshot = await socket.next('rewards.snapshot');
    const roundId = await lostBet(p);
    const brk = await socket.next('rewards.break');
    expect(brk).toMatchObject({ template: expect.stringContaining('break'), reasons: ['limit_hit'], round_id: expect.any(String), rule_set: { id: 'live-tables' } });
    await socket.drain();
    expect(socket.log.filter((m) => m.type === 'rewards.grant' || m.type === 'rewards.level' || m.type === 'rewards.badge' || m.type === 'rewards.mission')).toEqual([]);
    expect(socket.log.filter((m) => m.type === 'rewards.break')).toHaveLength(1); // once per interval
    // the suppressions are recorded (events), never sent
    const events = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
    expect(events.some((e) => e.event_type === 'rewards.suppressed' && e.round_id === roundId)).toBe(true);
    expect((await rewards(p)).xp).toBe(snapshot.rewards.xp);
    socket.ws.close();
  });

  it('a shout-out reaches the sockets of the table that the grant names, after the commit', async () => {
    const p = await funded();
    const config = loadRewardsConfig({ ...raw, rule_set: { ...raw.rule_set, rules: [...raw.rule_set.rules, SHOUT_RULE] } });
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => inside(o).rewardsRg.use(config));
    const spectator = await connectTable(ROULETTE, null);
    const socket = await connectPlayer(p.token);
    const roundId = await lostBet(p);
    const line = await spectator.next('shout_out');
    expect(line).toMatchObject({ text: expect.stringMatching(/^Round of applause for player-[0-9a-z]{6}$/), player: expect.stringMatching(/^player-/), rule_id: 'shout-on-settle' });
    expect(line.text).not.toContain(p.playerId); // a chat handle, never the id
    expect(await socket.next((m) => m.type === 'rewards.grant' && m.kind === 'shout_out' && m.round_id === roundId)).toMatchObject({ template: SHOUT_RULE.actions[0]!.template, rule_id: 'shout-on-settle' });
    spectator.ws.close();
    socket.ws.close();
  });

  it('a reconnect gets the snapshot with what was granted meanwhile; a snapshot can be asked for; bad client messages are errors', async () => {
    const p = await funded();
    const first = await connectPlayer(p.token);
    await first.next('rewards.snapshot');
    first.ws.close();
    await lostBet(p); // granted while no socket was open: nothing is queued, the snapshot has it
    const again = await connectPlayer(p.token);
    const snap = await again.next('rewards.snapshot');
    expect(snap.rewards).toEqual(await rewards(p));
    expect(snap.rewards.recent_grants.some((g: Json) => g.rule_id === 'settled-table-bet')).toBe(true);
    again.ws.send(JSON.stringify({ type: 'snapshot' }));
    expect((await again.next('rewards.snapshot')).rewards).toEqual(snap.rewards);
    again.ws.send(JSON.stringify({ type: 'time' }));
    expect((await again.next('time')).server_time).toEqual(expect.any(Number));
    again.ws.send(JSON.stringify({ type: 'floor' })); // development only (bench E4's floor): one durable write, then the answer
    expect((await again.next('floor')).server_time).toEqual(expect.any(Number));
    again.ws.send('not json');
    expect(await again.next('error')).toMatchObject({ code: 'malformed_json' });
    again.ws.send(JSON.stringify({ type: 'bet' }));
    expect(await again.next('error')).toMatchObject({ code: 'validation_failed' });
    again.ws.send(JSON.stringify({ type: 'x', pad: 'y'.repeat(600) }));
    expect(await again.next('error')).toMatchObject({ code: 'validation_failed' });
    again.ws.close();
  });

  it('logging out closes that session\'s sockets (4001), after the commit; another session\'s socket stays and still gets its rewards', async () => {
    const p = await funded();
    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status, JSON.stringify(login.body)).toBe(201);
    const [leaving, staying] = [await connectPlayer(p.token), await connectPlayer(login.body.token)];
    await leaving.next('rewards.snapshot');
    await staying.next('rewards.snapshot');
    const closed = new Promise<number>((resolve) => leaving.ws.addEventListener('close', (e) => resolve(e.code)));
    expect((await call('DELETE', '/v1/sessions/current', undefined, { token: p.token })).status).toBe(204);
    expect(await closed).toBe(4001);
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => inside(o).channel.sockets())).toBe(1);
    // a logout refused (no open session) is rolled back: it closes nothing
    expect((await call('DELETE', '/v1/sessions/current', undefined, { token: p.token })).status).toBe(401);
    const roundId = await lostBet({ ...p, token: login.body.token });
    expect(await staying.next(settledOf(roundId))).toMatchObject({ rule_id: 'settled-table-bet' });
    staying.ws.close();
  });
});

describe('bounds', () => {
  it('a ninth socket of one player closes the oldest (4000); eight stay open and all receive', async () => {
    const p = await funded();
    const sockets: PlayerSocket[] = [];
    for (let i = 0; i < 8; i++) {
      sockets.push(await connectPlayer(p.token));
      await sockets[i]!.next('rewards.snapshot');
    }
    const closed = new Promise<number>((resolve) => sockets[0]!.ws.addEventListener('close', (e) => resolve(e.code)));
    const ninth = await connectPlayer(p.token);
    await ninth.next('rewards.snapshot');
    expect(await closed).toBe(4000);
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => inside(o).channel.sockets())).toBe(8);
    const roundId = await lostBet(p);
    for (const s of [...sockets.slice(1), ninth]) expect(await s.next(settledOf(roundId))).toMatchObject({ rule_id: 'settled-table-bet' });
    for (const s of [...sockets.slice(1), ninth]) s.ws.close();
  });
});

describe('refusals', () => {
  it('plain HTTP is 426, no token or a bad one 401, an ended session 401, a blocked country 451: one JSON error, and nothing changes', async () => {
    const p = await funded();
    const before = await rewards(p);
    const errorOf = async (res: Response) => ({ status: res.status, body: await res.json() as Json });
    expectError(await errorOf(await upgrade(p.token, { upgrade: false })), 426, 'upgrade_required');
    expectError(await errorOf(await upgrade(null)), 401, 'unauthenticated');
    expectError(await errorOf(await upgrade('not-a-token')), 401, 'unauthenticated');
    expectError(await errorOf(await upgrade(p.token, { country: 'US' })), 451, 'geo_blocked');
    const other = await register();
    expect((await call('DELETE', '/v1/sessions/current', undefined, { token: other.token })).status).toBe(204);
    expectError(await errorOf(await upgrade(other.token)), 401, 'session_expired');
    // the Authorization header of the HTTP routes is not a way in either (a browser cannot send it; the subprotocol is the one way)
    const viaHeader = await call('GET', '/v1/players/me/ws', undefined, { token: p.token, headers: { Upgrade: 'websocket' } });
    expectError(viaHeader, 401, 'unauthenticated');

    expect(await rewards(p)).toEqual(before);
    for (const id of [p.playerId, other.playerId]) {
      expect(await runInDurableObject(player(id), (o: PlayerDO) => inside(o).channel.sockets())).toBe(0);
    }
  });
});

describe('hibernation', () => {
  it('a new instance of the player object (what waking from hibernation makes) finds the sockets and sends to them', async () => {
    const p = await funded();
    const socket = await connectPlayer(p.token);
    await socket.next('rewards.snapshot');
    const context: TableBetContext = {
      table_id: ROULETTE, round_id: crypto.randomUUID(), game: 'roulette', game_id: 'live-roulette-1', spot: 'red', bet_type: 'red',
      session_id: crypto.randomUUID(), amount_minor: 100, at: Date.now(), result: 'lose',
    };
    await runInDurableObject(player(p.playerId), (o: PlayerDO, state) => {
      // a fresh instance on the same state and storage: nothing of the old one's memory
      const fresh = new PlayerDO(state, env);
      expect(inside(fresh).channel.sockets()).toBe(1);
      inside(fresh).tx(() => {
        inside(fresh).rewardsRg.tableBetSettled('fresh-instance-hold', 'EUR', 0, context);
        return { ok: true as const };
      });
      internals(o).c.forgetCaches(); // the old instance reloads what the fresh one wrote
    });
    expect(await socket.next(settledOf(context.round_id))).toMatchObject({ rule_id: 'settled-table-bet', grant_id: expect.stringMatching(/^bet-settled:fresh-instance-hold:/) });
    socket.ws.close();
  });

  it('a crash (the object aborted) closes the sockets; the reconnect snapshot has what was granted meanwhile', async () => {
    const p = await funded();
    const socket = await connectPlayer(p.token);
    const first = await socket.next('rewards.snapshot');
    const closed = new Promise<number>((resolve) => socket.ws.addEventListener('close', (e) => resolve(e.code)));
    await restartPlayer(p.playerId);
    expect(await closed).toBeGreaterThanOrEqual(1000);
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => inside(o).channel.sockets())).toBe(0);
    await lostBet(p);
    const again = await connectPlayer(p.token);
    const snap = await again.next('rewards.snapshot');
    expect(snap.rewards.xp).toBeGreaterThan(first.rewards.xp);
    expect(snap.rewards).toEqual(await rewards(p));
    const roundId = await lostBet(p);
    expect(await again.next(settledOf(roundId))).toMatchObject({ rule_id: 'settled-table-bet' });
    again.ws.close();
  });
});

describe('the channel costs the bet nothing when nobody listens', () => {
  it('a settled bet with no socket open sends nothing and still grants', async () => {
    const p = await funded();
    expect(await runInDurableObject(player(p.playerId), (o: PlayerDO) => inside(o).channel.sockets())).toBe(0);
    const before = await rewards(p);
    await lostBet(p);
    expect((await rewards(p)).xp).toBeGreaterThan(before.xp);
  });
});

