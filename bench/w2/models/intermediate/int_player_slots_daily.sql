MODEL (
  name intermediate.int_player_slots_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id, game_id],
  start '2026-10-22',
  owner 'games',
  tags [intermediate, slots],
  description 'Slot play per player, game and day (rolled-back rounds excluded)'
);

SELECT
  settled_date AS event_date,
  player_id,
  game_id,
  any_value(provider_id) AS provider_id,
  any_value(jurisdiction) AS jurisdiction,
  any_value(currency) AS currency,
  count(*) AS spins,
  count(*) FILTER (WHERE win_minor > 0) AS spins_won,
  sum(stake_minor) AS stake_minor,
  sum(win_minor) AS returned_minor,
  sum(ggr_minor) AS ggr_minor,
  max(win_minor) AS largest_win_minor
FROM intermediate.int_slot_rounds
WHERE settled_date BETWEEN @start_ds AND @end_ds
  AND NOT rolled_back
GROUP BY settled_date, player_id, game_id
