/**
 * What a PlayerDO relays to its brand's BrandOpsDO: the player's current profile (for search and
 * the KYC queue) and its new outbox events (for the withdrawal and adjustment queues and the
 * anomaly rules). Delivery is at-least-once; BrandOpsDO deduplicates on event_id.
 */
import type { AlertDecision, AmlAlertRule } from '../../domain/aml';
import type { CasinoEvent } from '../../domain/events';

export type PlayerSnapshot = {
  player_id: string;
  brand: string;
  /** PII, kept here only so operators can search; masked in views by policy. */
  email: string;
  country: string;
  jurisdiction: string;
  currency: string;
  status: 'active' | 'locked' | 'self_excluded' | 'closed';
  kyc_status: 'none' | 'pending' | 'verified' | 'rejected';
  vip: boolean;
  created_at: number;
  updated_at: number;
};

export type RelayBatch = { player: PlayerSnapshot; events: CasinoEvent[] };

// ---- addressing and bounds (shared with the relay side) ------------------------------------------

/** The name of a brand's BrandOpsDO: `env.BRAND_OPS.getByName(brandOpsName(brand))`. */
export function brandOpsName(brand: string): string {
  return `ops:${brand}`;
}

/** Events per RelayBatch at most; larger batches are refused (the relay splits them). */
export const RELAY_BATCH_EVENTS_MAX = 500;

/** What the relay leaves out and what the ingest applies: one list, event-reads.ts. */
export { NOT_FOR_BACK_OFFICE, forBackOffice } from './event-reads';

export type IngestResult = { ok: true; accepted: number; duplicates: number };

// ---- list options --------------------------------------------------------------------------------

/** Keyset pagination of search: `after` is the `next` of the previous page; `limit` at most 100. */
export type Page = { limit?: number; after?: string | null };

/**
 * The caller's view: `jurisdictions` is the operator's allowed set ('*' = all; absent = all, the
 * caller is trusted to pass it); `vip` keeps only VIP (true) or only non-VIP (false) players, for
 * operators without VIP clearance.
 */
export type Scope = { jurisdictions?: string[]; vip?: boolean };

export type PlayerSearch = Scope & Page & {
  /** An exact player_id, or part of an email (case-insensitive). */
  q?: string;
  status?: PlayerSnapshot['status'];
  kyc_status?: PlayerSnapshot['kyc_status'];
  jurisdiction?: string;
};

export type PlayerPage = { players: PlayerSnapshot[]; next: string | null };

// ---- work queues ---------------------------------------------------------------------------------

/** A player waiting for KYC review, oldest first; `pending_since` is when KYC became pending. */
export type KycQueueItem = PlayerSnapshot & { pending_since: number };

export type WithdrawalQueueState = 'pending' | 'approved';

/** A withdrawal waiting for a decision (pending) or for its payout (approved). */
export type WithdrawalQueueItem = {
  withdrawal_id: string;
  player_id: string;
  jurisdiction: string;
  vip: boolean;
  currency: string;
  amount_minor: number;
  state: WithdrawalQueueState;
  /** null while the request event itself has not arrived (the approval came first). */
  requested_at: number | null;
  approved_at: number | null;
  approved_by: string | null;
};

/** A manual adjustment above the four-eyes threshold, waiting for a second operator. */
export type AdjustmentQueueItem = {
  adjustment_id: string;
  player_id: string;
  jurisdiction: string;
  vip: boolean;
  currency: string;
  bucket: 'real' | 'bonus';
  amount_minor: number;
  reason: string;
  requested_by: string;
  requested_at: number;
};

/** Queues are read from their head (oldest first): `limit` at most 200; counts() gives their length. */
export type QueueQuery = Scope & { limit?: number };
export type WithdrawalQueueQuery = QueueQuery & { state?: WithdrawalQueueState };

export type OpsCounts = {
  players: number;
  kyc_pending: number;
  withdrawals_pending: number;
  withdrawals_approved: number;
  adjustments_pending: number;
  alerts_open: number;
};

// ---- anomaly alerts ------------------------------------------------------------------------------

/** The edge's own anomaly rules (anomaly-rules.ts). */
export type AnomalyRule = 'large_win' | 'rapid_deposit_withdraw' | 'failed_logins';
/** Anomaly rules, and the warehouse's AML rules published back as `aml.<rule>` (domain/aml.ts). */
export type AlertRule = AnomalyRule | AmlAlertRule;
export type AlertSeverity = 'low' | 'medium' | 'high';
export type AlertState = 'open' | 'resolved';

export type Alert = {
  alert_id: string;
  rule: AlertRule;
  severity: AlertSeverity;
  player_id: string;
  jurisdiction: string;
  vip: boolean;
  currency: string | null;
  summary: string;
  /** event_ids of the events that raised it. */
  evidence: string[];
  state: AlertState;
  /** Event time of the event that completed the pattern (rules run on event time). */
  occurred_at: number;
  raised_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
  note: string | null;
  /** What the operator decided (domain/aml.ts); always set on a resolved AML alert, optional on the others. */
  decision: AlertDecision | null;
};

/** Newest raised first; `before` (an alert_id) continues after that alert; `limit` at most 200. */
export type AlertQuery = Scope & { state?: AlertState; rule?: AlertRule; limit?: number; before?: string };
