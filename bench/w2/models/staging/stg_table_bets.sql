MODEL (
  name staging.stg_table_bets,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'games',
  tags [staging, tables],
  description 'Live-table bets: placed and settled (one row per event)'
);

SELECT
  event_id,
  payload->>'$.bet_id' AS bet_id,
  replace(event_type, 'table.bet.', '') AS action,
  player_id,
  jurisdiction,
  currency,
  table_id,
  round_id,
  occurred_at,
  event_date,
  payload->>'$.game' AS game,
  payload->>'$.game_id' AS game_id,
  payload->>'$.spot' AS spot,
  payload->>'$.bet_type' AS bet_type,
  (payload->>'$.amount_minor')::BIGINT AS amount_minor,
  (payload->>'$.returned_minor')::BIGINT AS returned_minor,
  payload->>'$.result' AS result,
  payload->>'$.hold_id' AS hold_id
FROM raw.events
WHERE event_type IN ('table.bet.placed', 'table.bet.settled')
  AND event_date BETWEEN @start_ds AND @end_ds
