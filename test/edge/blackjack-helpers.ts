/**
 * What the blackjack edge tests share: the three tables, funded players (remembering where each
 * connects from, for the geo gate), the player's blackjack routes, the round's views and the
 * table's outbox, and the table's clock and alarms.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import type { TableDO } from '../../durable/table/table-do';
import { call, deposit, register, type Json, type Registered } from './helpers';

export const DEALER_TABLE = 'blackjack-1';
export const AUTO_SEATED = 'auto-blackjack-1';
export const INFINITE = 'infinite-blackjack-1';

export function table(tableId: string): DurableObjectStub<TableDO> {
  return env.TABLE.getByName(tableId) as DurableObjectStub<TableDO>;
}

/** Moves the table's clock forward (its timers read it), without waiting. */
export async function advanceTable(tableId: string, ms: number): Promise<void> {
  await runInDurableObject(table(tableId), (o: TableDO) => { (o as unknown as { c: { clockOffsetMs: number } }).c.clockOffsetMs += ms; });
}

export async function drainAlarms(tableId: string): Promise<void> {
  for (let i = 0; i < 10 && (await runDurableObjectAlarm(table(tableId))); i++);
}

/** Where each test player connects from (the geo gate checks it against their jurisdiction). */
const countryOf = new Map<string, string>();
export const opts = (p: Registered) => ({ token: p.token, country: countryOf.get(p.playerId) ?? 'MT' });

export async function funded(amount = 10_000, currency = 'EUR', country = 'MT'): Promise<Registered> {
  const p = await register({ country }, { country });
  countryOf.set(p.playerId, country);
  const dep = await deposit(p.token, amount, currency, undefined, { country });
  expect(dep.status, JSON.stringify(dep.body)).toBe(201);
  return p;
}

export async function available(p: Registered, currency = 'EUR'): Promise<number> {
  const r = await call('GET', '/v1/wallet', undefined, opts(p));
  return (r.body.balances as Json[]).find((b) => b.currency === currency)?.available_minor ?? 0;
}

export function bjBet(tableId: string, p: Registered, roundId: string, body: Json) {
  return call('POST', `/v1/tables/${tableId}/blackjack/bets`, { bet_id: crypto.randomUUID(), round_id: roundId, currency: 'EUR', ...body }, opts(p));
}

export function decide(tableId: string, p: Registered, roundId: string, box_id: string, action: string, hand_index = 0, decision_id: string = crypto.randomUUID()) {
  return call('POST', `/v1/tables/${tableId}/blackjack/decisions`, { decision_id, round_id: roundId, box_id, hand_index, action }, opts(p));
}

/** The round as a player (with `you`) or as anyone sees it. */
export async function roundView(tableId: string, roundId: string, p?: Registered): Promise<Json> {
  const r = await call('GET', `/v1/tables/${tableId}/blackjack/round?round_id=${roundId}`, undefined, p ? opts(p) : {});
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.round;
}

export async function publicRound(tableId: string, roundId: string): Promise<Json> {
  return (await call('GET', `/v1/tables/${tableId}/rounds/${roundId}`)).body.round;
}

/** The events the table wrote for one round, in order. */
export async function outbox(tableId: string, roundId: string): Promise<Json[]> {
  return (await table(tableId).outbox(0, 5000)).filter((r) => r.event.round_id === roundId).map((r) => r.event as unknown as Json);
}
