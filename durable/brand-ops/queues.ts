/**
 * The withdrawal and adjustment work queues, derived from the players' events. The relay delivers
 * at least once and in any order, so each item only moves forward: every event carries a rank
 * (requested < approved < rejected/paid/cancelled) and an earlier rank never overwrites a later one; missing
 * details are filled in from whichever event brings them. A `paid` that arrives before its
 * `requested` leaves a terminal tombstone, so the late request cannot put the item back in a queue.
 * A withdrawal its player cancelled (possible only while requested) leaves the queue the same way.
 */
import type { CasinoEvent, EventPayload } from '../../domain/events';
import type { OpsContext, Subject } from './context';
import { clampLimit, QUEUE_LIMIT_MAX, scopeParams } from './paging';
import type { AdjustmentQueueItem, OpsCounts, QueueQuery, Scope, WithdrawalQueueItem, WithdrawalQueueQuery } from './types';

type WithdrawalEvent = 'wallet.withdrawal.requested' | 'wallet.withdrawal.approved' | 'wallet.withdrawal.rejected' | 'wallet.withdrawal.paid' | 'wallet.withdrawal.cancelled';
const WITHDRAWAL_STEP = {
  'wallet.withdrawal.requested': { state: 'pending', rank: 1 },
  'wallet.withdrawal.approved': { state: 'approved', rank: 2 },
  'wallet.withdrawal.rejected': { state: 'rejected', rank: 3 },
  'wallet.withdrawal.paid': { state: 'paid', rank: 3 },
  'wallet.withdrawal.cancelled': { state: 'cancelled', rank: 3 },
} as const;

type AdjustmentEvent = 'backoffice.adjustment.requested' | 'backoffice.adjustment.applied' | 'backoffice.adjustment.rejected';
const ADJUSTMENT_STEP = {
  'backoffice.adjustment.requested': { state: 'pending', rank: 1 },
  'backoffice.adjustment.applied': { state: 'applied', rank: 2 },
  'backoffice.adjustment.rejected': { state: 'rejected', rank: 2 },
} as const;

type WithdrawalRow = Omit<WithdrawalQueueItem, 'vip'> & { vip: number };
type AdjustmentRow = Omit<AdjustmentQueueItem, 'vip'> & { vip: number };

export class WorkQueues {
  constructor(private readonly ctx: OpsContext) {}

  private get db() {
    return this.ctx.db;
  }

  onWithdrawal(type: WithdrawalEvent, e: CasinoEvent, subj: Subject): void {
    const p = e.payload as EventPayload<WithdrawalEvent>;
    const step = WITHDRAWAL_STEP[type];
    const requestedAt = type === 'wallet.withdrawal.requested' ? e.occurred_at : null;
    const approvedAt = type === 'wallet.withdrawal.approved' ? e.occurred_at : null;
    const approvedBy = type === 'wallet.withdrawal.approved' ? (p as EventPayload<'wallet.withdrawal.approved'>).actor : null;
    this.db.run`insert into withdrawals (withdrawal_id, player_id, jurisdiction, currency, amount_minor, state, rank,
        requested_at, approved_at, approved_by, queued_at, updated_at)
      values (${p.withdrawal_id}, ${subj.player_id}, ${e.jurisdiction ?? subj.jurisdiction}, ${e.currency ?? subj.currency}, ${p.amount_minor},
        ${step.state}, ${step.rank}, ${requestedAt}, ${approvedAt}, ${approvedBy}, ${e.occurred_at}, ${this.ctx.now()})
      on conflict (withdrawal_id) do update set
        state = case when excluded.rank > withdrawals.rank then excluded.state else withdrawals.state end,
        rank = max(withdrawals.rank, excluded.rank),
        requested_at = coalesce(withdrawals.requested_at, excluded.requested_at),
        approved_at = coalesce(withdrawals.approved_at, excluded.approved_at),
        approved_by = coalesce(withdrawals.approved_by, excluded.approved_by),
        queued_at = min(withdrawals.queued_at, excluded.queued_at),
        updated_at = case when excluded.rank > withdrawals.rank then excluded.updated_at else withdrawals.updated_at end`;
  }

