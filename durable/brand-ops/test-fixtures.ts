/**
 * Hand-built relay batches for the BrandOpsDO tests: player snapshots and event envelopes exactly
 * as PlayerDO emits them, each checked against the shared schemas (validateEvent), so the tests
 * cannot drift from the event contract. Test-only: nothing in the worker imports this.
 */
import { env } from 'cloudflare:test';
import { validateEvent, type CasinoEvent, type EventPayload, type EventType } from '../../domain/events';
import { uuidv7 } from '../../domain/ids';
import type { Currency } from '../../domain/money';
import type { BrandOpsDO } from './brand-ops-do';
import type { PlayerSnapshot, RelayBatch } from './types';

/** 2026-11-21 12:00 UTC: a multiple of every rule window (15 min, 1 h), so windows start here. */
export const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
export const MIN = 60_000;

/** A fresh object per test; named `ops:<brand>` only when a test is about naming. */
export function opsStub(name = `test:${crypto.randomUUID()}`): DurableObjectStub<BrandOpsDO> {
  return env.BRAND_OPS.getByName(name) as DurableObjectStub<BrandOpsDO>;
}

export function snapshot(over: Partial<PlayerSnapshot> = {}): PlayerSnapshot {
  return {
    player_id: crypto.randomUUID(),
    brand: 'aurora',
    email: `p.${Math.random().toString(36).slice(2, 10)}@example.test`,
    country: 'MT',
    jurisdiction: 'MT',
    currency: 'EUR',
    status: 'active',
    kyc_status: 'none',
    vip: false,
    created_at: T0,
    updated_at: T0,
    ...over,
  };
}

export type EventOpts = { at: number; currency?: Currency | null; jurisdiction?: string | null; event_id?: string };

/** An event of `player`, as its PlayerDO would emit it; throws if it breaks the contract. */
export function event<T extends EventType>(player: PlayerSnapshot, type: T, payload: EventPayload<T>, o: EventOpts): CasinoEvent {
  const candidate = {
    event_id: o.event_id ?? uuidv7(o.at),
    event_type: type,
    schema_version: 1,
    occurred_at: o.at,
    player_id: player.player_id,
    table_id: null,
    round_id: null,
    jurisdiction: o.jurisdiction === undefined ? player.jurisdiction : o.jurisdiction,
    currency: o.currency === undefined ? (player.currency as Currency) : o.currency,
    payload,
  };
  const v = validateEvent(candidate);
  if (!v.ok) throw new Error(`fixture event is invalid: ${v.reason}`);
  return v.event;
}

export function batch(player: PlayerSnapshot, ...events: CasinoEvent[]): RelayBatch {
  return { player, events };
}

// ---- the events the tests use most -----------------------------------------------------------

export const ev = {
  withdrawalRequested: (p: PlayerSnapshot, id: string, amount: number, at: number, currency?: Currency) =>
    event(p, 'wallet.withdrawal.requested', { withdrawal_id: id, amount_minor: amount }, { at, currency }),
  withdrawalApproved: (p: PlayerSnapshot, id: string, amount: number, at: number) =>
    event(p, 'wallet.withdrawal.approved', { withdrawal_id: id, amount_minor: amount, actor: 'operator:ops-1' }, { at }),
  withdrawalRejected: (p: PlayerSnapshot, id: string, amount: number, at: number) =>
    event(p, 'wallet.withdrawal.rejected', { withdrawal_id: id, amount_minor: amount, actor: 'operator:ops-1', reason: 'docs' }, { at }),
  withdrawalPaid: (p: PlayerSnapshot, id: string, amount: number, at: number) =>
    event(p, 'wallet.withdrawal.paid', { withdrawal_id: id, amount_minor: amount, balance_after_minor: 0 }, { at }),
  withdrawalCancelled: (p: PlayerSnapshot, id: string, amount: number, at: number) =>
    event(p, 'wallet.withdrawal.cancelled', { withdrawal_id: id, amount_minor: amount, actor: 'player' }, { at }),
  depositCompleted: (p: PlayerSnapshot, id: string, amount: number, at: number, currency?: Currency) =>
    event(p, 'wallet.deposit.completed', { deposit_id: id, provider: 'sandbox', amount_minor: amount, balance_after_minor: amount }, { at, currency }),
  winCredited: (p: PlayerSnapshot, id: string, amount: number, at: number, currency?: Currency) =>
    event(p, 'wallet.win.credited', { win_id: id, hold_id: null, bucket: 'real', amount_minor: amount, balance_after_minor: amount }, { at, currency }),
  loginFailed: (p: PlayerSnapshot, at: number) => event(p, 'player.login.failed', { reason: 'wrong_password' }, { at, currency: null }),
  kycChanged: (p: PlayerSnapshot, from: string, to: string, at: number) =>
    event(p, 'player.kyc.changed', { from, to, reason: null, actor: 'player' }, { at, currency: null }),
  adjustmentRequested: (p: PlayerSnapshot, id: string, amount: number, needsApproval: boolean, at: number) =>
    event(p, 'backoffice.adjustment.requested', { adjustment_id: id, bucket: 'real', amount_minor: amount, reason: 'goodwill', actor: 'operator:ops-1', needs_approval: needsApproval }, { at }),
  adjustmentApplied: (p: PlayerSnapshot, id: string, amount: number, at: number) =>
    event(p, 'backoffice.adjustment.applied', { adjustment_id: id, bucket: 'real', amount_minor: amount, balance_after_minor: amount, requested_by: 'operator:ops-1', approved_by: 'operator:ops-2' }, { at }),
  adjustmentRejected: (p: PlayerSnapshot, id: string, amount: number, at: number) =>
    event(p, 'backoffice.adjustment.rejected', { adjustment_id: id, amount_minor: amount, actor: 'operator:ops-2', reason: 'no' }, { at }),
};
