-- What the platform did each day: events per type and jurisdiction, and how many players and
-- tables were involved. The first mart, and the loop's heartbeat: it is fresh within a minute of
-- an event at the edge because the current day is recomputed on every run (allow_partials).
MODEL (
  name marts.platform_events_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [event_date, event_type, jurisdiction],
  owner data,
  tags [platform, operations],
  description 'Events per UTC day, type and jurisdiction, with distinct players and tables.',
  column_descriptions (
    event_date = 'UTC day',
    event_type = 'Dotted event type',
    jurisdiction = 'Licensing jurisdiction of the event, or (none)',
    events = 'Events of that type that day',
    players = 'Distinct players with such an event that day',
    tables = 'Distinct live tables with such an event that day'
  ),
  audits (
    not_null(columns := [event_date, event_type, jurisdiction, events]),
    unique_combination_of_columns(columns := [event_date, event_type, jurisdiction]),
    accepted_range(column := events, min_v := 1)
  )
);

SELECT
  event_date,
  event_type,
  coalesce(jurisdiction, '(none)') AS jurisdiction,
  count(*) AS events,
  count(DISTINCT player_id) AS players,
  count(DISTINCT table_id) AS tables
FROM raw.events
WHERE event_date BETWEEN @start_ds AND @end_ds
GROUP BY ALL
