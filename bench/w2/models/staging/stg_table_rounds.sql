MODEL (
  name staging.stg_table_rounds,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'games',
  tags [staging, tables],
  description 'Round lifecycle of the live tables: opened, closed, result, settled, voided'
);

SELECT
  event_id,
  table_id,
  round_id,
  replace(event_type, 'table.round.', '') AS round_event,
  occurred_at,
  event_date,
  (payload->>'$.round_no')::BIGINT AS round_no,
  payload->>'$.game' AS game,
  payload->>'$.game_id' AS game_id,
  payload->>'$.mode' AS mode,
  payload->>'$.source' AS result_source,
  (payload->>'$.bets')::INTEGER AS bets,
  (payload->>'$.settle_ms')::BIGINT AS settle_ms,
  (payload->>'$.bets_refunded')::INTEGER AS bets_refunded,
  payload->>'$.summary' AS result_summary,
  payload->>'$.actor' AS actor,
  payload->>'$.reason' AS void_reason
FROM raw.events
WHERE event_type IN ('table.round.opened', 'table.round.closed', 'table.round.result', 'table.round.settled', 'table.round.voided')
  AND event_date BETWEEN @start_ds AND @end_ds
