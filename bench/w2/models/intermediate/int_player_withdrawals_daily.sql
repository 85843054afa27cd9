MODEL (
  name intermediate.int_player_withdrawals_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id],
  start '2026-10-22',
  owner 'payments',
  tags [intermediate, payments],
  description 'Withdrawals per player and day, by status'
);

SELECT
  event_date,
  player_id,
  any_value(jurisdiction) AS jurisdiction,
  any_value(currency) AS currency,
  count(*) FILTER (WHERE status = 'requested') AS withdrawals_requested,
  count(*) FILTER (WHERE status = 'approved') AS withdrawals_approved,
  count(*) FILTER (WHERE status = 'rejected') AS withdrawals_rejected,
  count(*) FILTER (WHERE status = 'paid') AS withdrawals_paid,
  coalesce(sum(amount_minor) FILTER (WHERE status = 'requested'), 0) AS requested_minor,
  coalesce(sum(amount_minor) FILTER (WHERE status = 'paid'), 0) AS withdrawn_minor
FROM staging.stg_withdrawals
WHERE event_date BETWEEN @start_ds AND @end_ds
GROUP BY event_date, player_id
