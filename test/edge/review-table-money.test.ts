/**
 * Review of the live tables' money paths (findings of the earlier adversarial reviews, each
 * reproduced through real objects in workerd; each test failed before its fix):
 *  1. a settlement and a hold's expiry, in either order, give one outcome;
 *  2. a bet that cannot be settled does not stop an automated table for good, and is settled once later;
 *  3. a table restarted between taking its due jobs and running them still runs them;
 *  4. the other objects' transactions go through ObjectContext.tx (alarm memory forgotten on rollback).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TableDO } from '../../durable/table/table-do';
import type { PlayerPort } from '../../durable/table/player-port';
import { advance, call, player, type Json, type Registered } from './helpers';
import { funded, realBalance, sessionOf } from './money-helpers';

const table = (id: string) => env.TABLE.getByName(id) as DurableObjectStub<TableDO>;

/** The private parts of a TableDO instance, for tests that run inside it. */
function inside(o: unknown) {
  return o as {
    c: import('../../durable/table/context').TableContext;
    settlement: { port: (playerId: string) => PlayerPort };
    ctx: DurableObjectState;
    tx: <T>(fn: () => T) => T;
    releaseHold: (playerId: string, holdId: string) => Promise<void>;
  };
}

async function holdState(playerId: string, holdId: string): Promise<string | null> {
  return runInDurableObject(player(playerId), (o) => (o as unknown as { walletRg: { hold(id: string): { state: string } | null } }).walletRg.hold(holdId)?.state ?? null);
}

/** What wins credited against a hold add up to (real + bonus). */
async function winsOf(playerId: string, holdId: string): Promise<number> {
  return runInDurableObject(player(playerId), (o) => {
    const w = (o as unknown as { walletRg: { winsOf(id: string): { real: number; bonus: number } } }).walletRg.winsOf(holdId);
    return w.real + w.bonus;
  });
}

