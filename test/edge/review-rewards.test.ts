/**
 * Adversarial review of the rewards wiring in the player's object (issue 17, docs/rewards.md
 * "Wiring"): what a table's retries, a different or malformed context, restarts, rolled-back
 * transactions, exclusions and the clock can do to grants, caps and the at-risk marks. The calls go
 * over RPC into the real player object (as the table makes them) so that the context can be what an
 * attacker or a buggy caller would send; the state is read through GET /v1/players/me/rewards, the
 * outbox and, for the marks, inside the object.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { CasinoEvent } from '../../domain/events';
import { validateEvent } from '../../domain/events';
import type { TableBetContext } from '../../durable/player/rewards';
import type { PlayerDO } from './entry';
import { advance, call, deposit, funded, internals, player, register, restartPlayer, type Json, type Registered } from './helpers';

const MT = ['MT'];
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

async function loginAgain(p: Registered): Promise<Registered> {
  const r = await call('POST', '/v1/sessions', { email: p.email, password: p.password });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { ...p, token: r.body.token };
}

/** The session id a player token names (its `sid`): what the table passes to reserveTableBet. */
function sessionOf(p: Registered): string {
  const [, body] = p.token.split('.');
  return JSON.parse(atob(body!.replace(/-/g, '+').replace(/_/g, '/'))).sid as string;
}

function contextOf(holdId: string, over: Partial<TableBetContext> = {}): TableBetContext {
  return {
    table_id: 'roulette-1', round_id: `round-${holdId}`, game: 'roulette', game_id: 'roulette-european', spot: 'red', bet_type: 'red',
    session_id: 'sess', amount_minor: 100, currency: 'EUR', at: Date.now(), ...over,
  };
}

/** A table bet's hold as the table asks for it, with the table's context. */
async function reserve(p: Registered, holdId: string, amount: number, ctx: Partial<TableBetContext> = {}, clockOffsetMs = 0) {
  const r = await player(p.playerId).reserveTableBet(sessionOf(p), {
    hold_id: holdId, currency: 'EUR', amount_minor: amount, expires_at: Date.now() + clockOffsetMs + HOUR_MS, ref: `roulette-1:round-${holdId}`, max_return_minor: amount * 36,
  }, MT, contextOf(holdId, { amount_minor: amount, ...ctx }));
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
  return r;
}

async function settle(p: Registered, holdId: string, returned: number, ctx: Partial<TableBetContext>) {
  const r = await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: returned }, contextOf(holdId, ctx));
  expect(r, JSON.stringify(r)).toMatchObject({ ok: true, state: 'posted' });
  return r;
}

