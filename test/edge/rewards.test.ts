/**
 * The rewards engine wired into the player's object (docs/rewards.md "Wiring"), through the real
 * worker, table and player objects: a settled table bet grants what the live rule set
 * (config/rewards.json) says and GET /v1/players/me/rewards shows it; the table's retry of the
 * settlement grants nothing twice; self-excluded and cooling-off players get nothing; a player at
 * risk gets the break message and no promotion; bad requests are clear 4xx that change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../../domain/events';
import { validateEvent } from '../../domain/events';
import { loadRewardsConfig } from '../../durable/player/rewards-config';
import raw from '../../config/rewards.json';
import { call, deposit, expectError, funded, player, register, type Json, type Registered } from './helpers';
import { dealerTable } from './dealer-table';
import { tableCrew, type Operator } from './ops-helpers';

const ROULETTE = 'roulette-1';
let dealer: Operator;
let floor: Operator;

beforeAll(async () => {
  ({ dealer, floor } = await tableCrew());
});

const { openRound, result } = dealerTable(ROULETTE, () => dealer);

function bet(p: Registered, roundId: string, spot: string, amount_minor: number) {
  return call('POST', `/v1/tables/${ROULETTE}/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, spot, amount_minor, currency: 'EUR' }, { token: p.token });
}

async function rewards(p: Registered): Promise<Json> {
  const r = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function rewardEvents(p: Registered): Promise<CasinoEvent[]> {
  return (await player(p.playerId).outbox(0, 1000)).map((r) => r.event).filter((e) => e.event_type.startsWith('rewards.'));
}

describe('rewards on table bets', () => {
  it('a settled bet grants the XP and points its rule says, in the events and in GET /v1/players/me/rewards', async () => {
    const p = await funded();
    const round = await openRound();
    expect((await bet(p, round.round_id, 'red', 100)).status).toBe(201);
    const placed = await rewards(p);
    await result(round.round_id, 2); // black: the bet loses
    const after = await rewards(p);

    // config/rewards.json: settled-table-bet gives 10 XP and 5 points per settled bet
    expect(after.xp - placed.xp).toBe(10);
    expect(after.points_balance - placed.points_balance).toBe(5);
    expect(after.rule_set).toEqual({ id: 'live-tables', version: 4 });
    expect(after.level).toMatchObject({ level: 1, name: 'Bronze' });
    const settledGrants = (after.recent_grants as Json[]).filter((g) => g.rule_id === 'settled-table-bet');
    expect(settledGrants.map((g) => [g.kind, g.amount]).sort()).toEqual([['points', 5], ['xp', 10]]);
    expect(after.missions).toEqual(expect.arrayContaining([expect.objectContaining({ mission_id: 'baccarat-explorer', step_id: 'banker-bets', progress: 0 })]));

    // every reward event is valid against the contract and names the bet it came from
    const events = await rewardEvents(p);
    for (const e of events) expect(validateEvent(e)).toMatchObject({ ok: true });
    const granted = events.filter((e) => e.event_type === 'rewards.granted' && e.payload.rule_id === 'settled-table-bet');
    expect(granted).toHaveLength(2);
    expect(granted[0]!.payload).toMatchObject({ cash_like: false, paid: false, cost_minor: 0 });
    expect(String(granted[0]!.payload.source_event_id)).toMatch(/^bet-settled:/);
    expect(granted[0]!.table_id).toBe(ROULETTE);
    expect(granted[0]!.round_id).toBe(round.round_id);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it("puts every grant and suppression on the player's back-office timeline, with the rule and version that fired", async () => {
    const p = await funded();
    const round = await openRound();
    expect((await bet(p, round.round_id, 'red', 100)).status).toBe(201);
    await result(round.round_id, 2);
    const r = await call('GET', `/v1/ops/players/${p.playerId}/timeline?limit=100`, undefined, { token: floor.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const shown = (r.body.events as Json[]).map((e) => e.event as Json).filter((e) => String(e.event_type).startsWith('rewards.'));
    const emitted = await rewardEvents(p);
    expect(shown.map((e) => e.event_id).sort()).toEqual(emitted.map((e) => e.event_id).sort());
    expect(shown.filter((e) => e.event_type === 'rewards.granted' && e.payload.rule_id === 'settled-table-bet').map((e) => e.payload.kind).sort()).toEqual(['points', 'xp']);
    for (const e of shown.filter((x) => x.event_type === 'rewards.granted' || x.event_type === 'rewards.suppressed')) {
      expect(e.payload).toMatchObject({ rule_id: expect.any(String), rule_version: expect.any(Number) });
    }
  });

  it('the same settlement again (the table retries) grants nothing twice and moves no money', async () => {
    const p = await funded();
    const round = await openRound();
    expect((await bet(p, round.round_id, 'red', 100)).status).toBe(201);
    await result(round.round_id, 2);
    const before = await rewards(p);
    const eventsBefore = (await rewardEvents(p)).length;
    const grant = (await rewardEvents(p)).find((e) => e.event_type === 'rewards.granted' && e.payload.rule_id === 'settled-table-bet')!;
    const holdId = String(grant.payload.source_event_id).slice('bet-settled:'.length);
    const wallet = (await call('GET', '/v1/wallet', undefined, { token: p.token })).body;

    const context = {
      table_id: ROULETTE, round_id: round.round_id, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red',
      session_id: 'any', amount_minor: 100, at: grant.occurred_at, result: 'lose' as const,
    };
    for (let i = 0; i < 3; i++) {
      const again = await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 0 }, context);
      expect(again).toMatchObject({ ok: true, state: 'posted', returned_minor: 0 });
    }
    expect(await rewards(p)).toEqual(before);
    expect((await rewardEvents(p)).length).toBe(eventsBefore);
    expect((await call('GET', '/v1/wallet', undefined, { token: p.token })).body).toEqual(wallet);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a player who self-excluded or is cooling off before the settlement gets nothing from it', async () => {
    const [excluded, cooling] = [await funded(), await funded()];
    const round = await openRound();
    for (const p of [excluded, cooling]) expect((await bet(p, round.round_id, 'red', 100)).status).toBe(201);
    const eventsBefore = [(await rewardEvents(excluded)).length, (await rewardEvents(cooling)).length];
    expect((await call('POST', '/v1/self-exclusion', { months: 6 }, { token: excluded.token })).status).toBe(200);
    expect((await call('POST', '/v1/cool-off', { hours: 24 }, { token: cooling.token })).status).toBe(200);
    await result(round.round_id, 1); // red: both bets win, and are paid
    for (const [i, p] of [excluded, cooling].entries()) {
      expect((await rewardEvents(p)).length).toBe(eventsBefore[i]);
      const events = (await player(p.playerId).outbox(0, 1000)).map((r) => r.event);
      expect(events.filter((e) => e.event_type === 'wallet.win.credited')).toHaveLength(1); // the money settled all the same
    }
  });

  it('a player at risk (a limit just hit) gets the break message and no promotion', async () => {
    const p = await funded();
    expect((await call('PUT', '/v1/limits/deposit', { period: 'day', currency: 'EUR', amount_minor: 10_000 }, { token: p.token })).status).toBe(200);
    expectError(await deposit(p.token, 5_000), 422, 'limit_exceeded');
    const before = await rewards(p);
    const round = await openRound();
    expect((await bet(p, round.round_id, 'red', 100)).status).toBe(201);
    await result(round.round_id, 2);
    const after = await rewards(p);
    expect(after.xp).toBe(before.xp);
    expect(after.points_balance).toBe(before.points_balance);
    const events = await rewardEvents(p);
    const breaks = events.filter((e) => e.event_type === 'rewards.break_suggested');
    expect(breaks).toHaveLength(1); // once per interval, not per event
    expect(breaks[0]!.payload).toMatchObject({ reasons: 'limit_hit', template: expect.stringContaining('break') });
    const suppressed = events.filter((e) => e.event_type === 'rewards.suppressed' && e.payload.rule_id === 'settled-table-bet');
    expect(suppressed).toEqual([expect.objectContaining({ payload: expect.objectContaining({ reason: 'player_at_risk', detail: 'limit_hit' }) })]);
    expect(events.filter((e) => e.event_type === 'rewards.granted' && String(e.payload.source_event_id).startsWith('bet-'))).toEqual([]);
  });
});

describe('rapid losses', () => {
  it('net losses reaching the threshold within the window (config/rewards.json risk) stop the promotions', async () => {
    const p = await funded(60_000);
    const xp: number[] = [];
    for (let i = 0; i < 5; i++) { // 5 x 100.00 EUR lost: the fifth reaches risk.rapid_losses (500.00 EUR in 60 minutes)
      const round = await openRound();
      expect((await bet(p, round.round_id, 'red', 10_000)).status).toBe(201);
      await result(round.round_id, 2);
      xp.push((await rewards(p)).xp);
    }
    const steps = xp.slice(1).map((x, i) => x - xp[i]!);
    expect(steps).toEqual([10, 10, 10, 0]); // the fifth settlement is suppressed
    const events = await rewardEvents(p);
    expect(events.filter((e) => e.event_type === 'rewards.break_suggested').map((e) => e.payload.reasons)).toEqual(['rapid_losses']);
  });
});

describe('rewards on deposits and logins', () => {
  it('a completed deposit grants its points once a day; a login spins the daily wheel', async () => {
    const p = await funded(); // one completed deposit
    const first = await rewards(p);
    expect(first.points_balance).toBe(25); // deposit-points
    expect((first.recent_grants as Json[]).map((g) => g.rule_id)).toEqual(['deposit-points']);
    expect((await deposit(p.token, 1_000)).status).toBe(201);
    expect((await rewards(p)).points_balance).toBe(25); // caps.per_day: 1

    const login = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
    expect(login.status).toBe(201);
    const after = await rewards(p);
    expect(after.recent_grants[0]).toMatchObject({ rule_id: 'daily-login-spin', kind: 'wheel_spin', detail: 'daily' });
  });
});

describe('bad requests', () => {
  it('the read needs a player token: 401, and a wrong method is a 4xx, never a 500', async () => {
    expectError(await call('GET', '/v1/players/me/rewards'), 401, 'unauthenticated');
    expectError(await call('GET', '/v1/players/me/rewards', undefined, { token: 'not-a-token' }), 401, 'unauthenticated');
    const wrong = await call('POST', '/v1/players/me/rewards', {}, { token: (await register()).token });
    expect(wrong.status).toBeGreaterThanOrEqual(400);
    expect(wrong.status).toBeLessThan(500);
  });

  it('settling an unknown hold is refused, and grants nothing', async () => {
    const p = await funded();
    const before = (await rewardEvents(p)).length;
    const r = await player(p.playerId).settleTableBet({ hold_id: 'no-such-hold', win_id: 'no-such-hold:return', returned_minor: 0 }, {
      table_id: ROULETTE, round_id: 'r', game: 'roulette', game_id: 'g', spot: 'red', bet_type: 'red', session_id: 's', amount_minor: 100, at: Date.now(), result: 'lose',
    });
    expect(r).toMatchObject({ ok: false, code: 'hold_not_found' });
    expect((await rewardEvents(p)).length).toBe(before);
  });

  it('a rule set that does not validate is refused at load, with the path of each issue', () => {
    const bad = structuredClone(raw) as Json;
    bad.rule_set.rules[0].on = 'table.bet.exploded';
    expect(() => loadRewardsConfig(bad)).toThrow(/rule_set\.rules\.0\.on/);
    const noBudget = structuredClone(raw) as Json;
    delete noBudget.rule_set.rules.find((r: Json) => r.id === 'ten-rounds-with-anna').budget_minor;
    expect(() => loadRewardsConfig(noBudget)).toThrow(/budget/);
    expect(() => loadRewardsConfig({ ...raw, risk: { limit_hit_minutes: 0 } })).toThrow(/risk/);
    expect(loadRewardsConfig(raw).compiled.set.id).toBe('live-tables');
  });
});
