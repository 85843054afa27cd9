MODEL (
  name intermediate.int_player_table_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id, game_id],
  start '2026-10-22',
  owner 'games',
  tags [intermediate, tables],
  description 'Live-table play per player, game and day (void and expired bets excluded)'
);

SELECT
  settled_date AS event_date,
  player_id,
  game_id,
  any_value(game) AS game,
  any_value(jurisdiction) AS jurisdiction,
  any_value(currency) AS currency,
  count(*) AS bets,
  count(DISTINCT round_id) AS rounds,
  count(*) FILTER (WHERE result = 'win') AS bets_won,
  sum(stake_minor) AS stake_minor,
  sum(returned_minor) AS returned_minor,
  sum(ggr_minor) AS ggr_minor,
  max(stake_minor) AS largest_stake_minor
FROM intermediate.int_table_bets_resolved
WHERE settled_date BETWEEN @start_ds AND @end_ds
  AND result NOT IN ('void', 'expired')
GROUP BY settled_date, player_id, game_id
