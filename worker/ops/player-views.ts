/**
 * Response schemas of the back office on one player (/v1/ops/players/...). Each mirrors what the
 * player's object answers (durable/player/*.ts) less its `ok`, so a field added to an object view
 * and not here, or here and not there, fails to compile (worker/http/mirror.ts).
 */
import { z } from '@hono/zod-openapi';
import type { Adjustment as AdjustmentView } from '../../durable/player/adjustments';
import type { BackOfficeReads } from '../../durable/player/backoffice';
import type { DisputeOutcome } from '../../durable/player/disputes';
import type { OperatorPlayerView, PlayerView } from '../../durable/player/profile';
import type { RelayStatus } from '../../durable/player/relay';
import type { SegmentsView } from '../../durable/player/segments';
import type { Hold as HoldView, Withdrawal as WithdrawalView } from '../../durable/player/wallet';
import { mirrors } from '../http/mirror';
import { Balance, CurrencyCode, LedgerEntry, Limit, Player, Session, Withdrawal } from '../schemas';
import { OutboxEvent } from './schemas';
import { type presentTimeline, ShownField } from './timeline-view';

/** The object's answer on success, without the `ok: true` every Result carries. */
type Answer<F extends (...args: never[]) => unknown> = Omit<Extract<ReturnType<F>, { ok: true }>, 'ok'>;
type Inspected = Answer<BackOfficeReads['inspect']>;

export const OperatorPlayer = mirrors<OperatorPlayerView>()(Player.extend({
  vip: z.boolean(),
  updated_at: z.number(),
}).openapi('OperatorPlayer'));

const ProfilePlayer = OperatorPlayer.extend({
  pii_masked: z.boolean().openapi({ description: 'Email and date of birth are masked unless the operator revealed them (?reveal=pii)' }),
});

export const KycChange = mirrors<Inspected['kyc_history'][number]>()(z.object({
  at: z.number(), from_status: z.string(), to_status: z.string(), reason: z.string().nullable(), actor: z.string(),
}).openapi('KycChange'));

export const Adjustment = mirrors<AdjustmentView>()(z.object({
  adjustment_id: z.string(),
  currency: CurrencyCode,
  bucket: z.enum(['real', 'bonus']),
  amount_minor: z.number().int().openapi({ description: 'Signed: a credit (> 0) or a debit (< 0)' }),
  reason: z.string(),
  state: z.enum(['pending', 'applied', 'rejected']),
  requested_by: z.string(),
  decided_by: z.string().nullable().openapi({ description: 'The second operator; null for adjustments applied at once' }),
  decision_reason: z.string().nullable(),
  balance_after_minor: z.number().int().nullable().openapi({ description: "The bucket's balance right after the adjustment was applied" }),
  created_at: z.number(),
  decided_at: z.number().nullable(),
  hold_id: z.string().nullable().openapi({ description: "The bet this resolves (a dispute's correction or void); null for a plain adjustment" }),
  resolution: z.enum(['correct', 'void']).nullable().openapi({ description: 'What the dispute does to the bet; null for a plain adjustment' }),
}).openapi('Adjustment'));

export const Hold = mirrors<HoldView>()(z.object({
  hold_id: z.string(),
  kind: z.enum(['bet', 'withdrawal']),
  currency: CurrencyCode,
  real_minor: z.number().int(),
  bonus_minor: z.number().int(),
  state: z.enum(['pending', 'posted', 'voided', 'expired']),
  expires_at: z.number().nullable(),
  ref: z.string().nullable(),
  created_at: z.number(),
  resolved_at: z.number().nullable(),
  max_return_minor: z.number().int().nullable().openapi({ description: 'What the bet can return at most, stake included; null when the game does not say' }),
}).openapi('Hold'));

export const RelayState = mirrors<RelayStatus>()(z.object({
  after_seq: z.number().int(), failures: z.number().int(), last_error: z.string().nullable(), last_attempt_at: z.number().nullable(),
}).openapi('RelayStatus'));

