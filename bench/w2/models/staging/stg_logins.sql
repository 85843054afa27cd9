MODEL (
  name staging.stg_logins,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'analytics',
  tags [staging, players],
  description 'Login attempts: succeeded, failed, and logins from a country other than the registered one'
);

SELECT
  event_id,
  player_id,
  occurred_at,
  event_date,
  jurisdiction,
  CASE event_type
    WHEN 'player.login.succeeded' THEN 'succeeded'
    WHEN 'player.login.failed' THEN 'failed'
    ELSE 'foreign_country'
  END AS outcome,
  payload->>'$.session_id' AS session_id,
  coalesce(payload->>'$.country', payload->>'$.login_country') AS login_country,
  payload->>'$.registered_country' AS registered_country,
  payload->>'$.reason' AS failure_reason
FROM raw.events
WHERE event_type IN ('player.login.succeeded', 'player.login.failed', 'player.login.foreign_country')
  AND event_date BETWEEN @start_ds AND @end_ds
