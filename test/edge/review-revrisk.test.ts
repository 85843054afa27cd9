/**
 * Adversarial review (revrisk) of the live tables' settlement robustness (branch h-risk): stuck
 * bets parked and retried, at-least-once table jobs, the player object's expiry-first settlement.
 * Through real objects in workerd; a player object that "refuses" is the table's port to it made to
 * throw for one hold, nothing else is replaced.
 *
 * Conservation, checked wherever a round's money moved: over the players of a set of rounds, the sum
 * of their balance changes equals minus the table's GGR (wagered - returned of the round totals).
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { TableDO } from '../../durable/table/table-do';
import type { PlayerPort } from '../../durable/table/player-port';
import type { ScheduleRow } from '../../durable/lib/schedules';
import type { PlayerDO } from '../../durable/player/player-do';
import { advance, call, internals, player, type Registered } from './helpers';
import { funded, realBalance, sessionOf } from './money-helpers';

const HOUR = 3_600_000;
const table = (id: string) => env.TABLE.getByName(id) as DurableObjectStub<TableDO>;

type Inside = {
  c: import('../../durable/table/context').TableContext;
  settlement: { port: (playerId: string) => PlayerPort };
  bets: import('../../durable/table/bets').Bets;
  rounds: import('../../durable/table/rounds').Rounds;
  tx: <T>(fn: () => T) => T;
  runJob: (job: ScheduleRow) => Promise<void>;
  realPort?: (playerId: string) => PlayerPort;
};
const inside = (o: unknown) => o as Inside;

/** Makes the table's port throw on settleTableBet (or abandonTableBet) for the given holds (the player object "refuses"); `[]` restores it. */
async function refuseSettling(tableId: string, holdIds: string[], call: 'settle' | 'abandon' = 'settle'): Promise<void> {
  await runInDurableObject(table(tableId), (o: TableDO) => {
    const t = inside(o);
    t.realPort ??= t.settlement.port;
    const real = t.realPort;
    const refused = new Set(holdIds);
    t.settlement.port = (id) => {
      const port = real(id);
      return {
        reserveTableBet: (...args) => port.reserveTableBet(...args),
        abandonTableBet: async (holdId) => {
          if (call === 'abandon' && refused.has(holdId)) throw new Error('player object refuses');
          return port.abandonTableBet(holdId);
        },
        floorProbe: () => port.floorProbe(),
        settleTableBet: async (input) => {
          if (call === 'settle' && refused.has(input.hold_id)) throw new Error('player object refuses');
          return port.settleTableBet(input);
        },
      };
    };
  });
}

/** Moves the table's clock on and runs its alarm. */
async function tableAlarmAfter(tableId: string, ms: number): Promise<void> {
  await runInDurableObject(table(tableId), (o: TableDO) => { inside(o).c.clockOffsetMs += ms; });
  await runDurableObjectAlarm(table(tableId));
}

async function bet(tableId: string, p: Registered, roundId: string, spot: string, amount_minor: number) {
  const betId = crypto.randomUUID();
  const r = await call('POST', `/v1/tables/${tableId}/bets`, { bet_id: betId, round_id: roundId, spot, amount_minor, currency: 'EUR' }, { token: p.token });
  return { status: r.status, body: r.body, betId, holdId: `table:${tableId}:${betId}` };
}

async function openDealerRound(tableId: string) {
  const opened = await table(tableId).openRound('operator:dealer-review');
  if (!opened.ok) throw new Error(JSON.stringify(opened));
  return opened.round;
}

async function detail(tableId: string, roundId: string) {
  const d = await table(tableId).roundDetail(roundId);
  if (!d.ok) throw new Error('no round');
  return d;
}

/** The table's GGR over some rounds (EUR), from the back office's round totals. */
async function ggr(tableId: string, roundIds: string[]): Promise<number> {
  let sum = 0;
  for (const id of roundIds) for (const t of (await detail(tableId, id)).totals) sum += t.wagered_minor - t.returned_minor;
  return sum;
}

async function events(tableId: string, roundId: string, type: string) {
  return (await table(tableId).outbox(0, 1000)).filter((r) => r.event.event_type === type && r.event.round_id === roundId);
}

async function holdOf(playerId: string, holdId: string) {
  return runInDurableObject(player(playerId), (o: PlayerDO) => internals(o).walletRg.hold(holdId));
}