export const PlayerSegments = mirrors<SegmentsView>()(z.object({
  segments: z.array(z.string()).openapi({ description: 'Segment names, sorted; empty before the first publication' }),
  vip_tier: z.string().nullable().openapi({ description: 'The VIP tier computed by the warehouse; null for none (distinct from the manual `vip` flag)' }),
  snapshot_id: z.string().nullable().openapi({ description: 'The warehouse snapshot these come from; null when none was ever published' }),
  published_at: z.number().nullable().openapi({ description: 'When that snapshot reached the player (ms since epoch)' }),
  changed_at: z.number().nullable().openapi({ description: 'When the membership or tier last changed (ms since epoch)' }),
}).openapi('PlayerSegments'));

export const PlayerProfile = mirrors<Omit<Inspected, 'player'> & { player: OperatorPlayerView & { pii_masked: boolean }; names: Record<string, string> }>()(z.object({
  player: ProfilePlayer,
  balances: z.array(Balance),
  kyc_history: z.array(KycChange),
  sessions: z.array(Session),
  limits: z.array(Limit),
  withdrawals: z.array(Withdrawal),
  adjustments: z.array(Adjustment),
  open_holds: z.array(Hold),
  relay: RelayState.openapi({ description: "Where the relay of this player's events to the brand's back office stands" }),
  segments: PlayerSegments.openapi({ description: 'Segments and VIP tier published by the warehouse (docs/segments.md)' }),
  names: z.record(z.string(), z.string()).openapi({ description: 'Display names of the `operator:<id>` / `player:<id>` references above (the player masked unless revealed)' }),
}).openapi('PlayerProfile'));

export const LedgerPage = mirrors<Answer<BackOfficeReads['ledger']>>()(z.object({
  entries: z.array(LedgerEntry),
  next_before: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next (older) page; null on the last page' }),
}).openapi('LedgerPage'));

export const TimelinePage = mirrors<Awaited<ReturnType<typeof presentTimeline>>>()(z.object({
  events: z.array(OutboxEvent.extend({
    shown: z.object({ at: ShownField, type: z.string(), fields: z.array(ShownField) }).openapi({ description: 'The event as people read it (worker/ops/timeline-view.ts)' }),
  })),
  next_before: z.number().int().nullable().openapi({ description: 'Pass as `before` for the next (older) page; null on the last page' }),
}).openapi('TimelinePage'));

export const PlayerChanged = mirrors<{ player: PlayerView }>()(z.object({ player: Player }).openapi('PlayerChanged'));

export const VipChanged = mirrors<{ player: OperatorPlayerView; changed: boolean }>()(z.object({
  player: OperatorPlayer,
  changed: z.boolean().openapi({ description: 'false when the flag already had this value' }),
}).openapi('VipChanged'));

const replayed = z.boolean().openapi({ description: 'true when this answers a retry of an earlier request (same Idempotency-Key or decision)' });

export const WithdrawalDecided = mirrors<{ withdrawal: WithdrawalView; replayed: boolean }>()(z.object({ withdrawal: Withdrawal, replayed }).openapi('WithdrawalDecided'));

export const AdjustmentAnswer = mirrors<{ adjustment: AdjustmentView; replayed: boolean }>()(z.object({ adjustment: Adjustment, replayed }).openapi('AdjustmentAnswer'));

export const Dispute = mirrors<DisputeOutcome>()(z.object({
  dispute_id: z.string(),
  hold_id: z.string(),
  currency: CurrencyCode,
  resolution: z.enum(['void', 'correct']),
  amount_minor: z.number().int().openapi({ description: "Net change to the player's balance (all buckets); for a pending or rejected one, the amount asked for" }),
  reason: z.string(),
  actor: z.string(),
  created_at: z.number(),
  state: z.enum(['applied', 'pending', 'rejected']).openapi({ description: 'pending: a correction, or a void that credits, above the four-eyes thresholds, waiting in the adjustments queue; rejected: refused there (or by a void of the bet)' }),
}).openapi('Dispute'));

export const DisputeAnswer = mirrors<{ dispute: DisputeOutcome; replayed: boolean }>()(z.object({ dispute: Dispute, replayed }).openapi('DisputeAnswer'));
