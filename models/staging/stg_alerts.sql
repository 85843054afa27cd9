-- Operations' anomaly alerts, raised per brand by BrandOpsDO's rules.
MODEL (
  name staging.stg_alerts,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [alert_id],
  owner data,
  tags [staging, operations],
  description 'One row per alert (ops.alert.raised). Deduplicated on alert_id, keeping the first event (by occurred_at, event_id), also across midnight.',
  column_descriptions (
    event_id = 'The event kept for this alert',
    occurred_at = 'When the alert was raised (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player concerned, when the alert is about one',
    jurisdiction = 'Jurisdiction of the event, when known',
    alert_id = 'The alert',
    brand = 'Brand whose operations raised it',
    rule = 'The rule that fired',
    severity = 'low, medium or high',
    summary = 'What was seen, in words'
  ),
  audits (
    not_null(columns := [event_id, occurred_at, event_date, alert_id, brand, rule, severity]),
    unique_values(columns := [alert_id]),
    accepted_values(column := severity, is_in := ('low', 'medium', 'high'))
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type = 'ops.alert.raised'
),
typed AS (
  SELECT
    event_id,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'alert_id') AS alert_id,
    macros.payload_text(payload, 'brand') AS brand,
    macros.payload_text(payload, 'rule') AS rule,
    macros.payload_text(payload, 'severity') AS severity,
    macros.payload_text(payload, 'summary') AS summary
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY alert_id ORDER BY occurred_at, event_id) = 1
)
SELECT *
FROM deduped
WHERE event_date BETWEEN @start_ds AND @end_ds
