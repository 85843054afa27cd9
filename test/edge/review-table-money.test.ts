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
