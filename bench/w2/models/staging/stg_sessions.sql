MODEL (
  name staging.stg_sessions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [session_id],
  start '2026-10-22',
  owner 'analytics',
  tags [staging, players],
  description 'One row per ended session, dated by its end'
);

SELECT
  event_id,
  payload->>'$.session_id' AS session_id,
  player_id,
  jurisdiction,
  occurred_at - to_milliseconds((payload->>'$.duration_ms')::BIGINT) AS started_at,
  occurred_at AS ended_at,
  event_date,
  payload->>'$.reason' AS end_reason,
  (payload->>'$.duration_ms')::BIGINT AS duration_ms
FROM raw.events
WHERE event_type = 'player.session.ended'
  AND event_date BETWEEN @start_ds AND @end_ds
