-- Operators' decisions on alerts: one row per resolved alert (ops.alert.resolved, BrandOpsDO), for
-- the edge's anomaly alerts and for the AML alerts the warehouse published back (rule aml.<rule>,
-- alert_id = marts.aml_alerts.alert_id: docs/aml.md). An alert is resolved once at the edge; a
-- relayed duplicate of the event keeps the first (by occurred_at, event_id), also across midnight.
-- The operator's note is not in the event (free text stays in the audit log).
MODEL (
  name staging.stg_alert_resolutions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [alert_id],
  owner data,
  tags [staging, operations, compliance, aml],
  description 'One row per resolved alert (ops.alert.resolved): the decision (no_action, false_positive, escalated, reported; NULL only for an anomaly alert resolved without one), the operator (actor) and when. Deduplicated on alert_id, keeping the first event (by occurred_at, event_id), also across midnight.',
  column_descriptions (
    event_id = 'The event kept for this resolution',
    occurred_at = 'When the event was emitted (UTC): the resolution',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player the alert is about',
    jurisdiction = 'Jurisdiction of the alert',
    alert_id = 'The alert (for AML alerts the md5 id of marts.aml_alerts)',
    brand = 'Brand whose operators resolved it',
    rule = 'The alert''s rule: an anomaly rule (large_win, rapid_deposit_withdraw, failed_logins) or aml.<rule>',
    is_aml = 'Whether it is an AML alert (rule aml.*)',
    decision = 'no_action, false_positive, escalated or reported; NULL only for an anomaly alert resolved without one',
    actor = 'Who decided: operator:<operator_id>',
    resolved_at = 'When it was resolved (UTC, from the payload, to the millisecond)'
  ),
  audits (
    not_null(columns := [event_id, occurred_at, event_date, alert_id, brand, rule, actor, resolved_at]),
    unique_values(columns := [alert_id]),
    accepted_values(column := decision, is_in := ('no_action', 'false_positive', 'escalated', 'reported')),
    forall(criteria := [
      NOT is_aml OR decision IS NOT NULL
    ])
  )
);

WITH events AS (
  -- the interval and the day before it, so a retry that crossed midnight is seen as a repeat
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type = 'ops.alert.resolved'
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
    coalesce(starts_with(macros.payload_text(payload, 'rule'), 'aml.'), false) AS is_aml,
    macros.payload_text(payload, 'decision') AS decision,
    macros.payload_text(payload, 'actor') AS actor,
    macros.payload_ts(payload, 'resolved_at') AS resolved_at
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
