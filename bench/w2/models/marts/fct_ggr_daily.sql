MODEL (
  name marts.fct_ggr_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, product, game_id, jurisdiction, currency],
  start '2026-10-22',
  owner 'finance',
  tags [marts, finance],
  description 'Gross gaming revenue per day, product, game, jurisdiction and currency'
);

WITH play AS (
  SELECT settled_date AS event_date, 'table' AS product, game_id, jurisdiction, currency, player_id, stake_minor, returned_minor, ggr_minor
  FROM intermediate.int_table_bets_resolved
  WHERE settled_date BETWEEN @start_ds AND @end_ds
    AND result NOT IN ('void', 'expired')
  UNION ALL
  SELECT settled_date AS event_date, 'slot' AS product, game_id, jurisdiction, currency, player_id, stake_minor, win_minor AS returned_minor, ggr_minor
  FROM intermediate.int_slot_rounds
  WHERE settled_date BETWEEN @start_ds AND @end_ds
    AND NOT rolled_back
)
SELECT
  event_date,
  product,
  game_id,
  jurisdiction,
  currency,
  count(*) AS rounds,
  count(DISTINCT player_id) AS players,
  sum(stake_minor) AS stake_minor,
  sum(returned_minor) AS returned_minor,
  sum(ggr_minor) AS ggr_minor,
  round(sum(ggr_minor) / nullif(sum(stake_minor), 0), 6) AS hold_rate
FROM play
GROUP BY event_date, product, game_id, jurisdiction, currency
