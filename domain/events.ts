/**
 * The event contract (ARCHITECTURE.md): every state change of every object becomes one typed event.
 * Schemas are defined once here and shared by the emitters (Durable Objects), the queue consumer and
 * the warehouse loader. Payloads carry no raw PII (no email, name or full birth date): the
 * warehouse keeps events for years and analytics do not need them.
 */
import { z } from 'zod';
import { ALERT_DECISIONS } from './aml';
import { CATALOG_EVENTS } from './catalog/events';
import { DEVICES } from './device';
import { PAYMENT_REFERENCE_PATTERN } from './payment-reference';
import { amount, currency, id } from './event-fields';
import { TABLE_EVENTS } from './games/events';
import { PROVIDER_EVENTS } from './provider/events';
import { REWARD_EVENTS } from './rewards/events';
import { TOURNAMENT_EVENTS } from './tournaments/events';

const SessionEndReason = z.enum(['logout', 'idle_timeout', 'max_length', 'time_limit', 'cool_off', 'self_exclusion', 'account_locked', 'account_closed']);
const LimitKind = z.enum(['deposit', 'loss', 'wager', 'session_time', 'reality_check']);
const LimitPeriod = z.enum(['day', 'week', 'month', 'session']);
const Bucket = z.enum(['real', 'bonus']);
/**
 * The coarse device of a login (domain/device.ts). Added in 2026-12 without a new schema_version:
 * the change is additive, so it is optional: events emitted before it (in R2 and the warehouse)
 * lack it and still validate; readers take a missing device as 'unknown'. Every emitter sets it.
 */
const Device = z.enum(DEVICES);
/**
 * The keyed hash of a deposit's or withdrawal's payment instrument (domain/payment-reference.ts):
 * 16 hex characters, never the instrument. Added in 2026-12 like `device`: optional (older events
 * lack it), null where no instrument was named. The pattern also keeps a raw token out of the lake:
 * an event carrying anything else fails validation.
 */
const PaymentReference = z.string().regex(PAYMENT_REFERENCE_PATTERN).nullable().optional();
/** The free bet (its grant id) a bet was staked with: set only on such a bet's hold and win. */
const FreeBetId = z.string().min(1).max(256).optional();

/**
 * Payload schema per event type. `schema_version` of every type is 1 until a payload changes in a way
 * old events cannot satisfy (a field removed, renamed or retyped); a field added is optional instead.
 */
