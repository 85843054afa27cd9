MODEL (
  name staging.stg_registrations,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'analytics',
  tags [staging, players],
  description 'One row per player.registered event'
);

SELECT
  event_id,
  player_id,
  occurred_at AS registered_at,
  event_date,
  jurisdiction,
  currency,
  payload->>'$.brand' AS brand,
  payload->>'$.country' AS country,
  (payload->>'$.birth_year')::INTEGER AS birth_year,
  payload->>'$.acquisition_source' AS acquisition_source,
  payload->>'$.config_version' AS config_version
FROM raw.events
WHERE event_type = 'player.registered'
  AND event_date BETWEEN @start_ds AND @end_ds