async function rewards(p: Registered): Promise<Json> {
  const r = await call('GET', '/v1/players/me/rewards', undefined, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

async function rewardEvents(p: Registered): Promise<CasinoEvent[]> {
  return (await player(p.playerId).outbox(0, 1000)).map((r) => r.event).filter((e) => e.event_type.startsWith('rewards.'));
}

/** What a settlement of `holdId` produced for the settled-table-bet rule (10 XP + 5 points, config/rewards.json). */
async function settledOutcome(p: Registered, holdId: string): Promise<'granted' | 'suppressed' | 'none'> {
  const mine = (await rewardEvents(p)).filter((e) => e.payload.source_event_id === `bet-settled:${holdId}` && e.payload.rule_id === 'settled-table-bet');
  if (mine.some((e) => e.event_type === 'rewards.granted')) return 'granted';
  return mine.some((e) => e.event_type === 'rewards.suppressed') ? 'suppressed' : 'none';
}

describe('a table retrying a settlement', () => {
  it('counts a lost bet once in the rapid-losses mark: retries do not make a player at risk', async () => {
    const p = await funded(60_000);
    const t = Date.now();
    await reserve(p, 'loss-a', 20_000, { at: t });
    for (let i = 0; i < 3; i++) await settle(p, 'loss-a', 0, { amount_minor: 20_000, at: t + 1000, result: 'lose' }); // 20,000 lost, not 60,000
    await reserve(p, 'loss-b', 100, { at: t + 2000 });
    await settle(p, 'loss-b', 0, { at: t + 3000, result: 'lose' });
    // 20,100 lost in the hour, under the 50,000 threshold: the rule grants as usual
    expect(await settledOutcome(p, 'loss-b')).toBe('granted');
  });

  it('counts a won bet once: retries of a win cannot clear the rapid-losses mark of a player losing fast', async () => {
    const p = await funded(100_000);
    const t = Date.now();
    await reserve(p, 'big-loss', 40_000, { at: t });
    await settle(p, 'big-loss', 0, { amount_minor: 40_000, at: t + 1, result: 'lose' });
    await reserve(p, 'small-win', 10_000, { at: t + 2 });
    for (let i = 0; i < 3; i++) await settle(p, 'small-win', 20_000, { amount_minor: 10_000, at: t + 3, result: 'win' }); // net -10,000 once, not -30,000
    await reserve(p, 'loss-c', 20_000, { at: t + 4 });
    await settle(p, 'loss-c', 0, { amount_minor: 20_000, at: t + 5, result: 'lose' });
    // 40,000 - 10,000 + 20,000 = 50,000 lost within the hour: at risk, the promotion is withheld
    expect(await settledOutcome(p, 'loss-c')).toBe('suppressed');
  });

  it('with another `at`, after its event id has moved into a full chunk of the memory, grants nothing again', async () => {
    const p = await funded(20_000);
    const t = Date.now();
    await reserve(p, 'first', 100, { at: t });
    await settle(p, 'first', 0, { at: t + 1, result: 'lose' });
    // 70 more evaluated events: `bet-settled:first` is now in a full (immutable) chunk of the memory
    for (let i = 0; i < 70; i++) {
      await reserve(p, `filler-${i}`, 100, { at: t + 10 + i });
      expect(await player(p.playerId).abandonTableBet(`filler-${i}`)).toMatchObject({ ok: true });
    }
    const before = await rewards(p);
    const eventsBefore = (await rewardEvents(p)).length;
    await settle(p, 'first', 0, { at: t + 10 * 60_000, result: 'lose' }); // a caller's later `at` for the same settlement
    expect(await rewards(p)).toEqual(before);
    expect((await rewardEvents(p)).length).toBe(eventsBefore);
  });
});

describe('the facts the player object knows come from the hold, not from the context', () => {
  it("a settlement's context cannot shrink the loss the rapid-losses mark counts (stake and currency)", async () => {
    for (const lie of [{ amount_minor: 0 }, { currency: 'GBP' as const }]) {
      const p = await funded(60_000);
      const t = Date.now();
      await reserve(p, 'loss', 50_000, { at: t });
      await settle(p, 'loss', 0, { ...lie, at: t + 1, result: 'lose' }); // the hold: 50,000 EUR, lost
      await reserve(p, 'next', 100, { at: t + 2 });
      await settle(p, 'next', 0, { at: t + 3, result: 'lose' });
      expect(await settledOutcome(p, 'next'), JSON.stringify(lie)).toBe('suppressed'); // 50,100 EUR lost in the hour: at risk
    }
  });
});

describe('the clock of an event', () => {
  it("an event dated in the future cannot move the player's day: tomorrow's first deposit still earns its points", async () => {
    let p = await funded(20_000); // deposit-points: 25 points, once a day
    await reserve(p, 'from-the-future', 100, { at: Date.now() + 400 * DAY_MS });
    const base = (await rewards(p)).points_balance; // today's deposit (25) and the bet's first-hand-new-game (20)
    for (const day of [1, 2]) {
      await advance(p.playerId, DAY_MS);
      p = await loginAgain(p); // the day-old session has ended
      expect((await deposit(p.token, 1_000)).status).toBe(201);
      expect((await rewards(p)).points_balance, `day ${day}`).toBe(base + 25 * day);
    }
  });
});

/** The rewards state's size, read inside the object: its row, its memory's full chunks (rows of their own since migration 17) and its distinct counters' values (since migration 19). */
async function stateBytes(p: Registered): Promise<number> {
  return runInDurableObject(player(p.playerId), (o: PlayerDO) => internals(o).c.db.first<{ n: number }>`
    select coalesce((select length(state) + length(marks) from rewards_state where id = 1), 0) + (select coalesce(sum(length(ids)), 0) from rewards_seen_chunks)
      + (select coalesce(sum(length(counter) + length(period) + length(value)), 0) from reward_counter_values) as n`!.n);
}

describe('the cost of a malicious context', () => {
  it('huge strings in the context cannot grow the rewards state (a lifetime distinct counter keeps 256 values): bets still go through', async () => {
    const p = await funded(20_000);
    const t = Date.now();
    for (let i = 0; i < 8; i++) {
      await reserve(p, `huge-${i}`, 100, { at: t + i, game_id: `${i}`.padEnd(300_000, 'g'), table_id: `${i}`.padEnd(100_000, 't') });
    }
    expect(await stateBytes(p)).toBeLessThan(50_000);
    // the player's other events are still evaluated
    expect((await deposit(p.token, 1_000)).status).toBe(201);
  });
});

describe('the end of a break', () => {
  for (const [name, start, pause] of [
    ['a cool-off', { path: '/v1/cool-off', body: { hours: 24 } }, 25 * HOUR_MS],
    ['a self-exclusion', { path: '/v1/self-exclusion', body: { months: 6 } }, 200 * DAY_MS],
  ] as const) {
    it(`${name} that just ended marks the player at risk: their first bet back earns no promotion`, async () => {
      let p = await funded(20_000);
      expect((await call('POST', start.path, start.body, { token: p.token })).status).toBe(200);
      await advance(p.playerId, pause);
      p = await loginAgain(p); // the exclusion is lifted (rg.*.ended)
      const t = Date.now() + pause;
      await reserve(p, 'back', 100, { at: t }, pause);
      await settle(p, 'back', 0, { at: t + 1, result: 'lose' });
      expect(await settledOutcome(p, 'back')).toBe('suppressed');
      const suppressed = (await rewardEvents(p)).find((e) => e.event_type === 'rewards.suppressed' && e.payload.source_event_id === 'bet-settled:back');
      expect(suppressed?.payload).toMatchObject({ reason: 'player_at_risk', detail: 'cool_off_ended' });
    });
  }
});

describe('accounts an operator closed or locked', () => {
  for (const status of ['closed', 'locked'] as const) {
    it(`a player whose account is ${status} mid-round gets nothing from the settlement (the money settles all the same)`, async () => {
      const p = await funded(20_000);
      const t = Date.now();
      await reserve(p, 'mid-round', 100, { at: t });
      const before = (await rewardEvents(p)).length;
      expect(await player(p.playerId).setStatus(status, 'review', 'operator:review')).toMatchObject({ ok: true });
      await settle(p, 'mid-round', 200, { at: t + 1, result: 'win' });
      expect((await rewardEvents(p)).length).toBe(before);
    });
  }
});

/** The parts of the player object these tests reach inside it. */
function inside(o: unknown) {
  return o as {
    tx<T>(fn: () => T): T;
    rewardsRg: { tableBetPlaced(holdId: string, currency: 'EUR', bet: TableBetContext): void; verifyHotState(): string[] };
    c: { db: import('../../durable/lib/sql').Db };
  };
}

describe('properties that hold (pinned)', () => {
  it('a transaction rolled back after its rewards were evaluated leaves no grant, no reward event and no memory of the event', async () => {
    const p = await funded(20_000);
    const before = await rewards(p);
    const eventsBefore = (await rewardEvents(p)).length;
    const answer = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const x = inside(o);
      const r = x.tx(() => {
        x.rewardsRg.tableBetPlaced('rolled-back', 'EUR', contextOf('rolled-back', { game_id: 'new-game' })); // first hand at a new game: XP and points
        return { ok: false as const, code: 'invalid_state' as const, message: 'a later step refused' };
      });
      return { r, drift: x.rewardsRg.verifyHotState() };
    });
    expect(answer).toEqual({ r: expect.objectContaining({ ok: false }), drift: [] });
    expect(await rewards(p)).toEqual(before);
    expect((await rewardEvents(p)).length).toBe(eventsBefore);
    // the event was not remembered either: the same bet, really placed, is evaluated
    await reserve(p, 'rolled-back', 100, { game_id: 'new-game' });
    expect((await rewards(p)).xp).toBe(before.xp + 5);
  });

  it('across a restart of the object the rewards are read from SQL, and a retried settlement still grants nothing', async () => {
    const p = await funded(20_000);
    const t = Date.now();
    await reserve(p, 'kept', 100, { at: t });
    await settle(p, 'kept', 0, { at: t + 1, result: 'lose' });
    const before = await rewards(p);
    const events = (await rewardEvents(p)).length;
    await restartPlayer(p.playerId);
    expect(await rewards(p)).toEqual(before);
    await settle(p, 'kept', 0, { at: t + 1, result: 'lose' });
    expect(await rewards(p)).toEqual(before);
    expect((await rewardEvents(p)).length).toBe(events);
  });

  it('the grants table refuses updates and deletes (append-only)', async () => {
    const p = await funded(); // the deposit's points: one grant
    const refused = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const { db } = inside(o).c;
      const tries = [() => db.run`update rewards_grants set amount = 1000000`, () => db.run`delete from rewards_grants`];
      return tries.map((t) => { try { t(); return 'allowed'; } catch (e) { return String(e); } });
    });
    expect(refused).toEqual([expect.stringContaining('append-only'), expect.stringContaining('append-only')]);
    expect((await rewards(p)).points_balance).toBe(25);
  });

  it("GET /v1/players/me/rewards shows the caller's own rewards only, whatever the query says", async () => {
    const [a, b] = [await funded(), await register()];
    const mine = await call('GET', `/v1/players/me/rewards?player_id=${a.playerId}&limit=1000`, undefined, { token: b.token });
    expect(mine.status).toBeLessThan(500);
    if (mine.status === 200) expect(mine.body.recent_grants).toEqual([]); // b made no deposit: none of a's grants
    expect((await rewards(a)).recent_grants).toHaveLength(1);
  });

  it('every reward event names its rule and version (level-ups and breaks their reasons), and validates against the contract', async () => {
    const p = await funded(60_000);
    const t = Date.now();
    for (let i = 0; i < 6; i++) {
      await reserve(p, `e-${i}`, 10_000, { at: t + i * 10, bet_type: 'banker', game: 'baccarat', game_id: `g-${i % 2}` });
      await settle(p, `e-${i}`, 0, { amount_minor: 10_000, at: t + i * 10 + 1, result: 'lose' }); // the fifth reaches the rapid-losses mark
    }
    const events = await rewardEvents(p);
    expect(new Set(events.map((e) => e.event_type))).toEqual(new Set(['rewards.granted', 'rewards.suppressed', 'rewards.level_up', 'rewards.break_suggested']));
    for (const e of events) {
      expect(validateEvent(e), JSON.stringify(e)).toMatchObject({ ok: true });
      if (e.event_type === 'rewards.granted' || e.event_type === 'rewards.suppressed' || e.event_type === 'rewards.assigned') {
        expect(e.payload, JSON.stringify(e)).toMatchObject({ rule_id: expect.any(String), rule_version: expect.any(Number) });
      }
    }
  });

  it('no operator route reaches a player\'s rewards: besides the player\'s read, the rewards paths are the brand\'s rule sets only', async () => {
    const doc = await call('GET', '/v1/openapi.json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths).filter((path) => /reward/i.test(path));
    // the player's own: the read, and spinning one of their own wheel spins (docs/rewards.md "Wheel (provably fair)")
    expect(paths.filter((path) => !path.startsWith('/v1/ops/brands/{brand}/rewards/'))).toEqual(['/v1/players/me/rewards', '/v1/players/me/rewards/spins/{spin_id}']);
    expect(Object.keys(doc.body.paths['/v1/players/me/rewards'])).toEqual(['get']);
    expect(Object.keys(doc.body.paths['/v1/players/me/rewards/spins/{spin_id}'])).toEqual(['post']);
    // publishing writes rule set versions (docs/rewards.md "Publishing"), never a player's grants, points or caps
    expect(paths.filter((path) => path.startsWith('/v1/ops/')).every((path) => /\/rewards\/(versions|rules)(\/|$)/.test(path))).toBe(true);
    expect(paths.some((path) => /players/.test(path) && path.startsWith('/v1/ops/'))).toBe(false);
  });
});

