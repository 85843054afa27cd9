/**
 * Response schemas of the brand-wide back-office views (/v1/ops/brands/...): player search, the
 * work queues, alerts and the audit log. Each mirrors the type BrandOpsDO or AuditDO answers with
 * (durable/brand-ops/types.ts, durable/audit/types.ts), so drift is a compile error (worker/http/mirror.ts).
 */
import { z } from '@hono/zod-openapi';
import type { AuditEntry as AuditEntryView, AuditVerification as AuditVerificationView } from '../../durable/audit/types';
import type {
  AdjustmentQueueItem as AdjustmentQueueItemView, Alert as AlertView, KycQueueItem as KycQueueItemView, OpsCounts, PlayerSnapshot as PlayerSnapshotView,
  WithdrawalQueueItem as WithdrawalQueueItemView,
} from '../../durable/brand-ops/types';
import { ALERT_DECISIONS, AML_ALERT_RULES } from '../../domain/aml';
import { mirrors } from '../http/mirror';

const PlayerStatus = z.enum(['active', 'locked', 'self_excluded', 'closed']);
const KycStatus = z.enum(['none', 'pending', 'verified', 'rejected']);

export const PlayerSnapshot = mirrors<PlayerSnapshotView>()(z.object({
  player_id: z.string(), brand: z.string(),
  email: z.string().openapi({ description: 'Masked (the export shows it to operators with player.read_pii)' }),
  country: z.string(), jurisdiction: z.string(), currency: z.string(), status: PlayerStatus, kyc_status: KycStatus, vip: z.boolean(),
  created_at: z.number(), updated_at: z.number(),
}).openapi('PlayerSnapshot'));

export const PlayerSearchPage = mirrors<{ players: PlayerSnapshotView[]; next: string | null }>()(z.object({
  players: z.array(PlayerSnapshot),
  next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last page' }),
}).openapi('PlayerSearchPage'));

export const BrandCounts = mirrors<OpsCounts>()(z.object({
  players: z.number().int(), kyc_pending: z.number().int(), withdrawals_pending: z.number().int(), withdrawals_approved: z.number().int(),
  adjustments_pending: z.number().int(), alerts_open: z.number().int(),
}).openapi('BrandCounts'));

export const KycQueueItem = mirrors<KycQueueItemView>()(PlayerSnapshot.extend({
  pending_since: z.number().openapi({ description: 'When KYC became pending' }),
}).openapi('KycQueueItem'));

export const WithdrawalQueueItem = mirrors<WithdrawalQueueItemView>()(z.object({
  withdrawal_id: z.string(), player_id: z.string(), jurisdiction: z.string(), vip: z.boolean(), currency: z.string(), amount_minor: z.number().int(),
  state: z.enum(['pending', 'approved']).openapi({ description: 'pending: waits for a decision; approved: waits for its payout' }),
  requested_at: z.number().nullable().openapi({ description: 'null while the request event itself has not arrived (the approval came first)' }),
  approved_at: z.number().nullable(), approved_by: z.string().nullable(),
}).openapi('WithdrawalQueueItem'));

export const AdjustmentQueueItem = mirrors<AdjustmentQueueItemView>()(z.object({
  adjustment_id: z.string(), player_id: z.string(), jurisdiction: z.string(), vip: z.boolean(), currency: z.string(), bucket: z.enum(['real', 'bonus']),
  amount_minor: z.number().int(), reason: z.string(), requested_by: z.string(), requested_at: z.number(),
}).openapi('AdjustmentQueueItem'));

export const KycQueue = z.object({ items: z.array(KycQueueItem) }).openapi('KycQueue');
export const WithdrawalQueue = z.object({ items: z.array(WithdrawalQueueItem) }).openapi('WithdrawalQueue');
export const AdjustmentQueue = z.object({ items: z.array(AdjustmentQueueItem) }).openapi('AdjustmentQueue');

export const Alert = mirrors<AlertView>()(z.object({
  alert_id: z.string(),
  rule: z.enum(['large_win', 'rapid_deposit_withdraw', 'failed_logins', ...AML_ALERT_RULES]).openapi({ description: 'An anomaly rule of the edge, or aml.<rule>: an AML alert the warehouse published (docs/aml.md)' }),
  severity: z.enum(['low', 'medium', 'high']),
  player_id: z.string(), jurisdiction: z.string(), vip: z.boolean(), currency: z.string().nullable(), summary: z.string(),
  evidence: z.array(z.string()).openapi({ description: 'event_ids of the events that raised it' }),
  state: z.enum(['open', 'resolved']),
  occurred_at: z.number().openapi({ description: 'Event time of the event that completed the pattern' }),
  raised_at: z.number(), resolved_at: z.number().nullable(), resolved_by: z.string().nullable(), note: z.string().nullable(),
  decision: z.enum(ALERT_DECISIONS).nullable().openapi({ description: 'What the operator decided (docs/aml.md): no_action, false_positive, escalated or reported; always set on a resolved AML alert' }),
}).openapi('Alert'));

export const AlertList = z.object({ alerts: z.array(Alert) }).openapi('AlertList');
export const AlertResolved = mirrors<{ alert: AlertView }>()(z.object({ alert: Alert }).openapi('AlertResolved'));

export const AuditEntry = mirrors<AuditEntryView>()(z.object({
  seq: z.number().int(), at: z.number(),
  actor_id: z.string(), actor_email: z.string().nullable(), actor_roles: z.array(z.string()),
  action: z.string(), target_type: z.string(), target_id: z.string().nullable(), brand: z.string(), jurisdiction: z.string().nullable(),
  outcome: z.enum(['allowed', 'denied', 'failed']), reason: z.string().nullable(),
  before: z.string().nullable().openapi({ description: 'The state before the action, as JSON text (null for reads and denials)' }),
  after: z.string().nullable().openapi({ description: 'The state after the action, as JSON text' }),
  ip: z.string().nullable(), request_id: z.string().nullable(),
  prev_hash: z.string(), hash: z.string().openapi({ description: 'SHA-256 (hex) of prev_hash and the canonical JSON of the entry' }),
}).openapi('AuditEntry'));

export const AuditPage = mirrors<{ shard: string; entries: AuditEntryView[]; next_after_seq: number | null }>()(z.object({
  shard: z.string(),
  entries: z.array(AuditEntry),
  next_after_seq: z.number().int().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last page' }),
}).openapi('AuditPage'));

export const AuditDay = mirrors<AuditVerificationView>()(z.object({
  shard: z.string(), ok: z.boolean(), entries: z.number().int(),
  head_hash: z.string().openapi({ description: "Hash of the last stored entry ('' when there is none)" }),
  problem: z.object({ seq: z.number().int(), reason: z.string() }).nullable().openapi({ description: 'The first broken link, when not ok' }),
}).openapi('AuditDayVerification'));

export const AuditVerification = mirrors<{ ok: boolean; days: AuditVerificationView[] }>()(z.object({
  ok: z.boolean().openapi({ description: 'Every day of the range verified' }),
  days: z.array(AuditDay),
}).openapi('AuditVerification'));