describe('1. a hold past its expiry: settlement and expiry in either order', () => {
  const HOUR = 3_600_000;

  async function reserved(tag: string) {
    const p = await funded(10_000);
    const holdId = `table:roulette-1:expiry-${tag}-${crypto.randomUUID()}`;
    const r = await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + HOUR, ref: 'roulette-1:r', max_return_minor: 36_000,
    }, ['MT']);
    expect(r).toMatchObject({ ok: true });
    // the hold's expiry passes; the player's alarm has not run yet
    await advance(p.playerId, HOUR + 1_000);
    return { p, holdId };
  }
  const settle = (p: Registered, holdId: string) => player(p.playerId).settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 36_000 });

  it('settlement first: the overdue hold settles as expired (stake back, no win), and the alarm afterwards changes nothing', async () => {
    const { p, holdId } = await reserved('settle-first');
    expect(await settle(p, holdId)).toMatchObject({ ok: true, state: 'expired', returned_minor: 0 });
    await runDurableObjectAlarm(player(p.playerId));
    expect(await holdState(p.playerId, holdId)).toBe('expired');
    expect(await realBalance(p.playerId)).toBe(10_000);
    expect(await winsOf(p.playerId, holdId)).toBe(0);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('alarm first: the same outcome', async () => {
    const { p, holdId } = await reserved('alarm-first');
    await runDurableObjectAlarm(player(p.playerId));
    expect(await holdState(p.playerId, holdId)).toBe('expired');
    expect(await settle(p, holdId)).toMatchObject({ ok: true, state: 'expired', returned_minor: 0 });
    expect(await realBalance(p.playerId)).toBe(10_000);
    expect(await winsOf(p.playerId, holdId)).toBe(0);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('a hold still within its expiry is posted and paid as before', async () => {
    const p = await funded(10_000);
    const holdId = `table:roulette-1:in-time-${crypto.randomUUID()}`;
    await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + HOUR, ref: 'roulette-1:r', max_return_minor: 36_000,
    }, ['MT']);
    await advance(p.playerId, HOUR - 60_000);
    expect(await settle(p, holdId)).toMatchObject({ ok: true, state: 'posted', returned_minor: 36_000 });
    expect(await realBalance(p.playerId)).toBe(10_000 - 1_000 + 36_000);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('2. an automated table with a bet that cannot be settled', () => {
  const AUTO = 'auto-roulette-1';

  it('retries with backoff, keeps the other settlements, raises table.round.settle_stuck, opens the next round, and settles the stuck bet once later', async () => {
    const good = await funded(10_000);
    const stuck = await funded(10_000);
    const opened = await table(AUTO).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const round = opened.round;
    const betIds = new Map<string, string>();
    for (const p of [good, stuck]) {
      const betId = crypto.randomUUID();
      betIds.set(p.playerId, betId);
      const r = await call('POST', `/v1/tables/${AUTO}/bets`, { bet_id: betId, round_id: round.round_id, spot: 'red', amount_minor: 1_000, currency: 'EUR' }, { token: p.token });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // the stuck player's object refuses every settlement (it throws)
    await runInDurableObject(table(AUTO), (o: TableDO) => {
      const t = inside(o);
      const real = t.settlement.port;
      (o as unknown as { realPort: typeof real }).realPort = real;
      t.settlement.port = (id) => {
        const port = real(id);
        if (id !== stuck.playerId) return port;
        return {
          reserveTableBet: (...args) => port.reserveTableBet(...args),
          abandonTableBet: (holdId) => port.abandonTableBet(holdId),
          floorProbe: () => port.floorProbe(),
          settleTableBet: async () => { throw new Error('player object refuses'); },
        };
      };
    });
    const alarmAfter = async (ms: number) => {
      await runInDurableObject(table(AUTO), (o: TableDO) => { inside(o).c.clockOffsetMs += ms; });
      await runDurableObjectAlarm(table(AUTO));
    };
    // betting closes, the result is drawn, settlement runs; then the retries (with backoff)
    await alarmAfter(13_000);
    await alarmAfter(0);
    const attempts: number[] = [];
    for (let i = 0; i < 6; i++) {
      const before = await runInDurableObject(table(AUTO), (o: TableDO) => inside(o).c.now());
      const due = await runInDurableObject(table(AUTO), (o: TableDO) => inside(o).c.schedules.pending().find((j) => j.kind === 'round.settle' && j.ref === round.round_id)?.due_at ?? null);
      expect(due).not.toBeNull();
      attempts.push(due! - before);
      await alarmAfter(due! - before);
    }
    // the retries space out (backoff), not a fixed 2 s forever
    expect(attempts.at(-1)!).toBeGreaterThan(attempts[0]! * 4);
    const detail = await table(AUTO).roundDetail(round.round_id);
    if (!detail.ok) throw new Error('no round');
    expect(detail.round.state).toBe('result');
    const byPlayer = new Map(detail.bets.map((b) => [b.player_id, b]));
    expect(byPlayer.get(good.playerId)!.state).toBe('settled');
    expect(byPlayer.get(stuck.playerId)!.state).toBe('accepted');
    // surfaced once, for the back office
    const stuckEvents = (await table(AUTO).outbox(0, 1000)).filter((r) => r.event.event_type === 'table.round.settle_stuck' && r.event.round_id === round.round_id);
    expect(stuckEvents).toHaveLength(1);
    expect(stuckEvents[0]!.event.payload).toMatchObject({ round_no: round.round_no, bets_open: 1 });
    // the table moves on: the next round opens
    const next = await table(AUTO).openRound('rng');
    expect(next.ok, JSON.stringify(next)).toBe(true);

    // the player's object answers again: the stuck bet is settled, once
    await runInDurableObject(table(AUTO), (o: TableDO) => {
      inside(o).settlement.port = (o as unknown as { realPort: (id: string) => PlayerPort }).realPort;
    });
    for (let i = 0; i < 3; i++) await alarmAfter(600_000);
    const after = await table(AUTO).roundDetail(round.round_id);
    if (!after.ok) throw new Error('no round');
    expect(after.round.state).toBe('settled');
    const settledEvents = (await table(AUTO).outbox(0, 1000)).filter((r) => r.event.event_type === 'table.bet.settled' && r.event.round_id === round.round_id);
    expect(settledEvents).toHaveLength(2);
    for (const p of [good, stuck]) {
      const b = after.bets.find((x) => x.player_id === p.playerId)!;
      expect(b.state).toBe('settled');
      const holdId = `table:${AUTO}:${betIds.get(p.playerId)}`;
      expect(await holdState(p.playerId, holdId)).toBe('posted');
      expect(await winsOf(p.playerId, holdId)).toBe(b.returned_minor);
      expect(await realBalance(p.playerId)).toBe(10_000 - 1_000 + b.returned_minor!);
      expect(await player(p.playerId).audit()).toEqual([]);
    }
  });
});

describe('2b. a parked round across a table restart', () => {
  const AUTO = 'auto-baccarat-1';

  it('the restarted table picks the parked round up and settles the stuck bet once', async () => {
    const good = await funded(10_000);
    const stuck = await funded(10_000);
    const opened = await table(AUTO).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const round = opened.round;
    for (const p of [good, stuck]) {
      const r = await call('POST', `/v1/tables/${AUTO}/bets`, { bet_id: crypto.randomUUID(), round_id: round.round_id, spot: 'banker', amount_minor: 1_000, currency: 'EUR' }, { token: p.token });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    await runInDurableObject(table(AUTO), (o: TableDO) => {
      const t = inside(o);
      const real = t.settlement.port;
      t.settlement.port = (id) => (id !== stuck.playerId ? real(id) : { ...real(id), settleTableBet: async () => { throw new Error('player object refuses'); } });
    });
    // close, draw (first attempt), then retries until the round is parked
    for (let i = 0; i < 6; i++) {
      await runInDurableObject(table(AUTO), (o: TableDO) => { inside(o).c.clockOffsetMs += 60_000; });
      await runDurableObjectAlarm(table(AUTO));
    }
    const parked = await runInDurableObject(table(AUTO), (o: TableDO) => inside(o).c.db.first<{ state: string; parked_at: number | null }>`select state, parked_at from rounds where round_id = ${round.round_id}`!);
    expect(parked.state).toBe('result');
    expect(parked.parked_at).not.toBeNull();
    // the public round says so too (the back office's round detail shows the same view)
    expect((await call('GET', `/v1/tables/${AUTO}/rounds/${round.round_id}`)).body.round).toMatchObject({ state: 'result', parked_at: parked.parked_at });
    // the table restarts (the refusing port goes with the old instance)
    const died = await runInDurableObject(table(AUTO), async (o: TableDO) => {
      await inside(o).ctx.storage.sync();
      inside(o).ctx.abort('test: table restart');
    }).then(() => 'alive', (e: Error) => e.message);
    expect(died).toContain('test: table restart');
    for (let i = 0; i < 3 && (await runDurableObjectAlarm(table(AUTO))); i++);
    const after = await table(AUTO).roundDetail(round.round_id);
    if (!after.ok) throw new Error('no round');
    expect(after.round.state).toBe('settled');
    expect((await table(AUTO).outbox(0, 1000)).filter((r) => r.event.event_type === 'table.bet.settled' && r.event.round_id === round.round_id)).toHaveLength(2);
    for (const p of [good, stuck]) {
      const b = after.bets.find((x) => x.player_id === p.playerId)!;
      expect(b.state).toBe('settled');
      expect(await winsOf(p.playerId, `table:${AUTO}:${b.bet_id}`)).toBe(b.returned_minor);
      expect(await realBalance(p.playerId)).toBe(10_000 - 1_000 + b.returned_minor!);
      expect(await player(p.playerId).audit()).toEqual([]);
    }
  });
});

describe('2c. a reservation whose player object throws when the table gives it up', () => {
  it('does not fail the settlement: the other bets settle, the round is retried and parked like any stuck bet', async () => {
    const TABLE = 'baccarat-1';
    const good = await funded(10_000);
    const opened = await table(TABLE).openRound('dealer:review');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const round = opened.round;
    const placed = await call('POST', `/v1/tables/${TABLE}/bets`, { bet_id: crypto.randomUUID(), round_id: round.round_id, spot: 'player', amount_minor: 1_000, currency: 'EUR' }, { token: good.token });
    expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    // a bet whose reservation never answered (still 'reserving'), for a player object that throws
    const ghost = `ghost-${crypto.randomUUID()}`;
    await runInDurableObject(table(TABLE), (o: TableDO) => {
      const t = inside(o) as ReturnType<typeof inside> & { bets: import('../../durable/table/bets').Bets; rounds: import('../../durable/table/rounds').Rounds };
      const b = t.tx(() => t.bets.begin(t.rounds.get(round.round_id), {
        bet_id: crypto.randomUUID(), round_id: round.round_id, player_id: ghost, session_id: 's', spot: 'banker', amount_minor: 1_000, currency: 'EUR',
      }));
      expect(b.ok).toBe(true);
      const real = t.settlement.port;
      t.settlement.port = (id) => (id !== ghost ? real(id) : { ...real(id), abandonTableBet: async () => { throw new Error('player object throws'); } });
    });
    const result = await runInDurableObject(table(TABLE), (o: TableDO) => o.enterResult(round.round_id, {
      player: ['9H', '10S'], banker: ['2C', '3D'],
    }, 'dealer:review').then((r) => r, (e: Error) => ({ ok: false, code: `threw: ${e.message}` })));
    expect(result).toMatchObject({ ok: true });
    const detail = await table(TABLE).roundDetail(round.round_id);
    if (!detail.ok) throw new Error('no round');
    expect(detail.bets.find((b) => b.player_id === good.playerId)!.state).toBe('settled');
    expect(detail.bets.find((b) => b.player_id === ghost)!.state).toBe('reserving');
    // retried with backoff, then parked and surfaced like any stuck bet
    for (let i = 0; i < 4; i++) {
      await runInDurableObject(table(TABLE), (o: TableDO) => { inside(o).c.clockOffsetMs += 300_000; });
      await runDurableObjectAlarm(table(TABLE));
    }
    const stuckEvents = (await table(TABLE).outbox(0, 1000)).filter((r) => r.event.event_type === 'table.round.settle_stuck' && r.event.round_id === round.round_id);
    expect(stuckEvents).toHaveLength(1);
    expect((await table(TABLE).openRound('dealer:review')).ok).toBe(true);
    expect(await realBalance(good.playerId)).toBe(10_000 - 1_000 + detail.bets.find((b) => b.player_id === good.playerId)!.returned_minor!);
  });
});

describe('3. a table restarted between taking its due jobs and running them', () => {
  it('runs them after the restart: a refused bet\'s hold is still released (at-least-once, idempotent jobs)', async () => {
    const TABLE = 'roulette-1';
    const p = await funded(10_000);
    const holdId = `table:${TABLE}:restart-${crypto.randomUUID()}`;
    const r = await player(p.playerId).reserveTableBet(sessionOf(p), {
      hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + 24 * 3_600_000, ref: `${TABLE}:r`, max_return_minor: 2_000,
    }, ['MT']);
    expect(r).toMatchObject({ ok: true });
    expect(await realBalance(p.playerId)).toBe(10_000);
    // the table owes this hold a release (a bet it refused after the reservation), due now
    await runInDurableObject(table(TABLE), (o: TableDO) => {
      const t = inside(o);
      t.tx(() => t.c.schedules.at('hold.release', `${p.playerId}|${holdId}`, t.c.now()));
    });
    // the alarm takes its due jobs; the object dies before the release reaches the player's object
    const died = await runInDurableObject(table(TABLE), async (o: TableDO) => {
      const t = inside(o);
      t.releaseHold = async () => {
        await t.ctx.storage.sync();
        t.ctx.abort('test: restart before running the jobs');
        throw new Error('aborted');
      };
      await o.alarm();
      return 'alive';
    }).catch((e: Error) => e.message);
    expect(died).toBe('test: restart before running the jobs');
    expect(await holdState(p.playerId, holdId)).toBe('pending');
    // the restarted table runs the job it had taken
    for (let i = 0; i < 3 && (await runDurableObjectAlarm(table(TABLE))); i++);
    expect(await holdState(p.playerId, holdId)).toBe('voided');
    const left = await runInDurableObject(table(TABLE), (o: TableDO) => inside(o).c.schedules.pending().filter((j) => j.kind === 'hold.release'));
    expect(left).toEqual([]);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('4. every object with schedules commits through ObjectContext.tx', () => {
  type Inside = { c: import('../../durable/lib/object-context').ObjectContext; tx: <T>(fn: () => T) => T; ctx: DurableObjectState };
  const objects: [string, () => DurableObjectStub][] = [
    ['BrandOpsDO', () => env.BRAND_OPS.getByName(`ops:review-${crypto.randomUUID()}`)],
    ['CatalogDO', () => env.CATALOG.getByName('catalog')],
    ['AuditDO', () => env.AUDIT.getByName(`review-${crypto.randomUUID()}`)],
  ];

  for (const [name, stub] of objects) {
    it(`${name}: a job scheduled after a rolled-back transaction armed the alarm for the same time still arms it`, async () => {
      const out = await runInDurableObject(stub(), async (o) => {
        const t = o as unknown as Inside;
        const before = await t.ctx.storage.getAlarm();
        // earlier than anything armed already (a fresh catalog's first shipment is due at once)
        const due = Math.min(before ?? Infinity, t.c.now() + 60_000) - 1;
        expect(() => t.tx(() => {
          t.c.schedules.at('review.job', 'x', due);
          throw new Error('review: rolled back');
        })).toThrow('review: rolled back');
        t.tx(() => t.c.schedules.at('review.job', 'x', due));
        const armed = await t.ctx.storage.getAlarm();
        t.tx(() => {
          t.c.schedules.cancel('review.job', 'x');
          t.c.schedules.rearm();
        });
        return { before, due, armed };
      });
      expect(out.armed).not.toBeNull();
      expect(out.armed!).toBeLessThanOrEqual(out.due);
    });
  }
});