describe('rapid losses at a provider\'s games', () => {
  const base = { provider_id: 'sandbox-slots', round_id: 'slots-1', game_id: 'sandbox-slots:fruit-party', currency: 'EUR' as const };

  async function providerPlay(p: Registered, steps: { bet?: [string, number]; win?: [string, number, string]; rollback?: [string, string] }[]) {
    const stub = player(p.playerId);
    for (const s of steps) {
      const r = s.bet ? await stub.providerBet({ ...base, session_id: sessionOf(p), tx_id: s.bet[0], amount_minor: s.bet[1] }, null)
        : s.win ? await stub.providerWin({ ...base, tx_id: s.win[0], amount_minor: s.win[1], bet_tx_id: s.win[2] })
          : await stub.providerRollback({ ...base, tx_id: s.rollback![0], bet_tx_id: s.rollback![1] });
      expect(r, JSON.stringify(s)).toMatchObject({ ok: true });
    }
  }

  it('a player losing fast at the slots is at risk at the tables too', async () => {
    const p = await funded(100_000);
    await providerPlay(p, [{ bet: ['b1', 30_000] }, { win: ['w1', 0, 'b1'] }, { bet: ['b2', 20_000] }, { win: ['w2', 0, 'b2'] }]); // 50,000 lost
    const t = Date.now();
    await reserve(p, 'after-slots', 100, { at: t });
    await settle(p, 'after-slots', 0, { at: t + 1, result: 'lose' });
    expect(await settledOutcome(p, 'after-slots')).toBe('suppressed');
  });

  it("a provider's win and a rolled-back bet count against the losses (a retried call counts once)", async () => {
    const p = await funded(100_000);
    await providerPlay(p, [
      { bet: ['b1', 30_000] }, { bet: ['b1', 30_000] }, { bet: ['b2', 20_000] }, { rollback: ['r2', 'b2'] }, { rollback: ['r2', 'b2'] },
      { win: ['w1', 5_000, 'b1'] }, { win: ['w1', 5_000, 'b1'] },
    ]); // 30,000 - 5,000 = 25,000 lost
    const t = Date.now();
    await reserve(p, 'after-slots', 100, { at: t });
    await settle(p, 'after-slots', 0, { at: t + 1, result: 'lose' });
    expect(await settledOutcome(p, 'after-slots')).toBe('granted');
  });
});

