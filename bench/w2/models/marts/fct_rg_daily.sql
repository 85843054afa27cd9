MODEL (
  name marts.fct_rg_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, jurisdiction, event_type],
  start '2026-10-22',
  owner 'compliance',
  tags [marts, rg],
  description 'Responsible-gambling and KYC activity per day, jurisdiction and event type'
);

SELECT
  event_date,
  jurisdiction,
  event_type,
  count(*) AS events,
  count(DISTINCT player_id) AS players,
  count(*) FILTER (WHERE limit_pending) AS pending_limit_raises,
  sum(attempted_minor) AS refused_deposit_minor,
  sum(amount_minor) AS backoffice_amount_minor,
  count(*) FILTER (WHERE actor IS NOT NULL AND actor <> 'player') AS by_operator
FROM staging.stg_compliance
WHERE event_date BETWEEN @start_ds AND @end_ds
GROUP BY event_date, jurisdiction, event_type
