MODEL (
  name staging.stg_compliance,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    batch_size 31
  ),
  cron '@daily',
  grain [event_id],
  start '2026-10-22',
  owner 'compliance',
  tags [staging, rg],
  description 'Responsible gambling, KYC, status and back-office events, one row per event'
);

SELECT
  event_id,
  event_type,
  split_part(event_type, '.', 1) AS family,
  player_id,
  jurisdiction,
  currency,
  occurred_at,
  event_date,
  payload->>'$.kind' AS limit_kind,
  payload->>'$.period' AS limit_period,
  (payload->>'$.value')::BIGINT AS limit_value,
  (payload->>'$.previous')::BIGINT AS limit_previous,
  (payload->>'$.pending')::BOOLEAN AS limit_pending,
  (payload->>'$.attempted_minor')::BIGINT AS attempted_minor,
  payload->>'$.from' AS from_state,
  payload->>'$.to' AS to_state,
  (payload->>'$.hours')::INTEGER AS cool_off_hours,
  (payload->>'$.months')::INTEGER AS exclusion_months,
  (payload->>'$.amount_minor')::BIGINT AS amount_minor,
  payload->>'$.actor' AS actor,
  payload->>'$.reason' AS reason
FROM raw.events
WHERE (event_type LIKE 'rg.%'
    OR event_type IN ('player.kyc.changed', 'player.status.changed', 'player.vip.changed')
    OR event_type LIKE 'backoffice.%')
  AND event_date BETWEEN @start_ds AND @end_ds