describe('rapid losses in another currency', () => {
  it("losses in a second currency are judged against that currency's threshold (never converted)", async () => {
    const p = await funded(20_000); // EUR, the wallet's currency
    expect((await deposit(p.token, 5_000_000, 'BTC')).status).toBe(201);
    await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const r = (o as unknown as { rewardsRg: { config: import('../../durable/player/rewards-config').RewardsConfig; use(c: import('../../durable/player/rewards-config').RewardsConfig): void } }).rewardsRg;
      const risk = r.config.risk;
      r.use({ ...r.config, risk: { ...risk, rapid_losses: { ...risk.rapid_losses, net_loss_minor: { ...risk.rapid_losses.net_loss_minor, BTC: 1_000_000 } } } });
    });
    const stub = player(p.playerId);
    const slots = { provider_id: 'sandbox-slots', round_id: 'btc-1', game_id: 'sandbox-slots:fruit-party', currency: 'BTC' as const };
    expect(await stub.providerBet({ ...slots, session_id: sessionOf(p), tx_id: 'btc-bet', amount_minor: 1_000_000 }, null)).toMatchObject({ ok: true });
    expect(await stub.providerWin({ ...slots, tx_id: 'btc-win', amount_minor: 0, bet_tx_id: 'btc-bet' })).toMatchObject({ ok: true });
    const t = Date.now();
    await reserve(p, 'eur-after-btc', 100, { at: t });
    await settle(p, 'eur-after-btc', 0, { at: t + 1, result: 'lose' });
    expect(await settledOutcome(p, 'eur-after-btc')).toBe('suppressed');
  });
});

