MODEL (
  name intermediate.int_player_wagering_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id],
  start '2026-10-22',
  owner 'analytics',
  tags [intermediate, players],
  description 'Wagering per player and day across tables and slots'
);

WITH play AS (
  SELECT event_date, player_id, jurisdiction, currency, 'table' AS product, bets AS rounds, stake_minor, returned_minor, ggr_minor
  FROM intermediate.int_player_table_daily
  WHERE event_date BETWEEN @start_ds AND @end_ds
  UNION ALL
  SELECT event_date, player_id, jurisdiction, currency, 'slot' AS product, spins AS rounds, stake_minor, returned_minor, ggr_minor
  FROM intermediate.int_player_slots_daily
  WHERE event_date BETWEEN @start_ds AND @end_ds
)
SELECT
  event_date,
  player_id,
  any_value(jurisdiction) AS jurisdiction,
  any_value(currency) AS currency,
  sum(rounds) AS rounds,
  coalesce(sum(stake_minor) FILTER (WHERE product = 'table'), 0) AS table_stake_minor,
  coalesce(sum(stake_minor) FILTER (WHERE product = 'slot'), 0) AS slot_stake_minor,
  sum(stake_minor) AS stake_minor,
  sum(returned_minor) AS returned_minor,
  sum(ggr_minor) AS ggr_minor,
  count(DISTINCT product) AS products_played
FROM play
GROUP BY event_date, player_id
