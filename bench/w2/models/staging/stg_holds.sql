MODEL (
  name staging.stg_holds,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'finance',
  tags [staging, wallet],
  description 'Wallet holds (bets and withdrawals): reserved, posted, voided, expired, and wins credited against them'
);

SELECT
  event_id,
  coalesce(payload->>'$.hold_id', payload->>'$.win_id') AS hold_id,
  player_id,
  jurisdiction,
  currency,
  occurred_at,
  event_date,
  CASE event_type WHEN 'wallet.win.credited' THEN 'win_credited' ELSE replace(event_type, 'wallet.hold.', '') END AS action,
  coalesce(payload->>'$.kind', 'win') AS hold_kind,
  (payload->>'$.amount_minor')::BIGINT AS amount_minor,
  (payload->>'$.real_minor')::BIGINT AS real_minor,
  (payload->>'$.bonus_minor')::BIGINT AS bonus_minor,
  (payload->>'$.released_minor')::BIGINT AS released_minor,
  (payload->>'$.balance_after_minor')::BIGINT AS balance_after_minor,
  payload->>'$.ref' AS ref
FROM raw.events
WHERE event_type IN ('wallet.hold.reserved', 'wallet.hold.posted', 'wallet.hold.voided', 'wallet.hold.expired', 'wallet.win.credited')
  AND event_date BETWEEN @start_ds AND @end_ds