describe('a session-time limit reached', () => {
  it('is a limit hit: the player logging straight back in earns no promotion from their next bet', async () => {
    let p = await funded(20_000);
    expect((await call('PUT', '/v1/limits/session_time', { minutes: 20 }, { token: p.token })).status).toBe(200);
    p = await loginAgain(p); // a session under the limit
    await advance(p.playerId, 21 * 60_000);
    await runDurableObjectAlarm(player(p.playerId)); // ends it: time_limit
    expect((await call('GET', '/v1/wallet', undefined, { token: p.token })).status).toBe(401);
    p = await loginAgain(p);
    const t = Date.now() + 21 * 60_000;
    await reserve(p, 'after-limit', 100, { at: t }, 21 * 60_000);
    await settle(p, 'after-limit', 0, { at: t + 1, result: 'lose' });
    const suppressed = (await rewardEvents(p)).find((e) => e.event_type === 'rewards.suppressed' && e.payload.source_event_id === 'bet-settled:after-limit');
    expect(suppressed?.payload).toMatchObject({ reason: 'player_at_risk', detail: 'limit_hit' });
  });
});

describe('blackjack in the live rule set', () => {
  it("a blackjack stake settled on a natural fires 'first natural of the day', and a blackjack hand completes the explorer mission", async () => {
    const p = await funded(20_000);
    const t = Date.now();
    const baccarat = { table_id: 'baccarat-1', game: 'baccarat', game_id: 'baccarat-punto-banco' };
    for (let i = 0; i < 3; i++) await reserve(p, `banker-${i}`, 100, { ...baccarat, at: t + i, spot: 'banker', bet_type: 'banker' });
    for (let i = 0; i < 2; i++) await settle(p, `banker-${i}`, 195, { ...baccarat, at: t + 10 + i, spot: 'banker', bet_type: 'banker', result: 'win' });
    const blackjack = { table_id: 'blackjack-1', game: 'blackjack', game_id: 'blackjack-classic', spot: 'seat:1:main', bet_type: 'main' };
    await reserve(p, 'bj-main', 100, { ...blackjack, at: t + 20 });
    await settle(p, 'bj-main', 250, { ...blackjack, at: t + 21, result: 'win', natural: true, busted: false });
    const grants = (await rewardEvents(p)).filter((e) => e.event_type === 'rewards.granted' && e.payload.source_event_id === 'bet-settled:bj-main');
    expect(grants.map((e) => [e.payload.rule_id, e.payload.kind])).toEqual(expect.arrayContaining([
      ['first-natural-of-the-day', 'xp'], ['first-natural-of-the-day', 'shout_out'], ['baccarat-explorer-blackjack', 'mission_completed'],
    ]));
    // a second stake on the same natural hand (its side bet) counts the natural again, but the rule fires once a day
    await reserve(p, 'bj-side', 100, { ...blackjack, at: t + 20, spot: 'seat:1:perfect_pairs', bet_type: 'perfect_pairs' });
    await settle(p, 'bj-side', 0, { ...blackjack, at: t + 21, spot: 'seat:1:perfect_pairs', bet_type: 'perfect_pairs', result: 'lose', natural: true, busted: false });
    const naturals = (await rewardEvents(p)).filter((e) => e.event_type === 'rewards.granted' && e.payload.rule_id === 'first-natural-of-the-day' && e.payload.kind === 'xp');
    expect(naturals).toHaveLength(1);
    const view = await rewards(p);
    expect(view.badges).toContain('table-explorer');
    expect(view.missions.find((m: Json) => m.mission_id === 'baccarat-explorer')).toMatchObject({ completions: 1 });
  });
});

