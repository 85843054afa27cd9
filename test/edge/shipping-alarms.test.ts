/**
 * How often a player object's alarm wakes because of the outbox shipper, per request, counted
 * deterministically (issue 15: the shipper's alarm woke once per request and was ~15-20 % of a
 * request's CPU in E3's profile). A real player makes dev-round bets over the HTTP API (E2's path)
 * at a fixed pace in the object's own clock; between two requests the object's alarm is fired
 * (runDurableObjectAlarm, with the clock moved to its time) as often as it would have fired by the
 * next request, and each wake is counted by what it found due: a ship job, other work, or nothing
 * (an alarm left armed for a job that was gone). The alarm never fires by itself here: it is armed
 * in the object's clock, which runs ahead of real time.
 *
 * Before the change (24982c5, the job due 1 s after every emit, run by the alarm): at one request
 * every 10 s, 2 wakes per request (the ship job, and an empty one 2 s later for the retry the run
 * had cancelled); at 10 requests/s, one ship wake per second. After: shipping runs after commit, the
 * alarm is only the backup (SHIP_BACKUP_MS), and wakes at most once per 30 s for it.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { SHIP_JOB, type OutboxShipper } from '../../durable/lib/shipper';
import { countStatements, type StatementCounts } from '../../durable/lib/statement-counter';
import type { PlayerDO } from './entry';
import { call, deposit, internals, player, register } from './helpers';

type Wakes = { requests: number; wakes: number; ship: number; other: number; empty: number; statements?: number };

const shipperOf = (o: PlayerDO) => (o as unknown as { shipper: OutboxShipper }).shipper;
const relayOf = (o: PlayerDO) => (o as unknown as { relay: { settled(): Promise<void> } }).relay;

/** Lets the object's background work (relay deliveries, and the shipper's runs unless `shipper` is false) finish. */
async function quiet(playerId: string, shipper = true): Promise<void> {
  await runInDurableObject(player(playerId), async (o: PlayerDO) => {
    if (shipper) await shipperOf(o).settled();
    await relayOf(o).settled();
  });
}

/** Moves the object's clock by `ms`, firing its alarm each time it would have come due on the way. */
async function elapse(playerId: string, ms: number, w: Wakes): Promise<void> {
  const end = await runInDurableObject(player(playerId), (o: PlayerDO) => internals(o).c.now() + ms);
  for (let guard = 0; guard < 50; guard++) {
    const next = await runInDurableObject(player(playerId), async (o: PlayerDO) => {
      const { c, ctx } = internals(o);
      const alarm = await ctx.storage.getAlarm();
      if (alarm === null || alarm > end) return null;
      c.clockOffsetMs += Math.max(0, alarm - c.now()); // the object's clock at the alarm's time
      const due = c.schedules.pending().filter((j) => j.due_at <= c.now());
      return { ship: due.some((j) => j.kind === SHIP_JOB), other: due.some((j) => j.kind !== SHIP_JOB) || internals(o).walletRg.nextExpiry() !== null };
    });
    if (next === null) break;
    expect(await runDurableObjectAlarm(player(playerId))).toBe(true);
    await quiet(playerId);
    w.wakes++;
    if (next.ship) w.ship++;
    else if (next.other) w.other++;
    else w.empty++;
  }
  await runInDurableObject(player(playerId), (o: PlayerDO) => {
    const c = internals(o).c;
    c.clockOffsetMs += Math.max(0, end - c.now());
  });
}

/** `n` bets, one every `gapMs` of the object's clock, each through POST /v1/dev/rounds. */
async function betsAtPace(n: number, gapMs: number): Promise<Wakes> {
  const p = await register();
  expect((await deposit(p.token, 1_000_000)).status).toBe(201);
  await quiet(p.playerId);
  await elapse(p.playerId, 60_000, { requests: 0, wakes: 0, ship: 0, other: 0, empty: 0 }); // registration's own shipping and relay out of the way
  const w: Wakes = { requests: n, wakes: 0, ship: 0, other: 0, empty: 0 };
  // Every statement the object runs meanwhile (the bets, the runs after them, the relay, the alarms):
  // what the shipping costs per bet, in the unit E1 counts.
  const counts: StatementCounts = new Map();
  const restore = await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
    internals(o).c.checks = false; // debug mode's comparisons with SQL are statements too
    return countStatements(internals(o).ctx.storage.sql, counts);
  });
  for (let i = 0; i < n; i++) {
    const r = await call('POST', '/v1/dev/rounds', { round_id: `pace-${i}`, currency: 'EUR', amount_minor: 100, win_minor: i % 5 === 4 ? 190 : 0 }, { token: p.token });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // At a slow pace each bet's run is over before the next; a busy player's runs share a window.
    const slow = gapMs >= 1_000;
    await quiet(p.playerId, slow);
    await elapse(p.playerId, gapMs, w);
  }
  await quiet(p.playerId);
  await runInDurableObject(player(p.playerId), (o: PlayerDO) => {
    restore();
    internals(o).c.checks = true;
  });
  w.statements = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`shipping alarms, one bet every ${gapMs} ms: ${JSON.stringify(w)} (${(w.wakes / n).toFixed(2)} wakes per request, ${(w.ship / n).toFixed(2)} for a ship job, ${((w.statements ?? 0) / n).toFixed(1)} statements per request)`);
  // Every bet's events reached the queue (the cursor is at the outbox's end) and nothing is failing.
  const shipped = await runInDurableObject(player(p.playerId), (o: PlayerDO) => ({
    status: shipperOf(o).status(),
    last: internals(o).c.db.first<{ s: number }>`select max(seq) as s from outbox`!.s,
  }));
  expect(shipped.status).toMatchObject({ failures: 0, last_error: null, after_seq: shipped.last });
  return w;
}

describe('the shipper does not wake the alarm per request', () => {
  it('a player betting every 10 s (E3 pace): at most one ship wake per SHIP_BACKUP_MS, no empty wakes', async () => {
    const w = await betsAtPace(12, 10_000);
    expect(w.ship).toBeLessThanOrEqual(4); // 120 s of the object's clock / 30 s
    expect(w.empty).toBe(0);
  });

  it('a busy player, 10 bets/s: no alarm at all while it bets', async () => {
    const w = await betsAtPace(12, 100);
    expect(w.wakes).toBe(0);
  });
});