  /** Only adjustments that need a second operator enter the queue; their decision takes them out. */
  onAdjustment(type: AdjustmentEvent, e: CasinoEvent, subj: Subject): void {
    const step = ADJUSTMENT_STEP[type];
    let details: { bucket: string | null; reason: string | null; requested_by: string | null; requested_at: number | null };
    if (type === 'backoffice.adjustment.requested') {
      const p = e.payload as EventPayload<'backoffice.adjustment.requested'>;
      if (!p.needs_approval) return;
      details = { bucket: p.bucket, reason: p.reason, requested_by: p.actor, requested_at: e.occurred_at };
    } else if (type === 'backoffice.adjustment.applied') {
      const p = e.payload as EventPayload<'backoffice.adjustment.applied'>;
      details = { bucket: p.bucket, reason: null, requested_by: p.requested_by, requested_at: null };
    } else {
      details = { bucket: null, reason: null, requested_by: null, requested_at: null };
    }
    const p = e.payload as EventPayload<AdjustmentEvent>;
    this.db.run`insert into adjustments (adjustment_id, player_id, jurisdiction, currency, bucket, amount_minor, reason,
        requested_by, requested_at, state, rank, updated_at)
      values (${p.adjustment_id}, ${subj.player_id}, ${e.jurisdiction ?? subj.jurisdiction}, ${e.currency ?? subj.currency}, ${details.bucket},
        ${p.amount_minor}, ${details.reason}, ${details.requested_by}, ${details.requested_at}, ${step.state}, ${step.rank}, ${this.ctx.now()})
      on conflict (adjustment_id) do update set
        state = case when excluded.rank > adjustments.rank then excluded.state else adjustments.state end,
        rank = max(adjustments.rank, excluded.rank),
        bucket = coalesce(adjustments.bucket, excluded.bucket),
        reason = coalesce(adjustments.reason, excluded.reason),
        requested_by = coalesce(adjustments.requested_by, excluded.requested_by),
        requested_at = coalesce(adjustments.requested_at, excluded.requested_at),
        updated_at = case when excluded.rank > adjustments.rank then excluded.updated_at else adjustments.updated_at end`;
  }

  /** Queue lengths for the dashboard (alerts are counted by AlertStore). */
  counts(scope: Scope): Omit<OpsCounts, 'alerts_open'> {
    const s = scopeParams(scope);
    // The same predicates as the lists, so a count always matches the list the operator is shown.
    const row = this.db.first<Omit<OpsCounts, 'alerts_open'>>`select
      (select count(*) from players
        where (${s.all} = 1 or jurisdiction in (select value from json_each(${s.list}))) and (${s.vip} is null or vip = ${s.vip})) as players,
      (select count(*) from players where kyc_status = 'pending'
        and (${s.all} = 1 or jurisdiction in (select value from json_each(${s.list}))) and (${s.vip} is null or vip = ${s.vip})) as kyc_pending,
      (select count(*) from withdrawals w left join players p on p.player_id = w.player_id where w.state = 'pending'
        and (${s.all} = 1 or w.jurisdiction in (select value from json_each(${s.list}))) and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})) as withdrawals_pending,
      (select count(*) from withdrawals w left join players p on p.player_id = w.player_id where w.state = 'approved'
        and (${s.all} = 1 or w.jurisdiction in (select value from json_each(${s.list}))) and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})) as withdrawals_approved,
      (select count(*) from adjustments a left join players p on p.player_id = a.player_id where a.state = 'pending'
        and (${s.all} = 1 or a.jurisdiction in (select value from json_each(${s.list}))) and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})) as adjustments_pending`;
    return row!;
  }

  /** Pending and approved-awaiting-payout withdrawals, oldest first. */
  withdrawals(opts: WithdrawalQueueQuery): WithdrawalQueueItem[] {
    const s = scopeParams(opts);
    const state = opts.state ?? null;
    const rows = this.db.all<WithdrawalRow>`select w.*, coalesce(p.vip, 0) as vip
      from withdrawals w left join players p on p.player_id = w.player_id
      where w.state in ('pending', 'approved') and (${state} is null or w.state = ${state})
        and (${s.all} = 1 or w.jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})
      order by w.queued_at, w.withdrawal_id
      limit ${clampLimit(opts.limit, QUEUE_LIMIT_MAX)}`;
    return rows.map(withdrawalView);
  }

  /** Adjustments waiting for four-eyes approval, oldest first. */
  adjustments(opts: QueueQuery): AdjustmentQueueItem[] {
    const s = scopeParams(opts);
    const rows = this.db.all<AdjustmentRow>`select a.*, coalesce(p.vip, 0) as vip
      from adjustments a left join players p on p.player_id = a.player_id
      where a.state = 'pending'
        and (${s.all} = 1 or a.jurisdiction in (select value from json_each(${s.list})))
        and (${s.vip} is null or coalesce(p.vip, 0) = ${s.vip})
      order by a.requested_at, a.adjustment_id
      limit ${clampLimit(opts.limit, QUEUE_LIMIT_MAX)}`;
    return rows.map(adjustmentView);
  }
}

function withdrawalView(r: WithdrawalRow): WithdrawalQueueItem {
  return {
    withdrawal_id: r.withdrawal_id,
    player_id: r.player_id,
    jurisdiction: r.jurisdiction,
    vip: r.vip === 1,
    currency: r.currency,
    amount_minor: r.amount_minor,
    state: r.state,
    requested_at: r.requested_at,
    approved_at: r.approved_at,
    approved_by: r.approved_by,
  };
}

function adjustmentView(r: AdjustmentRow): AdjustmentQueueItem {
  return {
    adjustment_id: r.adjustment_id,
    player_id: r.player_id,
    jurisdiction: r.jurisdiction,
    vip: r.vip === 1,
    currency: r.currency,
    bucket: r.bucket,
    amount_minor: r.amount_minor,
    reason: r.reason,
    requested_by: r.requested_by,
    requested_at: r.requested_at,
  };
}