describe('late and out-of-order settlements (pinned)', () => {
  it('a settlement after the hold was voided or expired, or before any reservation, grants nothing and counts no loss', async () => {
    let p = await funded(60_000);
    const t = Date.now();
    await reserve(p, 'voided', 40_000, { at: t });
    expect(await player(p.playerId).abandonTableBet('voided')).toMatchObject({ ok: true });
    await reserve(p, 'expired', 40_000, { at: t + 1 });
    const before = (await rewardEvents(p)).length;
    await advance(p.playerId, 2 * HOUR_MS); // past the hold's expiry: the settlement finds it expired
    for (const holdId of ['voided', 'expired']) {
      const r = await player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 0 }, contextOf(holdId, { amount_minor: 40_000, at: t + 2 * HOUR_MS, result: 'lose' }));
      expect(r, holdId).toMatchObject({ ok: true, state: holdId === 'voided' ? 'voided' : 'expired', returned_minor: 0 });
    }
    expect(await player(p.playerId).settleTableBet({ hold_id: 'never', win_id: 'never:return', returned_minor: 0 }, contextOf('never'))).toMatchObject({ ok: false, code: 'hold_not_found' });
    expect((await rewardEvents(p)).length).toBe(before);
    // no loss was counted: 80,000 "lost" would have marked the player at risk
    p = await loginAgain(p); // the idle session has ended
    await reserve(p, 'real', 100, { at: t + 2 * HOUR_MS }, 2 * HOUR_MS);
    await settle(p, 'real', 0, { at: t + 2 * HOUR_MS + 1, result: 'lose' });
    expect(await settledOutcome(p, 'real')).toBe('granted');
  });
});
