MODEL (
  name intermediate.int_player_rolling_7d,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id],
  start '2026-10-22',
  owner 'compliance',
  tags [intermediate, rg],
  description 'Rolling 7-day stake, GGR and active days per player (reads the 6 days before the interval)'
);

WITH daily AS (
  SELECT event_date, player_id, stake_minor, ggr_minor, rounds
  FROM intermediate.int_player_wagering_daily
  WHERE event_date BETWEEN CAST(@start_ds AS DATE) - INTERVAL 6 DAY AND @end_ds
),
windowed AS (
  SELECT
    event_date,
    player_id,
    sum(stake_minor) OVER w AS stake_7d_minor,
    sum(ggr_minor) OVER w AS ggr_7d_minor,
    sum(rounds) OVER w AS rounds_7d,
    count(*) OVER w AS active_days_7d,
    max(ggr_minor) OVER w AS worst_day_loss_7d_minor
  FROM daily
  WINDOW w AS (PARTITION BY player_id ORDER BY event_date RANGE BETWEEN INTERVAL 6 DAY PRECEDING AND CURRENT ROW)
)
SELECT *
FROM windowed
WHERE event_date BETWEEN @start_ds AND @end_ds
