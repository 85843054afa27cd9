MODEL (
  name intermediate.int_player_sessions_daily,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date
  ),
  cron '@daily',
  grain [event_date, player_id],
  start '2026-10-22',
  owner 'analytics',
  tags [intermediate, players],
  description 'Sessions and login attempts per player and day'
);

WITH sessions AS (
  SELECT
    event_date,
    player_id,
    count(*) AS sessions,
    sum(duration_ms) AS session_ms,
    max(duration_ms) AS longest_session_ms,
    count(*) FILTER (WHERE end_reason IN ('time_limit', 'cool_off', 'self_exclusion')) AS sessions_ended_by_rg
  FROM staging.stg_sessions
  WHERE event_date BETWEEN @start_ds AND @end_ds
  GROUP BY event_date, player_id
),
logins AS (
  SELECT
    event_date,
    player_id,
    count(*) FILTER (WHERE outcome = 'succeeded') AS logins,
    count(*) FILTER (WHERE outcome = 'failed') AS failed_logins,
    count(*) FILTER (WHERE outcome = 'foreign_country') AS foreign_logins,
    count(DISTINCT login_country) AS login_countries
  FROM staging.stg_logins
  WHERE event_date BETWEEN @start_ds AND @end_ds
  GROUP BY event_date, player_id
)
SELECT
  coalesce(s.event_date, l.event_date) AS event_date,
  coalesce(s.player_id, l.player_id) AS player_id,
  coalesce(s.sessions, 0) AS sessions,
  coalesce(s.session_ms, 0) AS session_ms,
  s.longest_session_ms,
  coalesce(s.sessions_ended_by_rg, 0) AS sessions_ended_by_rg,
  coalesce(l.logins, 0) AS logins,
  coalesce(l.failed_logins, 0) AS failed_logins,
  coalesce(l.foreign_logins, 0) AS foreign_logins,
  coalesce(l.login_countries, 0) AS login_countries
FROM sessions AS s
FULL OUTER JOIN logins AS l ON l.event_date = s.event_date AND l.player_id = s.player_id
