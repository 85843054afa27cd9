MODEL (
  name intermediate.int_table_bets_resolved,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column settled_date
  ),
  cron '@daily',
  grain [bet_id],
  start '2026-10-22',
  owner 'games',
  tags [intermediate, tables],
  description 'One row per settled table bet, joined to its placement (placed up to a day before)'
);

WITH placed AS (
  SELECT bet_id, occurred_at AS placed_at
  FROM staging.stg_table_bets
  WHERE action = 'placed'
    AND event_date BETWEEN CAST(@start_ds AS DATE) - INTERVAL 1 DAY AND @end_ds
),
settled AS (
  SELECT *
  FROM staging.stg_table_bets
  WHERE action = 'settled'
    AND event_date BETWEEN @start_ds AND @end_ds
)
SELECT
  s.bet_id,
  s.player_id,
  s.jurisdiction,
  s.currency,
  s.table_id,
  s.round_id,
  s.game,
  s.game_id,
  s.spot,
  s.bet_type,
  s.result,
  s.amount_minor AS stake_minor,
  s.returned_minor,
  CASE WHEN s.result IN ('void', 'expired') THEN 0 ELSE s.amount_minor - s.returned_minor END AS ggr_minor,
  p.placed_at,
  s.occurred_at AS settled_at,
  date_diff('millisecond', p.placed_at, s.occurred_at) AS settle_latency_ms,
  s.event_date AS settled_date
FROM settled AS s
LEFT JOIN placed AS p ON p.bet_id = s.bet_id
