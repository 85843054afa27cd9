MODEL (
  name intermediate.int_player_deposits_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id],
  start '2026-10-22',
  owner 'payments',
  tags [intermediate, payments],
  description 'Deposits per player and day'
);

SELECT
  event_date,
  player_id,
  any_value(jurisdiction) AS jurisdiction,
  any_value(currency) AS currency,
  count(*) FILTER (WHERE status = 'requested') AS deposits_requested,
  count(*) FILTER (WHERE status = 'completed') AS deposits_completed,
  count(*) FILTER (WHERE status = 'failed') AS deposits_failed,
  coalesce(sum(amount_minor) FILTER (WHERE status = 'completed'), 0) AS deposited_minor,
  max(amount_minor) FILTER (WHERE status = 'completed') AS largest_deposit_minor,
  min(occurred_at) FILTER (WHERE status = 'completed') AS first_deposit_at
FROM staging.stg_deposits
WHERE event_date BETWEEN @start_ds AND @end_ds
GROUP BY event_date, player_id