const BANKER_WINS = { player: ['2C', '3D'], banker: ['9H', '10S'] };
const PLAYER_WINS = { player: ['9H', '10S'], banker: ['2C', '3D'] };

describe('finding R1: a reservation whose hold expired before the table gave it up', () => {
  /**
   * The table lost the answer to a reservation (a restart while asking): its bet stays 'reserving'
   * while the player's object holds the stake. If giving it up fails long enough (the player object
   * away), the hold's 24 h run out and the player's alarm expires it. From then on abandonTableBet
   * answers invalid_state ("hold is expired"), which abandonReservations does not count as given up
   * (refund and releaseHold do): the bet stays 'reserving' for ever, the round is never settled (or
   * a voided round never refunded) and the table retries it every 5 minutes for ever, although the
   * stake is long back. docs/live-tables.md promises the opposite ("If the hold's 24 hours run out
   * first, the bet ends expired").
   */
  async function ghostReservation(tableId: string, spot: string) {
    const p = await funded(10_000);
    const round = await openDealerRound(tableId);
    const betId = crypto.randomUUID();
    const holdId = `table:${tableId}:${betId}`;
    await runInDurableObject(table(tableId), (o: TableDO) => {
      const t = inside(o);
      const b = t.tx(() => t.bets.begin(t.rounds.get(round.round_id), { bet_id: betId, round_id: round.round_id, player_id: p.playerId, session_id: sessionOf(p), spot, amount_minor: 1_000, currency: 'EUR' }));
      expect(b.ok).toBe(true);
    });
    // the reservation reached the player's object; its answer never reached the table
    const r = await player(p.playerId).reserveTableBet(sessionOf(p), { hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + HOUR, ref: `${tableId}:${round.round_id}`, max_return_minor: 2_000 }, ['MT']);
    expect(r).toMatchObject({ ok: true });
    // the hold runs out in the player's object (its alarm gives the stake back)
    await advance(p.playerId, HOUR + 1_000);
    await runDurableObjectAlarm(player(p.playerId));
    expect((await holdOf(p.playerId, holdId))?.state).toBe('expired');
    expect(await realBalance(p.playerId)).toBe(10_000);
    return { p, round, betId };
  }

  it('R1: a result: the round is settled and the bet refused (not retried for ever)', async () => {
    const TABLE = 'roulette-1';
    const { p, round, betId } = await ghostReservation(TABLE, 'red');
    const r = await table(TABLE).enterResult(round.round_id, { number: 1 }, 'operator:dealer-review');
    expect(r).toMatchObject({ ok: true });
    for (let i = 0; i < 4; i++) await tableAlarmAfter(TABLE, 300_000);
    const d = await detail(TABLE, round.round_id);
    expect(d.bets.find((b) => b.bet_id === betId)!.state).toBe('refused');
    expect(d.round.state).toBe('settled');
    expect(await realBalance(p.playerId)).toBe(10_000);
    expect(await player(p.playerId).audit()).toEqual([]);
  });

  it('R1: a void: the refund finishes (no bet left open)', async () => {
    const TABLE = 'baccarat-1';
    const { p, round, betId } = await ghostReservation(TABLE, 'banker');
    expect(await table(TABLE).voidRound(round.round_id, 'operator:review', 'review')).toMatchObject({ ok: true });
    for (let i = 0; i < 2; i++) await tableAlarmAfter(TABLE, 300_000);
    const d = await detail(TABLE, round.round_id);
    expect(d.bets.find((b) => b.bet_id === betId)!.state).toBe('refused');
    const refundJobs = await runInDurableObject(table(TABLE), (o: TableDO) => inside(o).c.schedules.pending().filter((j) => j.kind === 'round.refund' && j.ref === round.round_id));
    expect(refundJobs).toEqual([]);
    expect(await realBalance(p.playerId)).toBe(10_000);
  });
});

