MODEL (
  name intermediate.int_holds_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id, hold_kind],
  start '2026-10-22',
  owner 'finance',
  tags [intermediate, wallet],
  description 'Wallet holds per player, kind and day: what was reserved, posted, voided and credited'
);

SELECT
  event_date,
  player_id,
  hold_kind,
  any_value(currency) AS currency,
  count(*) FILTER (WHERE action = 'reserved') AS reserved,
  count(*) FILTER (WHERE action = 'posted') AS posted,
  count(*) FILTER (WHERE action IN ('voided', 'expired')) AS released,
  coalesce(sum(amount_minor) FILTER (WHERE action = 'reserved'), 0) AS reserved_minor,
  coalesce(sum(amount_minor) FILTER (WHERE action = 'posted'), 0) AS posted_minor,
  coalesce(sum(amount_minor) FILTER (WHERE action = 'win_credited'), 0) AS credited_minor,
  arg_max(balance_after_minor, occurred_at) FILTER (WHERE balance_after_minor IS NOT NULL) AS closing_balance_minor
FROM staging.stg_holds
WHERE event_date BETWEEN @start_ds AND @end_ds
GROUP BY event_date, player_id, hold_kind
