-- Logins and sessions: every login attempt (succeeded, failed), the foreign-country signal of a
-- login, and the end of each session with its reason and length. One row per event.
MODEL (
  name staging.stg_sessions,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column event_date,
    lookback 2
  ),
  cron '*/1 * * * *',
  interval_unit 'day',
  allow_partials true,
  grain [event_id],
  owner data,
  tags [staging, players, sessions],
  description 'One row per player.login.succeeded, player.login.failed, player.login.foreign_country and player.session.ended event. Events of a session are deduplicated on (session_id, step), keeping the first (by occurred_at, event_id), also across midnight: a session starts and ends once. Failed logins have no session and are unique on event_id.',
  column_descriptions (
    event_id = 'The event',
    event_type = 'player.login.succeeded, player.login.failed, player.login.foreign_country or player.session.ended',
    step = 'login_succeeded, login_failed, login_foreign_country or session_ended',
    occurred_at = 'When the player object recorded it (UTC)',
    event_date = 'UTC day of occurred_at',
    player_id = 'The player',
    jurisdiction = 'Licensing jurisdiction of the player',
    session_id = 'The session (all steps but login_failed)',
    login_country = 'Country of the login, ISO 3166 alpha-2 (login_succeeded, login_foreign_country)',
    device = 'Coarse device of the login (login_succeeded only): mobile, desktop, tablet, app, or unknown when the event predates the field (2026-12); NULL on other steps',
    registered_country = 'Country the player registered in (login_foreign_country only)',
    failure_reason = 'Why a login failed, e.g. wrong_password (login_failed only)',
    end_reason = 'Why the session ended (session_ended only): logout, idle_timeout, max_length, time_limit, cool_off, self_exclusion, account_locked, account_closed',
    duration_ms = 'Session length in ms (session_ended only)'
  ),
  audits (
    not_null(columns := [event_id, step, occurred_at, event_date, player_id]),
    unique_values(columns := [event_id]),
    unique_combination_of_columns(columns := [session_id, step], condition := session_id IS NOT NULL),
    accepted_values(column := step, is_in := ('login_succeeded', 'login_failed', 'login_foreign_country', 'session_ended')),
    accepted_values(column := end_reason, is_in := ('logout', 'idle_timeout', 'max_length', 'time_limit', 'cool_off', 'self_exclusion', 'account_locked', 'account_closed')),
    accepted_values(column := device, is_in := ('mobile', 'desktop', 'tablet', 'app', 'unknown')),
    accepted_range(column := duration_ms, min_v := 0),
    forall(criteria := [(step = 'login_failed') = (session_id IS NULL)])
  )
);

WITH events AS (
  -- the interval and the day before it, so a repeat across midnight is seen
  SELECT *
  FROM staging.stg_events
  WHERE macros.dedupe_window(event_date, @start_ds, @end_ds)
    AND event_type IN ('player.login.succeeded', 'player.login.failed', 'player.login.foreign_country', 'player.session.ended')
),
typed AS (
  SELECT
    event_id,
    event_type,
    CAST(replace(substr(event_type, length('player.') + 1), '.', '_') AS VARCHAR) AS step,
    occurred_at,
    event_date,
    player_id,
    jurisdiction,
    macros.payload_text(payload, 'session_id') AS session_id,
    coalesce(macros.payload_text(payload, 'login_country'), macros.payload_text(payload, 'country')) AS login_country,
    CAST(CASE WHEN event_type = 'player.login.succeeded' THEN coalesce(macros.payload_text(payload, 'device'), 'unknown') END AS VARCHAR) AS device,
    macros.payload_text(payload, 'registered_country') AS registered_country,
    CAST(CASE WHEN event_type = 'player.login.failed' THEN macros.payload_text(payload, 'reason') END AS VARCHAR) AS failure_reason,
    CAST(CASE WHEN event_type = 'player.session.ended' THEN macros.payload_text(payload, 'reason') END AS VARCHAR) AS end_reason,
    macros.payload_bigint(payload, 'duration_ms') AS duration_ms
  FROM events
),
deduped AS (
  SELECT *
  FROM typed
  QUALIFY row_number() OVER (PARTITION BY coalesce(session_id, event_id), step ORDER BY occurred_at, event_id) = 1
)
SELECT *
FROM deduped
WHERE event_date BETWEEN @start_ds AND @end_ds