describe('a parked round and the next round settling the same player', () => {
  it('holds are independent, the balance never goes negative, each bet is settled once, and money is conserved', async () => {
    const TABLE = 'baccarat-1';
    const s = await funded(2_000); // the player whose bet gets stuck
    const g = await funded(10_000);
    const n = await openDealerRound(TABLE);
    const sN = await bet(TABLE, s, n.round_id, 'banker', 1_000);
    const gN = await bet(TABLE, g, n.round_id, 'banker', 1_000);
    expect([sN.status, gN.status]).toEqual([201, 201]);
    await refuseSettling(TABLE, [sN.holdId]);
    expect(await table(TABLE).enterResult(n.round_id, BANKER_WINS, 'operator:dealer-review')).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) await tableAlarmAfter(TABLE, 300_000);
    expect((await detail(TABLE, n.round_id)).round.state).toBe('result');
    expect(await events(TABLE, n.round_id, 'table.round.settle_stuck')).toHaveLength(1);

    // the next round: the stuck stake is still held, so only what is left can be staked
    const n1 = await openDealerRound(TABLE);
    const tooMuch = await bet(TABLE, s, n1.round_id, 'player', 1_500);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error.code).toBe('insufficient_funds');
    const sN1 = await bet(TABLE, s, n1.round_id, 'player', 1_000);
    const gN1 = await bet(TABLE, g, n1.round_id, 'banker', 1_000);
    expect([sN1.status, gN1.status]).toEqual([201, 201]);
    expect(await table(TABLE).enterResult(n1.round_id, BANKER_WINS, 'operator:dealer-review')).toMatchObject({ ok: true });
    expect((await detail(TABLE, n1.round_id)).round.state).toBe('settled');
    // s lost round n+1 while round n still holds its stake: nothing left, nothing negative
    const inspected = await player(s.playerId).inspect();
    if (!inspected.ok) throw new Error('no player');
    const eur = inspected.balances.find((b: { currency: string }) => b.currency === 'EUR')!;
    expect(eur).toMatchObject({ real_minor: 1_000 });
    expect((await holdOf(s.playerId, sN.holdId))?.state).toBe('pending');

    // the player's object answers again: round n is settled, its stuck bet once
    await refuseSettling(TABLE, []);
    for (let i = 0; i < 2; i++) await tableAlarmAfter(TABLE, 300_000);
    const dn = await detail(TABLE, n.round_id);
    expect(dn.round.state).toBe('settled');
    expect(await events(TABLE, n.round_id, 'table.bet.settled')).toHaveLength(2);
    expect(await events(TABLE, n.round_id, 'table.round.settled')).toHaveLength(1);
    expect(await events(TABLE, n1.round_id, 'table.bet.settled')).toHaveLength(2);
    // banker wins pays 0.95:1 on top of the stake
    const bankerReturn = dn.bets.find((b) => b.player_id === g.playerId)!.returned_minor!;
    expect(bankerReturn).toBeGreaterThan(1_000);
    expect(await realBalance(s.playerId)).toBe(2_000 - 1_000 + bankerReturn - 1_000);
    expect(await realBalance(g.playerId)).toBe(10_000 - 2_000 + 2 * bankerReturn);
    const moved = (await realBalance(s.playerId)) - 2_000 + (await realBalance(g.playerId)) - 10_000;
    expect(moved + (await ggr(TABLE, [n.round_id, n1.round_id]))).toBe(0);
    for (const p of [s, g]) expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('finding R2: the back office totals of a parked round', () => {
  /**
   * Bets.totals counted 'accepted' bets with what the 'settled' ones returned (fixed): for a round with a
   * result, a stuck (accepted) bet counted its whole stake as wagered and nothing as returned, so a
   * parked round's totals showed the house winning stakes that never left the players' balances
   * (held, not taken), for as long as the round stays parked (hours, possibly for good). Same for a
   * voided round whose refunds are stuck.
   */
  it('R2: a parked round\'s totals match the money that moved (stuck stakes are not counted as won)', async () => {
    const TABLE = 'baccarat-1';
    const s = await funded(10_000);
    const g = await funded(10_000);
    const round = await openDealerRound(TABLE);
    const sb = await bet(TABLE, s, round.round_id, 'player', 1_000);
    const gb = await bet(TABLE, g, round.round_id, 'player', 1_000);
    expect([sb.status, gb.status]).toEqual([201, 201]);
    await refuseSettling(TABLE, [sb.holdId]);
    expect(await table(TABLE).enterResult(round.round_id, PLAYER_WINS, 'operator:dealer-review')).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) await tableAlarmAfter(TABLE, 300_000);
    expect(await events(TABLE, round.round_id, 'table.round.settle_stuck')).toHaveLength(1);
    const moved = (await realBalance(s.playerId)) - 10_000 + (await realBalance(g.playerId)) - 10_000;
    expect(moved).toBe(1_000); // g won 1:1; s's stake is held, not taken
    expect(moved + (await ggr(TABLE, [round.round_id]))).toBe(0);
  });
});

describe('every table job run twice (a restart after its effect, before `done`) changes nothing the second time', () => {
  const job = (kind: string, ref: string): ScheduleRow => ({ kind, ref, due_at: 0 });
  const runTwice = async (tableId: string, j: ScheduleRow) => {
    for (let i = 0; i < 2; i++) await runInDurableObject(table(tableId), (o: TableDO) => inside(o).runJob(j));
  };

  it('close, draw, settle, expire and open of an automated round: one event each, each bet settled once', async () => {
    const TABLE = 'auto-roulette-1';
    const p = await funded(10_000);
    const q = await funded(10_000);
    const opened = await table(TABLE).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const r = opened.round;
    expect((await bet(TABLE, p, r.round_id, 'red', 1_000)).status).toBe(201);
    expect((await bet(TABLE, q, r.round_id, 'black', 1_000)).status).toBe(201);
    await runInDurableObject(table(TABLE), (o: TableDO) => { inside(o).c.clockOffsetMs += 13_000; });
    await runTwice(TABLE, job('round.close', r.round_id));
    await runTwice(TABLE, job('round.draw', r.round_id));
    await runTwice(TABLE, job('round.settle', r.round_id));
    await runTwice(TABLE, job('round.expire', r.round_id));
    await runTwice(TABLE, job('round.open', 'next'));
    const d = await detail(TABLE, r.round_id);
    expect(d.round.state).toBe('settled');
    for (const type of ['table.round.opened', 'table.round.closed', 'table.round.result', 'table.round.settled']) expect(await events(TABLE, r.round_id, type), type).toHaveLength(1);
    expect(await events(TABLE, r.round_id, 'table.round.voided')).toHaveLength(0);
    expect(await events(TABLE, r.round_id, 'table.bet.settled')).toHaveLength(2);
    const moved = (await realBalance(p.playerId)) - 10_000 + (await realBalance(q.playerId)) - 10_000;
    expect(moved + (await ggr(TABLE, [r.round_id]))).toBe(0);
    for (const x of [p, q]) expect(await player(x.playerId).audit()).toEqual([]);
  });

  it('refund and expire of a voided round, and a hold release: each stake back once', async () => {
    const TABLE = 'auto-baccarat-1';
    const p = await funded(10_000);
    const opened = await table(TABLE).openRound('rng');
    if (!opened.ok) throw new Error(JSON.stringify(opened));
    const r = opened.round;
    const b = await bet(TABLE, p, r.round_id, 'banker', 1_000);
    expect(b.status).toBe(201);
    expect(await table(TABLE).voidRound(r.round_id, 'operator:review', 'review')).toMatchObject({ ok: true });
    await runTwice(TABLE, job('round.refund', r.round_id));
    await runTwice(TABLE, job('round.expire', r.round_id));
    expect(await events(TABLE, r.round_id, 'table.round.voided')).toHaveLength(1);
    expect((await events(TABLE, r.round_id, 'table.bet.settled')).map((e) => e.event.payload)).toMatchObject([{ result: 'void', returned_minor: 1_000 }]);
    expect((await holdOf(p.playerId, b.holdId))?.state).toBe('voided');
    expect(await realBalance(p.playerId)).toBe(10_000);
    expect(await ggr(TABLE, [r.round_id])).toBe(0);

    // a hold the table owes a release, released twice
    const holdId = `table:${TABLE}:release-${crypto.randomUUID()}`;
    expect(await player(p.playerId).reserveTableBet(sessionOf(p), { hold_id: holdId, currency: 'EUR', amount_minor: 2_000, expires_at: Date.now() + HOUR, ref: 'r', max_return_minor: 4_000 }, ['MT'])).toMatchObject({ ok: true });
    await runTwice(TABLE, job('hold.release', `${p.playerId}|${holdId}`));
    expect((await holdOf(p.playerId, holdId))?.state).toBe('voided');
    expect(await realBalance(p.playerId)).toBe(10_000);
    const inspected = await player(p.playerId).inspect();
    if (!inspected.ok) throw new Error('no player');
    expect(inspected.balances.find((x: { currency: string }) => x.currency === 'EUR')).toMatchObject({ real_minor: 10_000, held_minor: 0 });
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('a dealer alone', () => {
  it('cannot void a round after its result, nor enter a second result: one settlement, the loss taken once', async () => {
    const TABLE = 'roulette-1';
    const p = await funded(10_000);
    const r = await openDealerRound(TABLE);
    expect((await bet(TABLE, p, r.round_id, 'red', 1_000)).status).toBe(201);
    expect(await table(TABLE).enterResult(r.round_id, { number: 2 }, 'operator:dealer-review')).toMatchObject({ ok: true });
    expect(await table(TABLE).voidRound(r.round_id, 'operator:dealer-review', 'changed my mind')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await table(TABLE).enterResult(r.round_id, { number: 1 }, 'operator:dealer-review')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect((await detail(TABLE, r.round_id)).round).toMatchObject({ state: 'settled', outcome: { number: 2 } });
    expect(await events(TABLE, r.round_id, 'table.round.result')).toHaveLength(1);
    expect(await realBalance(p.playerId)).toBe(9_000);

    // voided first: no result afterwards, and voiding again refunds nothing twice
    const v = await openDealerRound(TABLE);
    expect((await bet(TABLE, p, v.round_id, 'red', 1_000)).status).toBe(201);
    expect(await table(TABLE).voidRound(v.round_id, 'operator:dealer-review', 'review')).toMatchObject({ ok: true });
    expect(await table(TABLE).enterResult(v.round_id, { number: 1 }, 'operator:dealer-review')).toMatchObject({ ok: false, code: 'invalid_state' });
    expect(await table(TABLE).voidRound(v.round_id, 'operator:dealer-review', 'again')).toMatchObject({ ok: true });
    expect(await events(TABLE, v.round_id, 'table.round.voided')).toHaveLength(1);
    expect(await events(TABLE, v.round_id, 'table.bet.settled')).toHaveLength(1);
    expect(await realBalance(p.playerId)).toBe(9_000);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});

describe('a player self-excluded or closed between the bet and its settlement', () => {
  it('is settled as usual: the win is paid to the account (the stake was played before the exclusion)', async () => {
    const TABLE = 'roulette-1';
    const excluded = await funded(10_000);
    const closed = await funded(10_000);
    const r = await openDealerRound(TABLE);
    for (const x of [excluded, closed]) expect((await bet(TABLE, x, r.round_id, 'red', 1_000)).status).toBe(201);
    expect(await player(excluded.playerId).selfExclude(sessionOf(excluded), { months: 6, permanent: false })).toMatchObject({ ok: true });
    expect(await player(closed.playerId).setStatus('closed', 'review', 'operator:review')).toMatchObject({ ok: true });
    expect(await table(TABLE).enterResult(r.round_id, { number: 1 }, 'operator:dealer-review')).toMatchObject({ ok: true });
    expect((await detail(TABLE, r.round_id)).round.state).toBe('settled');
    for (const x of [excluded, closed]) {
      expect(await realBalance(x.playerId)).toBe(11_000);
      expect(await player(x.playerId).audit()).toEqual([]);
    }
  });
});

describe('the expiry edge, measured by the player object\'s clock', () => {
  async function settleAt(offsetFromExpiry: number) {
    const p = await funded(10_000);
    const holdId = `table:roulette-1:edge-${crypto.randomUUID()}`;
    expect(await player(p.playerId).reserveTableBet(sessionOf(p), { hold_id: holdId, currency: 'EUR', amount_minor: 1_000, expires_at: Date.now() + HOUR, ref: 'r', max_return_minor: 2_000 }, ['MT'])).toMatchObject({ ok: true });
    const answer = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
      const t = internals(o);
      const h = t.walletRg.hold(holdId)!;
      // the object's clock pinned to one instant for the call (Date.now moves during it here)
      const instant = h.expires_at! + offsetFromExpiry;
      t.c.now = () => instant;
      try {
        return o.settleTableBet({ hold_id: holdId, win_id: `${holdId}:return`, returned_minor: 2_000 });
      } finally {
        delete (t.c as { now?: unknown }).now;
      }
    });
    return { p, answer };
  }

  it('one millisecond before: posted and paid; at the instant of expiry: expired, stake back, nothing paid', async () => {
    const before = await settleAt(-1);
    expect(before.answer).toMatchObject({ ok: true, state: 'posted', returned_minor: 2_000 });
    expect(await realBalance(before.p.playerId)).toBe(11_000);
    const at = await settleAt(0);
    expect(at.answer).toMatchObject({ ok: true, state: 'expired', returned_minor: 0 });
    expect(await realBalance(at.p.playerId)).toBe(10_000);
    for (const x of [before.p, at.p]) expect(await player(x.playerId).audit()).toEqual([]);
  });
});

describe('a settlement delayed past the hold\'s 24 hours (a player object away that long)', () => {
  it('a winning bet ends expired: the player gets the stake back and no win, sees the bet expired; money is conserved', async () => {
    const TABLE = 'roulette-1';
    const away = await funded(10_000);
    const other = await funded(10_000);
    const r = await openDealerRound(TABLE);
    const b = await bet(TABLE, away, r.round_id, 'red', 1_000);
    expect(b.status).toBe(201);
    expect((await bet(TABLE, other, r.round_id, 'red', 1_000)).status).toBe(201);
    await refuseSettling(TABLE, [b.holdId]);
    expect(await table(TABLE).enterResult(r.round_id, { number: 1 }, 'operator:dealer-review')).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) await tableAlarmAfter(TABLE, 300_000);
    expect(await events(TABLE, r.round_id, 'table.round.settle_stuck')).toHaveLength(1);
    // a day later the player's object is back; its alarm expired the hold first
    await advance(away.playerId, 24 * HOUR + 60_000);
    await runDurableObjectAlarm(player(away.playerId));
    await refuseSettling(TABLE, []);
    await tableAlarmAfter(TABLE, 300_000);
    const d = await detail(TABLE, r.round_id);
    expect(d.round.state).toBe('settled');
    expect(d.bets.find((x) => x.player_id === away.playerId)).toMatchObject({ state: 'expired', result: 'expired', returned_minor: 0 });
    expect(await table(TABLE).myBets(away.playerId, r.round_id)).toMatchObject([{ state: 'expired', result: 'expired', returned_minor: 0 }]);
    const settled = (await events(TABLE, r.round_id, 'table.bet.settled')).filter((e) => e.event.player_id === away.playerId);
    expect(settled.map((e) => e.event.payload)).toMatchObject([{ result: 'expired', returned_minor: 0 }]);
    expect(await realBalance(away.playerId)).toBe(10_000);
    expect(await realBalance(other.playerId)).toBe(11_000);
    expect(1_000 + (await ggr(TABLE, [r.round_id]))).toBe(0); // other won 1:1, away got the stake back
    for (const x of [away, other]) expect(await player(x.playerId).audit()).toEqual([]);
  });
});

describe('finding R3: a voided round whose refund cannot be finished', () => {
  /**
   * Refunds back off like settlements and count attempts (Rounds.failedAttempt), but only a round
   * with a result is parked and surfaced: a voided round whose stakes cannot be given back (the
   * player object refuses or is away) is retried silently, the stake held in the player's object
   * for up to its 24 hours, and nothing tells the back office (no table.round.settle_stuck).
   */
  it('R3: is surfaced once (table.round.settle_stuck) after the same attempts, and refunded once when the player object answers', async () => {
    const TABLE = 'roulette-1';
    const p = await funded(10_000);
    const r = await openDealerRound(TABLE);
    const b = await bet(TABLE, p, r.round_id, 'red', 1_000);
    expect(b.status).toBe(201);
    await refuseSettling(TABLE, [b.holdId], 'abandon');
    expect(await table(TABLE).voidRound(r.round_id, 'operator:review', 'review')).toMatchObject({ ok: true });
    for (let i = 0; i < 3; i++) await tableAlarmAfter(TABLE, 300_000);
    expect((await detail(TABLE, r.round_id)).bets[0]!.state).toBe('accepted');
    expect((await holdOf(p.playerId, b.holdId))?.state).toBe('pending');
    const stuck = await events(TABLE, r.round_id, 'table.round.settle_stuck');
    expect(stuck).toHaveLength(1);
    expect(stuck[0]!.event.payload).toMatchObject({ round_no: r.round_no, bets_open: 1 });
    await refuseSettling(TABLE, []);
    await tableAlarmAfter(TABLE, 300_000);
    expect((await detail(TABLE, r.round_id)).bets[0]!.state).toBe('voided');
    expect(await events(TABLE, r.round_id, 'table.round.settle_stuck')).toHaveLength(1);
    expect(await realBalance(p.playerId)).toBe(10_000);
    expect(await player(p.playerId).audit()).toEqual([]);
  });
});
