MODEL (
  name staging.stg_deposits,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'payments',
  tags [staging, payments],
  description 'Deposit lifecycle events: requested, completed, failed'
);

SELECT
  event_id,
  payload->>'$.deposit_id' AS deposit_id,
  player_id,
  jurisdiction,
  currency,
  occurred_at,
  event_date,
  replace(event_type, 'wallet.deposit.', '') AS status,
  payload->>'$.provider' AS payment_provider,
  (payload->>'$.amount_minor')::BIGINT AS amount_minor,
  (payload->>'$.balance_after_minor')::BIGINT AS balance_after_minor,
  payload->>'$.reason' AS failure_reason
FROM raw.events
WHERE event_type IN ('wallet.deposit.requested', 'wallet.deposit.completed', 'wallet.deposit.failed')
  AND event_date BETWEEN @start_ds AND @end_ds
