MODEL (
  name staging.stg_withdrawals,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'payments',
  tags [staging, payments],
  description 'Withdrawal lifecycle events: requested, approved, rejected, paid'
);

SELECT
  event_id,
  payload->>'$.withdrawal_id' AS withdrawal_id,
  player_id,
  jurisdiction,
  currency,
  occurred_at,
  event_date,
  replace(event_type, 'wallet.withdrawal.', '') AS status,
  (payload->>'$.amount_minor')::BIGINT AS amount_minor,
  (payload->>'$.balance_after_minor')::BIGINT AS balance_after_minor,
  payload->>'$.actor' AS actor,
  payload->>'$.reason' AS rejection_reason
FROM raw.events
WHERE event_type IN ('wallet.withdrawal.requested', 'wallet.withdrawal.approved', 'wallet.withdrawal.rejected', 'wallet.withdrawal.paid')
  AND event_date BETWEEN @start_ds AND @end_ds
