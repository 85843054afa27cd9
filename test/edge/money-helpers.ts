/** Players with money and settled bets, for the money-control tests (through the real API). */
import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { call, deposit, idemKey, player, register, type Json, type Registered } from './helpers';
import { opCall, type Operator } from './ops-helpers';

/** A player of brand aurora who deposited `amount` (sandbox, confirmed at once). */
export async function funded(amount: number, currency = 'EUR'): Promise<Registered> {
  const p = await register({ brand: 'aurora' });
  expect((await deposit(p.token, amount, currency)).status).toBe(201);
  return p;
}

/** The player's real-money balance in a currency. */
export async function realBalance(playerId: string, currency = 'EUR'): Promise<number> {
  const r = await player(playerId).inspect();
  if (!r.ok) throw new Error('no player');
  return r.balances.find((b: Json) => b.currency === currency)?.real_minor ?? 0;
}

/** A lost sandbox round (its hold is `instant:<round_id>`; the game states no maximum return). */
export async function lostRound(p: Registered, amount_minor: number): Promise<string> {
  const roundId = `r-${crypto.randomUUID()}`;
  const r = await call('POST', '/v1/dev/rounds', { round_id: roundId, currency: 'EUR', amount_minor, win_minor: 0 }, { token: p.token });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return `instant:${roundId}`;
}

/** An operator resolves a dispute on one of the player's bets. */
export function dispute(op: Operator, p: Registered, body: Json, key = idemKey()) {
  return opCall('POST', `/v1/ops/players/${p.playerId}/disputes`, op, body, { headers: { 'Idempotency-Key': key } });
}

/** An operator's manual adjustment of the player's balance. */
export function adjust(op: Operator, p: Registered, amount_minor: number, currency = 'EUR', key = idemKey()) {
  return opCall('POST', `/v1/ops/players/${p.playerId}/adjustments`, op, { currency, amount_minor, reason: 'goodwill for outage' }, { headers: { 'Idempotency-Key': key } });
}

/** The player's open session (the one their token names), for calls made straight to the object. */
export function sessionOf(p: Registered): string {
  return decodeJwt(p.token).sid as string;
}
