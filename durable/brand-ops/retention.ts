/**
 * Retention of the ops object's derived state, run by the daily housekeeping alarm in bounded
 * batches: dedupe entries and queue tombstones live as long as a replay is plausible (35 days, as
 * the players' idempotency keys), rule state a week beyond its window, resolved alerts 180 days
 * (each was shipped as `ops.alert.raised`, and its resolution is in the audit log).
 */
import { BACKOFFICE_CONFIG } from '../../domain/backoffice';
import type { OpsContext } from './context';

const DAY_MS = 24 * 3_600_000;
export const SEEN_RETENTION_MS = 35 * DAY_MS;
export const RULE_STATE_RETENTION_MS = 7 * DAY_MS;
export const RESOLVED_ALERT_RETENTION_MS = 180 * DAY_MS;
export const HOUSEKEEPING_INTERVAL_MS = DAY_MS;
/** Rows deleted per table per run; a run that hits it schedules the next one soon. */
export const PURGE_ROWS_MAX = 5_000;

const RULE_WINDOW_MS = Math.max(BACKOFFICE_CONFIG.anomaly_rules.rapid_deposit_withdraw.window_ms, BACKOFFICE_CONFIG.anomaly_rules.failed_logins.window_ms);

/** Deletes what has expired, at most PURGE_ROWS_MAX per table; true when some is left for the next run. */
export function purgeExpired(ctx: OpsContext): boolean {
  const now = ctx.now();
  const db = ctx.db;
  const seenCut = now - SEEN_RETENTION_MS;
  const ruleCut = now - RULE_STATE_RETENTION_MS - RULE_WINDOW_MS;
  const alertCut = now - RESOLVED_ALERT_RETENTION_MS;
  db.run`delete from seen where event_id in (select event_id from seen where seen_at < ${seenCut} limit ${PURGE_ROWS_MAX})`;
  db.run`delete from withdrawals where withdrawal_id in (select withdrawal_id from withdrawals
    where state in ('rejected', 'paid', 'cancelled') and updated_at < ${seenCut} limit ${PURGE_ROWS_MAX})`;
  db.run`delete from adjustments where adjustment_id in (select adjustment_id from adjustments
    where state in ('applied', 'rejected') and updated_at < ${seenCut} limit ${PURGE_ROWS_MAX})`;
  db.run`delete from money_moves where event_id in (select event_id from money_moves where occurred_at < ${ruleCut} limit ${PURGE_ROWS_MAX})`;
  db.run`delete from login_failures where event_id in (select event_id from login_failures where occurred_at < ${ruleCut} limit ${PURGE_ROWS_MAX})`;
  db.run`delete from alerts where alert_id in (select alert_id from alerts where state = 'resolved' and resolved_at < ${alertCut} limit ${PURGE_ROWS_MAX})`;
  const left = db.first<{ more: number }>`select
      exists (select 1 from seen where seen_at < ${seenCut})
      or exists (select 1 from withdrawals where state in ('rejected', 'paid', 'cancelled') and updated_at < ${seenCut})
      or exists (select 1 from adjustments where state in ('applied', 'rejected') and updated_at < ${seenCut})
      or exists (select 1 from money_moves where occurred_at < ${ruleCut})
      or exists (select 1 from login_failures where occurred_at < ${ruleCut})
      or exists (select 1 from alerts where state = 'resolved' and resolved_at < ${alertCut}) as more`;
  return left!.more === 1;
}