export const EVENT_PAYLOADS = {
  'player.registered': z.object({ brand: z.string(), country: z.string(), birth_year: z.number().int(), acquisition_source: z.string().nullable(), config_version: z.string() }),
  'player.login.succeeded': z.object({ session_id: id, country: z.string(), device: Device.optional() }),
  'player.login.failed': z.object({ reason: z.string() }),
  'player.login.foreign_country': z.object({ session_id: id, registered_country: z.string(), login_country: z.string() }),
  'player.session.ended': z.object({ session_id: id, reason: SessionEndReason, duration_ms: z.number().int().nonnegative() }),
  'player.kyc.changed': z.object({ from: z.string(), to: z.string(), reason: z.string().nullable(), actor: z.string() }),
  'player.status.changed': z.object({ from: z.string(), to: z.string(), reason: z.string().nullable(), actor: z.string() }),
  'player.vip.changed': z.object({ from: z.boolean(), to: z.boolean(), actor: z.string() }),
  // segments and VIP tier computed by the warehouse and published to the player's object (domain/segments.ts);
  // the lists are comma-joined, sorted segment names ('' for none): payloads are flat scalars
  'player.segments.changed': z.object({
    snapshot_id: z.string(), from: z.string(), to: z.string(), added: z.string(), removed: z.string(),
    vip_tier_from: z.string().nullable(), vip_tier_to: z.string().nullable(),
  }),
  'wallet.deposit.requested': z.object({ deposit_id: id, provider: z.string(), amount_minor: amount, payment_reference: PaymentReference }),
  'wallet.deposit.completed': z.object({ deposit_id: id, provider: z.string(), amount_minor: amount, balance_after_minor: amount, payment_reference: PaymentReference }),
  'wallet.deposit.failed': z.object({ deposit_id: id, provider: z.string(), amount_minor: amount, reason: z.string().nullable(), payment_reference: PaymentReference }),
  // payment_reference: the destination instrument's
  'wallet.withdrawal.requested': z.object({ withdrawal_id: id, amount_minor: amount, payment_reference: PaymentReference }),
  'wallet.withdrawal.approved': z.object({ withdrawal_id: id, amount_minor: amount, actor: z.string() }),
  'wallet.withdrawal.rejected': z.object({ withdrawal_id: id, amount_minor: amount, actor: z.string(), reason: z.string().nullable() }),
  'wallet.withdrawal.paid': z.object({ withdrawal_id: id, amount_minor: amount, balance_after_minor: amount }),
  // the player took a requested withdrawal back (its hold voided, the funds available again); actor 'player'
  'wallet.withdrawal.cancelled': z.object({ withdrawal_id: id, amount_minor: amount, actor: z.string() }),
  // free_bet_id (added 2026-12, optional): a bet staked with a free bet holds none of the player's money (amount 0),
  // and its win is the return without the stake (docs/rewards.md "Cash-like rewards")
  'wallet.hold.reserved': z.object({ hold_id: id, kind: z.string(), amount_minor: amount, real_minor: amount, bonus_minor: amount, expires_at: z.number().int().nullable(), ref: z.string().nullable(), free_bet_id: FreeBetId }),
  'wallet.hold.posted': z.object({ hold_id: id, kind: z.string(), amount_minor: amount, released_minor: amount, balance_after_minor: amount }),
  'wallet.hold.voided': z.object({ hold_id: id, kind: z.string(), amount_minor: amount }),
  'wallet.hold.expired': z.object({ hold_id: id, kind: z.string(), amount_minor: amount }),
  'wallet.win.credited': z.object({ win_id: id, hold_id: id.nullable(), bucket: Bucket, amount_minor: amount, balance_after_minor: amount, free_bet_id: FreeBetId }),
  'rg.limit.set': z.object({ kind: LimitKind, period: LimitPeriod, value: amount.nullable(), previous: amount.nullable(), effective_at: z.number().int(), pending: z.boolean() }),
  'rg.limit.applied': z.object({ kind: LimitKind, period: LimitPeriod, value: amount.nullable() }),
  'rg.limit.breach_refused': z.object({ kind: LimitKind, period: LimitPeriod, limit: amount, attempted_minor: amount }),
  'rg.reality_check.due': z.object({ session_id: id, session_elapsed_ms: z.number().int() }),
  'rg.cool_off.started': z.object({ until: z.number().int(), hours: z.number().int() }),
  'rg.cool_off.ended': z.object({}),
  'rg.self_exclusion.started': z.object({ until: z.number().int().nullable(), months: z.number().int().nullable() }),
  'rg.self_exclusion.ended': z.object({}),
  // back office: every operator action on a player's money is an event of that player's object
  'backoffice.adjustment.requested': z.object({ adjustment_id: id, bucket: Bucket, amount_minor: amount, reason: z.string(), actor: z.string(), needs_approval: z.boolean() }),
  'backoffice.adjustment.applied': z.object({ adjustment_id: id, bucket: Bucket, amount_minor: amount, balance_after_minor: amount, requested_by: z.string(), approved_by: z.string().nullable() }),
  'backoffice.adjustment.rejected': z.object({ adjustment_id: id, amount_minor: amount, actor: z.string(), reason: z.string().nullable() }),
  'backoffice.dispute.resolved': z.object({ dispute_id: id, ref: z.string(), resolution: z.enum(['void', 'correct']), amount_minor: amount, actor: z.string(), reason: z.string() }),
  // operations: anomaly alerts (BrandOpsDO) and the audit log (AuditDO)
  'ops.alert.raised': z.object({ alert_id: id, brand: z.string(), rule: z.string(), severity: z.enum(['low', 'medium', 'high']), summary: z.string() }),
  // an operator closed an alert (decision: domain/aml.ts; null only on an anomaly alert resolved without one); the note stays in the audit log
  'ops.alert.resolved': z.object({ alert_id: id, brand: z.string(), rule: z.string(), decision: z.enum(ALERT_DECISIONS).nullable(), actor: z.string(), resolved_at: z.number().int() }),
  'audit.entry.appended': z.object({ shard: z.string(), seq: z.number().int().positive(), action: z.string(), outcome: z.enum(['allowed', 'denied', 'failed']), actor_id: z.string(), target_type: z.string(), target_id: z.string().nullable(), hash: z.string() }),
  // live tables (TableDO), the game catalog (CatalogDO), provider wallet transactions (PlayerDO)
  ...TABLE_EVENTS,
  ...CATALOG_EVENTS,
  ...PROVIDER_EVENTS,
  // rewards outcomes (PlayerDO evaluating the rule set on its own events: docs/rewards.md)
  ...REWARD_EVENTS,
  // tournaments (TournamentDO: docs/tournaments.md)
  ...TOURNAMENT_EVENTS,
} as const;

export type EventType = keyof typeof EVENT_PAYLOADS;
export type EventPayload<T extends EventType> = z.infer<(typeof EVENT_PAYLOADS)[T]>;

export const EVENT_TYPES = Object.keys(EVENT_PAYLOADS) as EventType[];

export const EventEnvelope = z.object({
  event_id: z.uuid(),
  event_type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]),
  schema_version: z.number().int().positive(),
  occurred_at: z.number().int().positive(),
  player_id: z.string().nullable(),
  table_id: z.string().nullable(),
  round_id: z.string().nullable(),
  jurisdiction: z.string().nullable(),
  currency: currency.nullable(),
  payload: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});

/** Payload fields are flat scalars: simple for the warehouse's columns, and cheap for RPC types. */
export type PayloadValue = string | number | boolean | null;

/** An event as stored and shipped: plain JSON (so it crosses RPC and queues unchanged). */
export type CasinoEvent = Omit<z.infer<typeof EventEnvelope>, 'payload'> & { payload: { [key: string]: PayloadValue } };

/** Validates envelope and payload; the warehouse quarantines whatever this refuses, with the reason. */
export function validateEvent(input: unknown): { ok: true; event: CasinoEvent } | { ok: false; reason: string } {
  const env = EventEnvelope.safeParse(input);
  if (!env.success) return { ok: false, reason: z.prettifyError(env.error) };
  const payload = EVENT_PAYLOADS[env.data.event_type].safeParse(env.data.payload);
  if (!payload.success) return { ok: false, reason: `${env.data.event_type}: ${z.prettifyError(payload.error)}` };
  return { ok: true, event: env.data as CasinoEvent };
}
