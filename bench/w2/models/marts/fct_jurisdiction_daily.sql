MODEL (
  name marts.fct_jurisdiction_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, jurisdiction, currency],
  start '2026-10-22',
  owner 'compliance',
  tags [marts, regulatory],
  description 'The regulator''s day per jurisdiction and currency: players, play, payments, registrations, exclusions'
);

WITH activity AS (
  SELECT
    event_date,
    jurisdiction,
    currency,
    count(*) FILTER (WHERE rounds > 0) AS active_players,
    sum(stake_minor) AS stake_minor,
    sum(ggr_minor) AS ggr_minor,
    sum(deposited_minor) AS deposited_minor,
    sum(withdrawn_minor) AS withdrawn_minor,
    sum(session_minutes) AS session_minutes
  FROM marts.fct_player_daily
  WHERE event_date BETWEEN @start_ds AND @end_ds
  GROUP BY event_date, jurisdiction, currency
),
registrations AS (
  SELECT event_date, jurisdiction, currency, count(*) AS registrations
  FROM staging.stg_registrations
  WHERE event_date BETWEEN @start_ds AND @end_ds
  GROUP BY event_date, jurisdiction, currency
),
exclusions AS (
  SELECT c.event_date, c.jurisdiction, r.currency,
    count(*) FILTER (WHERE c.event_type = 'rg.self_exclusion.started') AS self_exclusions,
    count(*) FILTER (WHERE c.event_type = 'rg.cool_off.started') AS cool_offs
  FROM staging.stg_compliance AS c
  JOIN staging.stg_registrations AS r ON r.player_id = c.player_id
  WHERE c.event_date BETWEEN @start_ds AND @end_ds
    AND c.family = 'rg'
  GROUP BY c.event_date, c.jurisdiction, r.currency
)
SELECT
  a.event_date,
  a.jurisdiction,
  a.currency,
  a.active_players,
  a.stake_minor,
  a.ggr_minor,
  a.deposited_minor,
  a.withdrawn_minor,
  a.session_minutes,
  coalesce(r.registrations, 0) AS registrations,
  coalesce(e.self_exclusions, 0) AS self_exclusions,
  coalesce(e.cool_offs, 0) AS cool_offs
FROM activity AS a
LEFT JOIN registrations AS r ON r.event_date = a.event_date AND r.jurisdiction = a.jurisdiction AND r.currency = a.currency
LEFT JOIN exclusions AS e ON e.event_date = a.event_date AND e.jurisdiction = a.jurisdiction AND e.currency = a.currency
